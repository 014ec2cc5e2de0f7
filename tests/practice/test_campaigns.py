"""The themed annual campaign: phases in order, groups, showcases, outstanding, commitments."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.practice.models import Campaign, Commitment
from liaison.tenants.practice.services import campaigns

pytestmark = pytest.mark.django_db


def fields(exc):
    return {e.field: e.code for e in exc.value.errors}


def test_a_campaign_runs_through_its_five_phases(km):
    c = campaigns.create_campaign(year=2025, theme="履职为民・代表在身边")
    with pytest.raises(ServiceError) as exc:
        campaigns.create_campaign(year=2025, theme="again")
    assert fields(exc) == {"year": "duplicate"}
    group = campaigns.add_group(c, name="第一组")
    a = campaigns.join(group, deputy=km.deputies[0])
    b = campaigns.join(group, deputy=km.deputies[1])
    with pytest.raises(ServiceError) as exc:
        campaigns.join(group, deputy=km.deputies[0])
    assert fields(exc) == {"deputy": "duplicate"}
    with pytest.raises(ServiceError) as exc:
        campaigns.record_showcase(a, title="展示", held_on=dt.date(2025, 3, 1))
    assert fields(exc) == {"phase": "out_of_order"}  # still 基础准备
    with pytest.raises(ServiceError) as exc:
        campaigns.advance_phase(c, phase="evaluation")
    assert fields(exc) == {"phase": "out_of_order"}
    campaigns.advance_phase(c, phase="group_showcase")
    campaigns.record_showcase(a, title="小组履职展示", held_on=dt.date(2025, 4, 1))
    with pytest.raises(ServiceError) as exc:
        campaigns.select_outstanding(a)
    assert fields(exc) == {"phase": "out_of_order"}
    campaigns.advance_phase(c, phase="evaluation")
    campaigns.select_outstanding(a)
    with pytest.raises(ServiceError) as exc:
        campaigns.select_outstanding(b)
    assert fields(exc) == {"participant": "no_showcase"}
    campaigns.advance_phase(c, phase="showcase")
    campaigns.advance_phase(c, phase="commitment")
    with pytest.raises(ServiceError) as exc:
        campaigns.advance_phase(c, phase="commitment")
    assert fields(exc) == {"phase": "out_of_order"}
    c.refresh_from_db()
    assert c.phase == "commitment"
    assert [p.phase for p in c.phase_history.all()] == ["preparation", "group_showcase", "evaluation", "showcase", "commitment"]


def test_commitments_need_a_campaign_and_are_fulfilled_with_evidence(km):
    c = campaigns.create_campaign(year=2025, theme="主题")
    other = campaigns.create_campaign(year=2024, theme="去年")
    p = campaigns.join(campaigns.add_group(c, name="组"), deputy=km.deputies[0])
    with pytest.raises(ServiceError) as exc:
        campaigns.make_commitment(campaign=None, participant=p, content="年内办成一件实事")
    assert fields(exc) == {"campaign": "required"}
    with pytest.raises(ServiceError) as exc:
        campaigns.make_commitment(campaign=other, participant=p, content="x")
    assert fields(exc) == {"participant": "not_participant"}
    assert not Commitment.objects.exists()
    commitment = campaigns.make_commitment(campaign=c, participant=p, content="年内推动村道硬化", due_on=dt.date(2025, 12, 31))
    with pytest.raises(ServiceError) as exc:
        campaigns.fulfil_commitment(commitment, evidence=" ")
    assert fields(exc) == {"evidence": "required"}
    commitment = campaigns.fulfil_commitment(commitment, evidence="村道已硬化，验收照片存档", fulfilled_on=dt.date(2025, 1, 5))
    assert commitment.status == "fulfilled"
    with pytest.raises(ServiceError) as exc:
        campaigns.fulfil_commitment(commitment, evidence="again")
    assert fields(exc) == {"commitment": "duplicate"}


def test_qujing_cannot_touch_kunming_campaign(km, qj_schema):
    c = campaigns.create_campaign(year=2025, theme="主题")
    with qj_schema():
        assert not Campaign.objects.exists()
        with pytest.raises(ServiceError) as exc:
            campaigns.advance_phase(c.pk, phase="group_showcase")
        assert fields(exc) == {"campaign": "not_found"}
        assert campaigns.create_campaign(year=2025, theme="曲靖的").year == 2025  # its own year, not a duplicate
    c.refresh_from_db()
    assert c.phase == "preparation"
