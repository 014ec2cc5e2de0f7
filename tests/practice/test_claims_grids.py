"""点单/接单/领单 with releases, escalation and time to claim; grids and their coverage."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.notifications.models import Notification
from liaison.tenants.opinions.models import HandlingUnit, Opinion
from liaison.tenants.practice.models import Grid, Request
from liaison.tenants.practice.selectors import claims as sel
from liaison.tenants.practice.selectors import grids as grid_sel
from liaison.tenants.practice.services import claims, grids
from liaison.tenants.practice.services import settings as practice_settings

from .conftest import at

pytestmark = pytest.mark.django_db


def fields(exc):
    return {e.field: e.code for e in exc.value.errors}


def test_publish_refuses_personal_data(km):
    op = Opinion.objects.create(channel="reception", position=km.station, division=km.village, title="路灯坏了", content="c",
                                citizen_name="王小明", citizen_phone="13712345678", registered_at=at(2025, 5, 1))
    with pytest.raises(ServiceError) as exc:
        claims.publish(position=km.station, title="王小明家门口路灯", summary="联系 13712345678", opinion=op)
    assert fields(exc) == {"title": "personal_data", "summary": "personal_data"}
    with pytest.raises(ServiceError) as exc:
        claims.publish(position=999999, title="", summary="身份证 53010219900101123X")
    assert fields(exc) == {"title": "required", "summary": "personal_data", "position": "not_found"}
    assert not Request.objects.exists()
    r = claims.publish(position=km.station, title="实践村路灯损坏", summary="村口三盏路灯不亮", opinion=op)
    assert r.status == "published" and [e.action for e in r.events.all()] == ["publish"]


def test_deputy_claims_unit_claims_releases_and_time_to_claim(km):
    r = claims.publish(position=km.station, title="路灯", summary="村口路灯不亮", at=at(2025, 5, 1, 8))
    assert [d.pk for d in sel.eligible_deputies(r)] == [d.pk for d in km.deputies]  # station and the office under it
    assert r in sel.open_for_deputy(km.deputies[0]) and r not in sel.open_for_deputy(km.other)
    with pytest.raises(ServiceError) as exc:
        claims.claim(r, deputy=km.other)
    assert fields(exc) == {"deputy": "not_in_area"}
    with pytest.raises(ServiceError) as exc:
        claims.unit_claim(r, unit=km.unit)
    assert fields(exc) == {"request": "illegal_transition"}  # a deputy takes it first
    claims.claim(r, deputy=km.deputies[0], at=at(2025, 5, 1, 14))
    with pytest.raises(ServiceError) as exc:
        claims.claim(r, deputy=km.deputies[1])
    assert fields(exc) == {"request": "already_claimed"}
    with pytest.raises(ServiceError) as exc:
        claims.release(r, deputy=km.deputies[1])
    assert fields(exc) == {"deputy": "not_claimer"}
    claims.release(r, deputy=km.deputies[0], note="外出学习", at=at(2025, 5, 1, 16))
    claims.claim(r, deputy=km.deputies[1], at=at(2025, 5, 1, 20))
    claims.unit_claim(r, unit=km.unit, at=at(2025, 5, 2, 9))
    other_unit = HandlingUnit.objects.create(name="县交通局", kind="county_department", level="county", division=km.county)
    with pytest.raises(ServiceError) as exc:
        claims.unit_claim(r, unit=other_unit)
    assert fields(exc) == {"request": "already_claimed"}
    with pytest.raises(ServiceError) as exc:
        claims.release(r, deputy=km.deputies[1])
    assert fields(exc) == {"request": "illegal_transition"}
    r = claims.close(r, note="已修复", at=at(2025, 5, 9))
    assert r.status == "closed"
    assert [e.action for e in r.events.all()] == ["publish", "claim", "release", "claim", "unit_claim", "close"]
    assert sel.time_to_claim() == {"claimed": 1, "mean_hours": 12.0}


def test_unclaimed_requests_escalate_to_the_station_once(km):
    practice_settings.update(claim_escalation_hours=24)
    old = claims.publish(position=km.station, title="旧单", summary="无人接单", at=at(2025, 5, 1, 8))
    fresh = claims.publish(position=km.station, title="新单", summary="刚发布", at=at(2025, 5, 2, 7))
    assert claims.escalate_unclaimed(at(2025, 5, 2, 9)) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "escalated" and fresh.status == "published"
    message = Notification.objects.get(dedupe_key=f"practice:request:{old.pk}:escalate")
    assert message.address == "站长甲" and "超过 24 小时无人接单" in message.body
    assert claims.escalate_unclaimed(at(2025, 5, 2, 10)) == 0
    claims.claim(old, deputy=km.deputies[2])  # an escalated request can still be claimed


def test_beat_runs_the_escalation_in_every_prefecture():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["practice-escalate-requests"]
    assert entry["task"] == "liaison.fan_out" and entry["args"] == ["practice.escalate_requests"]


def test_grids_sit_under_villages_and_count_coverage(km):
    with pytest.raises(ServiceError) as exc:
        grids.create_grid(code="G1", name="网格一", division=km.township)
    assert fields(exc) == {"division": "invalid"}
    g1 = grids.create_grid(code="G1", name="网格一", division=km.village)
    grids.create_grid(code="G2", name="网格二", division=km.village)
    with pytest.raises(ServiceError) as exc:
        grids.create_grid(code="G1", name="重复", division=km.village)
    assert fields(exc) == {"code": "duplicate"}
    assert grid_sel.coverage() == {"grids": 2, "with_deputy": 0, "rate": 0.0}
    grids.assign_deputy(g1, deputy=km.deputies[0], assigned_on=dt.date(2025, 1, 1))
    with pytest.raises(ServiceError) as exc:
        grids.assign_deputy(g1, deputy=km.deputies[0])
    assert fields(exc) == {"deputy": "duplicate"}
    assert grid_sel.coverage(km.township) == {"grids": 2, "with_deputy": 1, "rate": 0.5}
    grids.remove_deputy(g1, deputy=km.deputies[0])
    assert grid_sel.coverage()["with_deputy"] == 0


def test_qujing_cannot_claim_or_see_kunming_requests_and_grids(km, qj_schema):
    r = claims.publish(position=km.station, title="路灯", summary="不亮")
    g = grids.create_grid(code="G1", name="网格一", division=km.village)
    with qj_schema():
        assert not Request.objects.exists() and not Grid.objects.exists()
        with pytest.raises(ServiceError) as exc:
            claims.claim(r.pk, deputy=km.deputies[0].pk)
        assert "request" in fields(exc)
        with pytest.raises(ServiceError):
            grids.assign_deputy(g.pk, deputy=km.deputies[0].pk)
        assert claims.escalate_unclaimed(at(2030, 1, 1)) == 0
    r.refresh_from_db()
    assert r.status == "published"


def test_an_opinion_carries_its_grid_when_known(km):
    from liaison.tenants.practice.services.grids import set_opinion_grid

    g = grids.create_grid(code="G1", name="网格一", division=km.village)
    op = Opinion.objects.create(channel="reception", position=km.station, division=km.township, title="t", content="c",
                                registered_at=at(2025, 5, 1))
    elsewhere = Opinion.objects.create(channel="reception", position=km.station2, division=km.township2, title="t", content="c",
                                       registered_at=at(2025, 5, 1))
    with pytest.raises(ServiceError) as exc:
        set_opinion_grid(elsewhere, g)
    assert fields(exc) == {"grid": "outside_division"}
    set_opinion_grid(op, g)
    assert Opinion.objects.get(pk=op.pk).grid == g and list(g.opinions.all()) == [op]
    set_opinion_grid(op, None)
    assert Opinion.objects.get(pk=op.pk).grid is None
