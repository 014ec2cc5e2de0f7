"""Before any refresh: prefectures without figures are stale and say so."""
from __future__ import annotations

import pytest

from liaison.platform.rollups import selectors, services

pytestmark = pytest.mark.django_db


def test_new_prefectures_count_as_stale_until_computed(kunming, qujing):
    assert set(services.stale_schemas()) >= {"kunming", "qujing"}
    stats = selectors.province_statistics()
    assert set(stats.never_computed) >= {"kunming", "qujing"} and stats.as_of is None
