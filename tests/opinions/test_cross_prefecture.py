"""Referral to another prefecture: the receiver sees it in its own queue, the sender keeps
the history, the reply flows back, and nothing else crosses."""
from __future__ import annotations

import datetime as dt

import pytest
from django_tenants.utils import schema_context

from liaison.platform.province.models import CrossReferral
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import selectors, services
from liaison.tenants.opinions.models import Opinion

from .conftest import STAFF, at

pytestmark = pytest.mark.django_db


def test_qujing_citizen_matter_belonging_to_kunming_goes_there_and_the_reply_comes_back(km, qj):
    with schema_context("qujing"):
        op = qj.register(title="昆明某小区物业问题", content="在昆明工作期间居住的小区物业乱收费，希望昆明有关部门处理。",
                         citizen_name="王五", citizen_phone="13811112222")
        services.triage(op, category="urban_rural", jurisdiction_level="prefecture", actor=STAFF, at=at("2026-09-28", 10))
        link = services.refer_to_prefecture(op, prefecture="kunming", actor=STAFF, note="属昆明市管辖", at=at("2026-09-28", 11))
        op.refresh_from_db()
        assert op.status == "referred" and op.due_on == dt.date(2026, 10, 23)
        assert (link.from_schema, link.from_id, link.to_schema) == ("qujing", op.pk, "kunming")
        with pytest.raises(ServiceError):  # the answer comes from kunming, not from qujing's own units
            services.reply(op, content="x", outcome="A", actor=STAFF, at=at("2026-09-29"))
    link.refresh_from_db()
    assert link.status == "referred" and link.to_id
    # Kunming sees it in its own queue, tagged with its origin, with no citizen data.
    queue = selectors.queue(received_from_other_prefectures=True)
    copy = queue.get()
    assert (copy.origin_schema, copy.origin_id, copy.cross_referral_id) == ("qujing", op.pk, link.pk)
    assert copy.pk == link.to_id and copy.title == op.title and copy.status == "registered"
    assert copy.citizen_name == "" and copy.citizen_phone == "" and copy.deputy_id is None and copy.position_id is None
    assert copy.tracking_code != op.tracking_code
    from liaison.tenants.notifications.models import Notification

    notice = Notification.objects.get(subject__startswith="外州市转来意见")
    assert notice.recipient_id == km.prefecture_committee.pk and "王五" not in notice.body
    with pytest.raises(ServiceError):  # the citizen's code means nothing in kunming
        selectors.track(op.tracking_code)
    # Kunming handles it as its own: triage, refer to its unit, reply.
    services.triage(copy, category="urban_rural", jurisdiction_level="prefecture", actor=STAFF, at=at("2026-09-29"))
    services.refer(copy, unit=km.prefecture_committee, actor=STAFF, at=at("2026-09-29", 11))
    services.reply(copy, content="已责成物业退还多收费用。", outcome="A", actor=STAFF, at=at("2026-10-16"))
    copy.refresh_from_db()
    assert copy.status == "replied" and copy.replies.get().delivered_to_origin_at is not None
    link.refresh_from_db()
    assert link.status == "replied"
    with schema_context("qujing"):
        op.refresh_from_db()
        assert op.status == "replied"
        back = op.replies.get()
        assert (back.kind, back.from_schema, back.content, back.outcome) == ("from_prefecture", "kunming", "已责成物业退还多收费用。", "A")
        assert [t.action for t in selectors.history(op)] == ["register", "triage", "refer_to_prefecture", "reply_from_prefecture"]
        services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-17"))
        services.rate(tracking_code=op.tracking_code, satisfaction="dissatisfied", comment="还没退", at=at("2026-10-19"))
        op.refresh_from_db()
        assert op.status == "reopened" and op.referrals.get(state="active").to_schema == "kunming"
    # Dissatisfaction sends kunming's copy round again (1 month); its answer flows back again.
    copy.refresh_from_db()
    assert copy.status == "reopened" and copy.due_on == dt.date(2026, 11, 19)
    services.reply(copy, content="已退还，附收据。", outcome="A", actor=STAFF, at=at("2026-10-30"))
    with schema_context("qujing"):
        op.refresh_from_db()
        assert op.status == "replied" and op.replies.count() == 2
        services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-30", 15))
        services.rate(tracking_code=op.tracking_code, satisfaction="satisfied", at=at("2026-11-02"))
        op.refresh_from_db()
        assert op.status == "closed"
    copy.refresh_from_db()
    link.refresh_from_db()
    assert copy.status == "closed" and copy.closed_reason == "origin_closed" and link.status == "closed"
    # Kunming's history of the copy never names the citizen or the rating comment.
    text = " ".join(f"{t.note} {t.data}" for t in selectors.history(copy))
    assert "王五" not in text and "13811112222" not in text and "还没退" not in text


def test_cross_referral_guards(km, qj):
    with schema_context("qujing"):
        op = qj.register()
        for target, code in (("qujing", "same_prefecture"), ("nowhere", "not_found")):
            with pytest.raises(ServiceError) as exc:
                services.refer_to_prefecture(op, prefecture=target, actor=STAFF, at=at("2026-09-28", 11))
            assert exc.value.errors[0].code == code
        services.refer_to_prefecture(op, prefecture="kunming", actor=STAFF, at=at("2026-09-28", 11))
        assert CrossReferral.objects.count() == 1
    copy = Opinion.objects.get(origin_schema="qujing")
    with pytest.raises(ServiceError) as exc:  # no chains: a copy goes back, not on to a third prefecture
        services.refer_to_prefecture(copy, prefecture="qujing", actor=STAFF, at=at("2026-09-29"))
    assert exc.value.errors[0].code == "cross_referral"
    with pytest.raises(ServiceError):  # nobody rates a copy: there is no citizen on this side
        services.rate(tracking_code=copy.tracking_code, satisfaction="satisfied")


def test_personal_data_typed_into_the_text_does_not_cross_to_the_other_prefecture(km, qj):
    with schema_context("qujing"):
        op = qj.register(title="王五的物业问题", content="我是王五，电话13811112222，另有座机0874-3123456。",
                         citizen_name="王五", citizen_phone="13811112222")
        services.triage(op, category="urban_rural", jurisdiction_level="prefecture", actor=STAFF, at=at("2026-09-28", 10))
        link = services.refer_to_prefecture(op, prefecture="kunming", actor=STAFF, note="请联系王五 13811112222",
                                            at=at("2026-09-28", 11))
    with schema_context("kunming"):
        copy = Opinion.objects.get(pk=link.to_id)
        received = copy.transitions.get(action="receive_from_prefecture")
        crossed = " ".join([copy.title, copy.content, received.note])
        assert "王五" not in crossed and "13811112222" not in crossed and "3123456" not in crossed
        assert "138****2222" in crossed and "请联系" in received.note   # the instruction itself still crosses
