"""解决率: outcome A among replied opinions, per channel group, per prefecture and for the
province — the same number from the selector, the roll-ups, the dashboard and the API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, Role, User
from liaison.platform.rollups import selectors as rollups
from liaison.tenants.practice import resolution
from liaison.tenants.stats import services as stats
from liaison.tenants.stats.catalogue import FIGURES_BY_KEY, Raw

from tests.stats import builders
from tests.stats.conftest import gql

pytestmark = pytest.mark.django_db
SINCE = dt.date(2000, 1, 1)


def test_xihu_reported_figures_give_the_published_rates():
    raw = Raw()
    raw.add("opinions_replied_by_channel", "online", 56)
    raw.add("opinions_resolved_by_channel", "online", 43)
    raw.add("opinions_replied_by_channel", "reception", 591 - 56)
    raw.add("opinions_resolved_by_channel", "reception", 395 - 43)
    assert FIGURES_BY_KEY["resolution_rate"].compute(raw) == round(395 / 591, 4)
    assert FIGURES_BY_KEY["resolution_rate_online"].compute(raw) == round(43 / 56, 4)
    assert FIGURES_BY_KEY["resolution_rate_in_person"].compute(raw) == round(352 / 535, 4)
    assert FIGURES_BY_KEY["resolution_rate"].compute(Raw()) is None  # nothing replied: no rate, not 0


def _opinions(code: str, online_a: int, online_b: int, offline_a: int, offline_d: int, unreplied: int) -> None:
    root = builders.Division.objects.get(code=code)
    county = builders.Division.objects.filter(parent=root).order_by("code").first()
    pos = builders.position(county, "station", "open")
    when = builders.at(2024, 5, 1)
    for channel, outcome, n in (("online", "A", online_a), ("online", "B", online_b), ("reception", "A", offline_a),
                                ("box", "D", offline_d)):
        for _ in range(n):
            builders.reply(builders.opinion(pos, when, channel=channel), when + dt.timedelta(days=3), outcome, None)
    for _ in range(unreplied):
        builders.opinion(pos, when, channel="online")
    # Re-handled: first answer D, then solved — the latest reply counts.
    op = builders.opinion(pos, when, channel="deputy")
    builders.reply(op, when + dt.timedelta(days=2), "D", None)
    builders.reply(op, when + dt.timedelta(days=40), "A", None, round=2)
    # Solved first, then reopened and answered B: not solved.
    op = builders.opinion(pos, when, channel="deputy")
    builders.reply(op, when + dt.timedelta(days=2), "A", None)
    builders.reply(op, when + dt.timedelta(days=40), "B", None, round=2)
    # A copy received from another prefecture is counted where it was registered.
    builders.reply(builders.opinion(pos, when, channel="online", origin_schema="other"), when, "A", None)


@pytest.fixture
def replied(kunming, qujing):
    with schema_context("kunming"):
        _opinions("530100", online_a=3, online_b=1, offline_a=2, offline_d=2, unreplied=4)
    with schema_context("qujing"):
        _opinions("530300", online_a=1, online_b=1, offline_a=1, offline_d=0, unreplied=0)
    stats.refresh(["kunming", "qujing"])


def test_selector_states_the_definition(replied):
    with schema_context("kunming"):
        r = resolution.resolution()
    # online: 3 A of 4 replied (the 4 unreplied are not in the denominator)
    assert (r["online"].resolved, r["online"].replied, r["online"].rate) == (3, 4, 0.75)
    # in person: 2 A + 2 D + re-handled (A last) + reopened (B last) = 3 of 6
    assert (r["in_person"].resolved, r["in_person"].replied) == (3, 6)
    assert (r["all"].resolved, r["all"].replied) == (6, 10)


def test_prefecture_and_province_figures_sum_numerators_and_denominators(replied, kunming, qujing):
    k = rollups.prefecture_statistics(kunming, SINCE).totals.figures
    assert (k["resolution_rate"], k["resolution_rate_online"], k["resolution_rate_in_person"]) == (0.6, 0.75, 0.5)
    q = rollups.prefecture_statistics(qujing, SINCE).totals.figures
    assert (q["resolution_rate"], q["resolution_rate_online"], q["resolution_rate_in_person"]) == (0.6, 0.5, round(2 / 3, 4))
    p = rollups.province_statistics(SINCE).totals.figures
    assert p["resolution_rate"] == round(9 / 15, 4)
    assert p["resolution_rate_online"] == round(4 / 6, 4)
    assert p["resolution_rate_in_person"] == round(5 / 9, 4)
    month = [t for t in rollups.prefecture_statistics(kunming, SINCE).trend if t.month == dt.date(2024, 5, 1)][0]
    assert month.figures["resolution_rate"] == 0.6


def test_dashboard_and_api_show_the_same_rate(replied, kunming):
    user = User.objects.create(username="res_admin", is_staff=True)
    Membership.objects.create(user=user, role=Role.PREFECTURE_ADMIN, prefecture=kunming)
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert "解决率" in html and 'data-figure="resolution_rate" data-value="0.6"' in html
    body = gql("kunming", "{ prefectureStatistics(since: \"2000-01-01\") { totals { figures { resolutionRate resolutionRateOnline "
                          "resolutionRateInPerson } } } }", user=user)
    assert body["data"]["prefectureStatistics"]["totals"]["figures"] == {
        "resolutionRate": 0.6, "resolutionRateOnline": 0.75, "resolutionRateInPerson": 0.5}
    defs = gql("kunming", "{ statisticsDefinitions { key definition } }")["data"]["statisticsDefinitions"]
    assert any(d["key"] == "resolution_rate" and "latest reply has outcome A" in d["definition"] for d in defs)


def test_qujing_admin_does_not_see_kunming_rate(replied, qujing):
    user = User.objects.create(username="res_q_admin", is_staff=True)
    Membership.objects.create(user=user, role=Role.PREFECTURE_ADMIN, prefecture=qujing)
    body = gql("kunming", "{ prefectureStatistics { totals { figures { resolutionRate } } } }", user=user)
    assert body.get("errors") and not (body.get("data") or {}).get("prefectureStatistics")


def test_cadence_and_grid_figures_per_prefecture_and_province(kunming, qujing):
    from liaison.tenants.practice.services import grids

    from django.utils import timezone

    from .conftest import build, event

    with schema_context("kunming"):
        w = build("530100")
        yesterday = timezone.now() - dt.timedelta(days=1)
        event(w.online, yesterday, kind="visit", signed=w.deputies[:2])  # two of five kept 日在线
        g = grids.create_grid(code="G1", name="网格一", division=w.village)
        grids.create_grid(code="G2", name="网格二", division=w.village)
        grids.assign_deputy(g, deputy=w.deputies[0])
    with schema_context("qujing"):
        q = build("530300")
        grids.create_grid(code="G1", name="网格一", division=q.village)
    stats.refresh(["kunming", "qujing"])
    k = rollups.prefecture_statistics(kunming, SINCE).totals.figures
    assert (k["cadence_online_share"], k["cadence_home_share"]) == (0.4, 0.0)
    assert (k["grids"], k["grid_coverage"]) == (2, 0.5)
    p = rollups.province_statistics(SINCE).totals.figures
    assert p["cadence_online_share"] == 0.2  # 2 of 10 deputies
    assert (p["grids"], p["grid_coverage"]) == (3, round(1 / 3, 4))
