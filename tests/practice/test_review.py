"""Closing-period suggestions: cut-off, scores, three stages in order, return with reasons,
assignment, dissatisfied answer → 复核 and 二次交办."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import services as opinion_services
from liaison.tenants.practice.models import ClosingSuggestion, ReviewDecision
from liaison.tenants.practice.services import review
from liaison.tenants.practice.services import settings as practice_settings

from .conftest import at

pytestmark = pytest.mark.django_db


def fields(exc):
    return {e.field: e.code for e in exc.value.errors}


def submit(km, when):
    return review.submit(title="修缮村道", content="建议修缮实践村主干道", township=km.township, lead_deputy=km.deputies[0], at=when)


def test_cut_off_day_decides_the_review_month(km):
    assert submit(km, at(2025, 3, 20, 23)).review_month == dt.date(2025, 3, 1)
    assert submit(km, at(2025, 3, 21, 0)).review_month == dt.date(2025, 4, 1)
    assert submit(km, at(2025, 12, 25)).review_month == dt.date(2026, 1, 1)
    practice_settings.update(review_cutoff_day=25)
    assert submit(km, at(2025, 3, 21)).review_month == dt.date(2025, 3, 1)


def test_submission_needs_a_township_and_a_deputy(km):
    with pytest.raises(ServiceError) as exc:
        review.submit(title="", content="x", township=km.village, lead_deputy=999999)
    assert fields(exc) == {"title": "required", "township": "invalid", "lead_deputy": "not_found"}
    assert not ClosingSuggestion.objects.exists()


def test_three_stages_in_order_then_assignment_and_second_round(km):
    item = submit(km, at(2025, 3, 10))
    with pytest.raises(ServiceError) as exc:
        review.decide(item, stage="committee", decision="approve")
    assert fields(exc) == {"stage": "out_of_order"}
    with pytest.raises(ServiceError) as exc:
        review.decide(item, stage="initial", decision="approve")
    assert set(fields(exc)) == {"urgency", "breadth", "importance"}  # scored first
    with pytest.raises(ServiceError) as exc:
        review.score(item, urgency=6, breadth=0, importance=3)
    assert fields(exc) == {"urgency": "out_of_range", "breadth": "out_of_range"}
    review.score(item, urgency=5, breadth=4, importance=3)
    with pytest.raises(ServiceError) as exc:
        review.assign(item, lead_unit=km.unit)
    assert fields(exc) == {"item": "out_of_order"}
    review.decide(item, stage="initial", decision="approve", note="符合条件")
    with pytest.raises(ServiceError) as exc:
        review.decide(item, stage="council", decision="approve")
    assert fields(exc) == {"stage": "out_of_order"}
    review.decide(item, stage="committee", decision="approve")
    item = review.decide(item, stage="council", decision="approve")
    assert item.status == "approved" and item.score == 12
    with pytest.raises(ServiceError) as exc:
        review.decide(item, stage="council", decision="approve")
    assert fields(exc) == {"stage": "out_of_order"}
    item = review.assign(item, lead_unit=km.unit, at=at(2025, 4, 1))
    s = item.suggestion
    assert item.status == "assigned" and s.status == "assigned" and s.lead_unit == km.unit and s.due_on == dt.date(2025, 7, 1)
    assert [d.stage for d in item.decisions.all()] == ["initial", "committee", "council"]
    # 复核 only for a dissatisfied answer; then 二次交办 with its own deadline.
    with pytest.raises(ServiceError) as exc:
        review.recheck(item, note="复核")
    assert fields(exc) == {"item": "out_of_order"}
    opinion_services.answer_suggestion(s, content="已列入计划", outcome="C", at=at(2025, 5, 1))
    opinion_services.rate_suggestion(s, deputy=km.deputies[0], satisfaction="dissatisfied", at=at(2025, 5, 3))
    review.recheck(item, note="答复未说明时限，二次交办")
    s.refresh_from_db()
    assert s.status == "rehandling" and s.round == 2 and s.due_on == dt.date(2025, 6, 3)
    assert item.decisions.filter(stage="recheck").count() == 1


def test_rejection_returns_with_reasons_and_resubmission_starts_again(km):
    item = submit(km, at(2025, 3, 10))
    review.score(item, urgency=2, breadth=2, importance=2)
    review.decide(item, stage="initial", decision="approve")
    with pytest.raises(ServiceError) as exc:
        review.decide(item, stage="committee", decision="reject")
    assert fields(exc) == {"note": "required"}
    item = review.decide(item, stage="committee", decision="reject", note="属于个案诉求，请按群众意见办理")
    assert item.status == "returned" and item.returned_reason.startswith("属于个案")
    with pytest.raises(ServiceError):
        review.decide(item, stage="initial", decision="approve")
    item = review.resubmit(item, content="修改后的建议", at=at(2025, 3, 25))
    assert (item.status, item.stage, item.review_month, item.score) == ("submitted", "initial", dt.date(2025, 4, 1), None)
    assert ReviewDecision.objects.filter(item=item).count() == 2  # the history stays


def test_qujing_cannot_decide_kunming_suggestion(km, qj_schema):
    item = submit(km, at(2025, 3, 10))
    with qj_schema():
        assert not ClosingSuggestion.objects.exists()
        with pytest.raises(ServiceError) as exc:
            review.score(item.pk, urgency=1, breadth=1, importance=1)
        assert fields(exc) == {"item": "not_found"}
    item.refresh_from_db()
    assert item.urgency is None
