"""One opinion through every path of the loop, and the ledger rebuilt from its steps."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import selectors, services
from liaison.tenants.opinions.models import Opinion, Referral, Suggestion

from .conftest import APPROVER, STAFF, at

pytestmark = pytest.mark.django_db


def actions(op):
    return [t.action for t in selectors.history(op)]


def statuses(op):
    return [(t.from_status, t.to_status) for t in selectors.history(op)]


def test_resolved_path_register_triage_refer_reply_deliver_rate_close(km):
    op = km.register()
    assert op.status == "registered" and len(op.tracking_code) == 10
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    proposals = services.propose_route(op.pk)
    assert proposals[0].unit == km.township_gov  # township matter → the township government, by place and category
    referral = services.refer(op, unit=proposals[0].unit, actor=STAFF, note="请核实修复", at=at("2026-09-28", 11))
    assert referral.due_on == dt.date(2026, 10, 23)  # 15 working days over the National Day week
    reply = services.reply(op, content="已更换路灯 12 盏，恢复照明。", outcome="A", actor=STAFF, at=at("2026-10-20"))
    assert reply.due_on == dt.date(2026, 10, 23)
    with pytest.raises(ServiceError) as exc:  # cannot close before the reply reached anyone
        services.close(op, actor=STAFF, at=at("2026-10-21"))
    assert exc.value.errors[0].code == "not_delivered"
    services.deliver(op, to_citizen=True, to_deputy=False, actor=STAFF, at=at("2026-10-21"))
    services.rate(tracking_code=op.tracking_code, satisfaction="satisfied", at=at("2026-10-22"))
    op.refresh_from_db()
    assert op.status == "closed" and op.closed_reason == "rated"
    assert actions(op) == ["register", "triage", "refer", "reply", "deliver", "rate", "close"]
    assert statuses(op)[-1] == ("replied", "closed")
    steps = selectors.history(op)
    assert all(t.at and t.actor_kind for t in steps)
    assert steps[2].actor_label == "站长王某" and steps[2].note == "请核实修复"
    assert steps[5].actor_kind == "citizen"
    row = selectors.ledger_rows(Opinion.objects.filter(pk=op.pk))[0]
    assert row["outcome"].startswith("A") and row["on_time"] == "是" and row["citizen_satisfaction"] == "满意"
    assert row["steps"].count("\n") == 6 and "refer triaged→referred (站长王某): 请核实修复" in row["steps"]


def test_explained_path_is_a_reply_and_closes_unrated_after_the_window(km):
    op = km.register(title="劳动仲裁结果不服", content="对劳动仲裁裁决不服，要求代表帮忙改判。")
    services.triage(op, category="law_social_security", jurisdiction_level="not_acceptable", actor=STAFF, at=at("2026-09-28", 10))
    with pytest.raises(ServiceError) as exc:
        services.refer(op, unit=km.county_committee, actor=STAFF, at=at("2026-09-28", 11))
    assert exc.value.errors[0].field == "jurisdiction_level"
    assert services.propose_route(op) == []
    reply = services.reply(op, kind="explanation", content="已进入仲裁程序，依法引导其向人民法院提起诉讼。", actor=STAFF,
                           at=at("2026-09-29"))
    assert reply.outcome == "D"
    services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-09-29", 15))
    assert not services.close_unrated(op, at=at("2026-10-10"))  # within the 15-day rating window
    assert services.close_all_unrated(at=at("2026-10-20")) == 1
    op.refresh_from_db()
    assert op.status == "closed" and op.closed_reason == "unrated"
    assert actions(op) == ["register", "triage", "explain", "deliver", "close"]


def test_explanation_straight_from_registration(km):
    op = km.register()
    services.reply(op, kind="explanation", content="属于诉讼中事项，已告知依法维权途径。", actor=STAFF, at=at("2026-09-28", 12))
    op.refresh_from_db()
    assert op.status == "replied" and op.jurisdiction_level == "not_acceptable"


def test_rehandled_after_dissatisfied_citizen(km):
    op = km.register(deputy=km.deputy, channel="deputy")
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    services.reply(op, content="已列入明年计划。", outcome="C", actor=STAFF, at=at("2026-10-09"))
    services.deliver(op, to_citizen=True, to_deputy=True, actor=STAFF, at=at("2026-10-09", 15))
    services.rate(tracking_code=op.tracking_code, satisfaction="dissatisfied", comment="等不了一年", at=at("2026-10-12"))
    op.refresh_from_db()
    assert op.status == "reopened" and op.round == 2
    assert op.due_on == dt.date(2026, 11, 12)  # re-handled within 1 month
    active = op.referrals.get(state="active")
    assert active.unit == km.township_gov and active.round == 2
    # The deputy cannot rate the old reply any more: it is no longer awaiting a rating.
    with pytest.raises(ServiceError):
        services.rate(opinion=op, deputy=km.deputy, satisfaction="satisfied", at=at("2026-10-13"))
    services.reply(op, content="已协调资金，本月修复。", outcome="A", actor=STAFF, at=at("2026-10-30"))
    services.deliver(op, to_citizen=True, to_deputy=True, actor=STAFF, at=at("2026-10-30", 15))
    services.rate(tracking_code=op.tracking_code, satisfaction="basically", at=at("2026-11-02"))
    op.refresh_from_db()
    assert op.status == "replied"  # the deputy was delivered the reply too and has not rated yet
    services.rate(opinion=op.pk, deputy=km.deputy, satisfaction="satisfied", at=at("2026-11-03"))
    op.refresh_from_db()
    assert op.status == "closed" and op.closed_reason == "rated"
    assert actions(op) == ["register", "triage", "refer", "reply", "deliver", "rate", "reopen", "reply", "deliver",
                           "rate", "rate", "close"]
    assert [r.round for r in op.replies.order_by("replied_at")] == [1, 2]


def test_converted_to_a_deputy_suggestion(km):
    a = km.register(title="县道拓宽", content="县道 X101 狭窄，大车会车困难，建议拓宽改造。")
    b = km.register(title="X101 县道太窄", content="X101 县道狭窄，会车困难，请拓宽。")
    for op in (a, b):
        services.triage(op, category="transport", jurisdiction_level="county", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(a, unit=km.county_transport, actor=STAFF, at=at("2026-09-28", 11))
    s = services.convert_to_suggestion([a.pk, b.pk], lead_deputy=km.deputy, co_signers=[km.other_deputy],
                                       title="关于拓宽县道 X101 的建议", content="……", actor=STAFF, at=at("2026-09-29"))
    assert s.number == "2026-0001" and s.status == "filed" and s.level == "county"
    assert set(s.co_signers.all()) == {km.other_deputy}
    a.refresh_from_db()
    assert a.status == "converted" and a.referrals.get().state == "superseded"
    with pytest.raises(ServiceError):  # answered through the suggestion, not directly
        services.reply(a, content="x", outcome="A", actor=STAFF, at=at("2026-09-30"))
    services.assign_suggestion(s, lead_unit=km.county_transport, co_units=[km.township_gov], actor=STAFF, at=at("2026-10-09"))
    s.refresh_from_db()
    assert (s.due_on, s.max_due_on) == (dt.date(2027, 1, 9), dt.date(2027, 4, 9))
    a.refresh_from_db()
    assert a.due_on == s.due_on
    progress = selectors.suggestion_progress(a)
    assert progress.status == "assigned" and progress.lead_unit == km.county_transport.name
    with pytest.raises(ServiceError) as exc:  # at most 6 months
        services.extend_deadline(a, new_due_on=dt.date(2027, 5, 1), actor=APPROVER, note="工程量大", at=at("2026-12-01"))
    assert exc.value.errors[0].code == "too_late"
    services.extend_deadline(a, new_due_on=dt.date(2027, 3, 31), actor=APPROVER, note="工程量大", at=at("2026-12-01"))
    s.refresh_from_db()
    b.refresh_from_db()
    assert s.due_on == b.due_on == dt.date(2027, 3, 31) and s.extension_approved_by == APPROVER.label
    services.answer_suggestion(s, content="已列入 2027 年县道改造计划。", outcome="C", actor=STAFF, at=at("2027-01-05"))
    services.rate_suggestion(s, deputy=km.deputy, satisfaction="dissatisfied", comment="请明确开工时间", at=at("2027-01-10"))
    s.refresh_from_db()
    assert s.status == "rehandling" and s.round == 2 and s.due_on == dt.date(2027, 2, 10)
    with pytest.raises(ServiceError) as exc:  # only the lead deputy rates a suggestion
        services.rate_suggestion(s, deputy=km.other_deputy, satisfaction="satisfied")
    assert exc.value.errors[0].code == "not_concerned"
    for op in (a, b):  # the opinions got the first answer as their reply
        op.refresh_from_db()
        assert op.status == "replied" and op.replies.get().kind == "suggestion_answer"
    services.answer_suggestion(s, content="定于 2027 年 4 月开工。", outcome="B", actor=STAFF, at=at("2027-02-01"))
    services.rate_suggestion(s, deputy=km.deputy, satisfaction="satisfied", at=at("2027-02-03"))
    s.refresh_from_db()
    assert s.status == "closed" and s.deputy_satisfaction == "satisfied"
    assert [t.action for t in selectors.suggestion_history(s)] == [
        "file_suggestion", "assign_suggestion", "extend_suggestion_deadline", "answer_suggestion", "rate_suggestion",
        "answer_suggestion", "rate_suggestion"]
    services.deliver(a, to_citizen=True, actor=STAFF, at=at("2027-02-04"))
    services.rate(tracking_code=a.tracking_code, satisfaction="satisfied", at=at("2027-02-05"))
    a.refresh_from_db()
    assert a.status == "closed"
    assert selectors.counts().converted == 2


def test_extension_of_a_referral_is_bounded_and_approved(km):
    op = km.register()
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    with pytest.raises(ServiceError) as exc:
        services.extend_deadline(op, new_due_on=dt.date(2026, 9, 1), actor=APPROVER, note="x", at=at("2026-10-12"))
    assert exc.value.errors[0].code == "before_registration"
    with pytest.raises(ServiceError) as exc:
        services.extend_deadline(op, new_due_on=dt.date(2026, 11, 30), actor=APPROVER, note="x", at=at("2026-10-12"))
    assert exc.value.errors[0].code == "too_late"  # 15 more working days from Oct 23 is Nov 13
    with pytest.raises(ServiceError) as exc:
        services.extend_deadline(op, new_due_on=dt.date(2026, 11, 13), actor=APPROVER, at=at("2026-10-12"))
    assert exc.value.errors[0].field == "note"
    services.extend_deadline(op, new_due_on=dt.date(2026, 11, 13), actor=APPROVER, note="需采购灯具", at=at("2026-10-12"))
    op.refresh_from_db()
    ref = op.referrals.get()
    assert op.due_on == ref.due_on == dt.date(2026, 11, 13) and ref.original_due_on == dt.date(2026, 10, 23)
    assert ref.extension_approved_by == APPROVER.label
    assert actions(op)[-1] == "extend_deadline"


def test_duplicates_are_linked_and_answered_once(km):
    first = km.register()
    services.triage(first, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    second = km.register(citizen_name="李四", citizen_phone="13700000000", title="幸福村路灯坏了",
                         content="幸福村主干道路灯坏了好几个月，晚上出行不便，请修复。", registered_at=at("2026-09-28", 12))
    similar = selectors.similar_opinions(second)
    assert similar and similar[0][0] == first
    unrelated = km.register(title="学校食堂", content="希望中学食堂增加窗口。", registered_at=at("2026-09-28", 12))
    assert first not in [o for o, _ in selectors.similar_opinions(unrelated)]
    services.link_duplicate(second, primary=first, actor=STAFF, at=at("2026-09-28", 13))
    with pytest.raises(ServiceError) as exc:
        services.refer(second, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 14))
    assert exc.value.errors[0].code == "duplicate"
    services.refer(first, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 14))
    services.reply(first, content="已修复。", outcome="A", actor=STAFF, at=at("2026-10-09"))
    second.refresh_from_db()
    assert second.status == "replied" and second.replies.get().content == "已修复。"
    assert actions(second) == ["register", "link_duplicate", "reply_via_primary"]
    with pytest.raises(ServiceError):
        services.link_duplicate(first, primary=first, actor=STAFF)


def test_manual_escalation_goes_to_the_supervisor_above(km):
    from liaison.tenants.notifications.models import Notification

    op = km.register()
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    with pytest.raises(ServiceError):
        services.escalate(op, actor=STAFF, note="", at=at("2026-10-01"))
    services.escalate(op, actor=STAFF, note="群众多次来访", at=at("2026-10-01"))
    op.refresh_from_db()
    assert op.status == "escalated"
    step = selectors.history(op).last()
    assert step.data["to_level"] == "county" and step.data["supervisor_id"] == km.county_committee.pk
    assert Notification.objects.filter(recipient_kind="other", recipient_id=km.county_committee.pk, subject__startswith="督办").count() == 1
    services.escalate(op, actor=STAFF, note="县里也未答复", at=at("2026-10-02"))
    assert selectors.history(op).last().data["to_level"] == "prefecture"
    services.reply(op, content="已修复。", outcome="A", actor=STAFF, at=at("2026-10-09"))
    op.refresh_from_db()
    assert op.status == "replied"


def test_every_path_that_closes_had_a_delivered_reply(km):
    """Across all the paths above: no opinion is closed without a delivered reply."""
    test_resolved_path_register_triage_refer_reply_deliver_rate_close(km)
    test_explained_path_is_a_reply_and_closes_unrated_after_the_window(km)
    for op in Opinion.objects.filter(status="closed"):
        last = selectors.latest_reply(op)
        assert last is not None and last.delivered
    assert Referral.objects.filter(state="active", opinion__status="closed").count() == 0
    assert Suggestion.objects.count() == 0
