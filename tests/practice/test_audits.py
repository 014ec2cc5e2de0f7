"""Random audits: seeded and reproducible, field errors, 公示 without citizens' data."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from liaison.tenants.activities.models import Reception, Visitor
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.practice.models import Audit, AuditItem
from liaison.tenants.practice.selectors import audits as sel
from liaison.tenants.practice.services import audits

from .conftest import at, event

pytestmark = pytest.mark.django_db
START, END = dt.date(2025, 1, 1), dt.date(2025, 3, 31)


def fields(exc):
    return {e.field: e.code for e in exc.value.errors}


@pytest.fixture
def records(km):
    for i in range(6):
        ev = event(km.station, at(2025, 1 + i % 3, 3 + i), signed=[km.deputies[i % 3]])
        rec = Reception.objects.create(event=ev, deputy=km.deputies[i % 3], people_received=2, recorded_at=ev.starts_at)
        Visitor.objects.create(reception=rec, name="张三丰", phone="13900001111", matter="修路")
    for i in range(4):
        Opinion.objects.create(channel="deputy", position=km.station, division=km.township, deputy=km.deputies[i % 3], title=f"意见{i}",
                               content="c", citizen_name="李四光", citizen_phone="13800002222", registered_at=at(2025, 2, 1 + i))
    Opinion.objects.create(channel="deputy", position=km.station, division=km.township, deputy=km.deputies[0], title="期外",
                           content="c", registered_at=at(2025, 4, 2))
    return km


def test_the_same_seed_draws_the_same_sample(records):
    first = audits.draw_audit(title="一季度抽查", period_start=START, period_end=END, sample_size=5, seed=20250401)
    assert first.population_size == 10 and first.items.count() == 5
    items = sorted((i.kind, i.record_id) for i in first.items.all())
    assert sorted(sel.redraw(first)) == items
    again = audits.draw_audit(title="复抽", period_start=START, period_end=END, sample_size=5, seed=20250401)
    assert sorted((i.kind, i.record_id) for i in again.items.all()) == items
    other = audits.draw_audit(title="另一种子", period_start=START, period_end=END, sample_size=5, seed=7)
    assert sorted((i.kind, i.record_id) for i in other.items.all()) != items  # (10 choose 5 = 252 samples)


def test_a_seed_is_chosen_and_recorded_when_none_is_given(records):
    audit = audits.draw_audit(title="抽查", period_start=START, period_end=END, sample_size=3)
    assert isinstance(audit.seed, int)
    assert sorted(sel.redraw(audit)) == sorted((i.kind, i.record_id) for i in audit.items.all())


def test_sample_larger_than_population_and_other_bad_input(records):
    with pytest.raises(ServiceError) as exc:
        audits.draw_audit(title="抽查", period_start=START, period_end=END, sample_size=11, seed=1)
    assert fields(exc) == {"sample_size": "too_large"}
    with pytest.raises(ServiceError) as exc:
        audits.draw_audit(title="", period_start=END, period_end=START, sample_size=0, seed=-1)
    assert fields(exc) == {"title": "required", "period_end": "before_start", "sample_size": "invalid", "seed": "invalid"}
    assert not Audit.objects.exists() and not AuditItem.objects.exists()


def test_results_notes_and_publication(records):
    audit = audits.draw_audit(title="抽查", period_start=START, period_end=END, sample_size=3, seed=5)
    a, b, c = audit.items.all()
    audits.record_check(a, result="true")
    with pytest.raises(ServiceError) as exc:
        audits.record_check(b, result="false")
    assert fields(exc) == {"note": "required"}
    audits.record_check(b, result="false", note="电话回访未接待")
    with pytest.raises(ServiceError) as exc:
        audits.record_check(c, result="maybe")
    assert fields(exc) == {"result": "invalid"}
    audits.publish_audit(audit)
    with pytest.raises(ServiceError) as exc:
        audits.record_check(c, result="true")
    assert fields(exc) == {"item": "published"}
    assert [r.result for r in sel.public_rows(audit)] == ["真实", "不实", "待核实"]


def test_public_page_shows_results_without_citizen_data(records):
    audit = audits.draw_audit(title="一季度抽查", period_start=START, period_end=END, sample_size=10, seed=3)
    unpublished = Client(HTTP_HOST="kunming.localhost").get(f"/gongshi/audits/{audit.pk}/")
    assert unpublished.status_code == 404
    audits.publish_audit(audit)
    resp = Client(HTTP_HOST="kunming.localhost").get(f"/gongshi/audits/{audit.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200 and "一季度抽查" in html and "随机种子" in html and str(audit.seed) in html
    assert "代表1" in html and "待核实" in html
    for secret in ("张三丰", "13900001111", "李四光", "13800002222", "修路", "意见0"):
        assert secret not in html
    listing = Client(HTTP_HOST="kunming.localhost").get("/gongshi/audits/").content.decode()
    assert "一季度抽查" in listing
    # Not on another prefecture's host.
    assert Client(HTTP_HOST="qujing.localhost").get(f"/gongshi/audits/{audit.pk}/").status_code == 404
    assert "一季度抽查" not in Client(HTTP_HOST="qujing.localhost").get("/gongshi/audits/").content.decode()


def test_qujing_cannot_change_kunming_audit(records, qj_schema):
    audit = audits.draw_audit(title="抽查", period_start=START, period_end=END, sample_size=2, seed=5)
    item = audit.items.first()
    with qj_schema():
        assert not Audit.objects.exists()
        with pytest.raises(ServiceError) as exc:
            audits.record_check(item.pk, result="false", note="x")
        assert fields(exc) == {"item": "not_found"}
        with pytest.raises(ServiceError):
            audits.publish_audit(audit.pk)
    item.refresh_from_db()
    assert item.result == "pending"
