"""Bad input and illegal transitions: a clear, field-named error and nothing changed.
Public tracking shows only what it should. The change event is sent after commit only."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import selectors, services
from liaison.tenants.opinions.models import TRACKING_ALPHABET, Opinion, Transition
from liaison.tenants.common import changes

from .conftest import STAFF, at

pytestmark = pytest.mark.django_db


def fields_of(exc) -> set[str]:
    return {e.field for e in exc.value.errors}


def snapshot(op):
    op.refresh_from_db()
    return ({f.attname: getattr(op, f.attname) for f in Opinion._meta.concrete_fields if f.attname != "updated_at"},
            Transition.objects.count(), op.replies.count(), op.referrals.count())


def test_register_rejects_bad_input_with_field_names_and_writes_nothing(km):
    before = Opinion.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.register(channel="fax", title="", content=" ", citizen_phone="call me", actor=STAFF)
    assert fields_of(exc) >= {"channel", "title", "content", "citizen_phone", "position"}
    with pytest.raises(ServiceError) as exc:
        services.register(channel="deputy", title="t", content="c", position=km.station, actor=STAFF)
    assert fields_of(exc) == {"deputy"}
    with pytest.raises(ServiceError) as exc:
        services.register(channel="reception", title="t", content="c", position=999999, category="nope", actor=STAFF)
    assert fields_of(exc) == {"position", "category"}
    with pytest.raises(ServiceError) as exc:
        services.register(channel="reception", title="t", content="c", position=km.station,
                          registered_at=at("2030-01-01"), actor=STAFF)
    assert fields_of(exc) == {"registered_at"}
    with pytest.raises(ServiceError) as exc:
        services.register(channel="reception", title="t", content="c", position=km.station, division=km.root.children.exclude(pk=km.county.pk).first(), actor=STAFF)
    assert fields_of(exc) == {"division"}
    assert Opinion.objects.count() == before


def test_tracking_codes_are_unguessable_and_unambiguous(km):
    codes = {km.register(registered_at=at("2026-09-28", 9)).tracking_code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 10 and set(c) <= set(TRACKING_ALPHABET) for c in codes)
    assert not set("01OIL") & set("".join(codes))


def test_idempotency_key_makes_a_retried_submission_land_once(km):
    first = km.register(idempotency_key="mini-program-req-42")
    again = km.register(idempotency_key="mini-program-req-42")
    assert again.pk == first.pk and Opinion.objects.count() == 1
    with pytest.raises(ServiceError) as exc:
        km.register(idempotency_key="mini-program-req-42", content="另一件事")
    assert exc.value.errors[0].field == "idempotency_key"


def test_attachments_are_stored_and_bounded(km, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    op = km.register(attachments=[{"name": "照片.jpg", "content": b"\xff\xd8jpeg", "content_type": "image/jpeg"},
                                  {"name": "原件", "url": "https://example.org/a.pdf"}])
    files = list(op.attachments.all())
    assert [a.name for a in files] == ["照片.jpg", "原件"] and files[0].size == 6
    assert files[0].file.name.startswith(f"opinions/kunming/{op.pk}/")
    with pytest.raises(ServiceError) as exc:
        services.add_attachments(op, attachments=[{"name": "", "url": "ftp://x"}], actor=STAFF)
    assert fields_of(exc) == {"attachments.0.name", "attachments.0.url"}
    services.add_attachments(op, attachments=[{"name": "补充.txt", "content": b"more"}], actor=STAFF)
    assert op.attachments.count() == 3


@pytest.mark.parametrize("step", ["triage", "refer", "reply", "deliver", "rate", "close", "reopen", "escalate", "extend"])
def test_illegal_transitions_change_nothing(km, step):
    op = km.register()
    calls = {
        "triage": lambda: services.triage(op, category="nope", jurisdiction_level="galaxy", actor=STAFF),
        "refer": lambda: services.refer(op, unit=km.township_gov, actor=STAFF),  # not triaged yet
        "reply": lambda: services.reply(op, content="已办", outcome="A", actor=STAFF),  # not referred
        "deliver": lambda: services.deliver(op, to_citizen=True, actor=STAFF),  # nothing to deliver
        "rate": lambda: services.rate(tracking_code=op.tracking_code, satisfaction="satisfied"),
        "close": lambda: services.close(op, actor=STAFF),  # no delivered reply
        "reopen": lambda: services.reopen(op, actor=STAFF, note="x"),
        "escalate": lambda: services.escalate(op, actor=STAFF, note="x"),
        "extend": lambda: services.extend_deadline(op, new_due_on=dt.date(2026, 12, 1), actor=STAFF, note="x"),
    }
    before = snapshot(op)
    with pytest.raises(ServiceError) as exc:
        calls[step]()
    assert exc.value.errors and all(e.field and e.message for e in exc.value.errors)
    assert snapshot(op) == before


def test_an_opinion_never_closes_without_a_delivered_reply_from_any_state(km):
    """Drive one opinion through each state and try to close it there."""
    op = km.register()

    def cannot_close():
        before = snapshot(op)
        for attempt in (lambda: services.close(op, actor=STAFF, at=at("2026-12-31")),
                        lambda: services.close_unrated(op, at=at("2026-12-31"))):
            try:
                result = attempt()
            except ServiceError:
                result = False
            assert result in (False,) or (isinstance(result, Opinion) and result.status != "closed")
        assert snapshot(op) == before

    cannot_close()  # registered
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    cannot_close()  # triaged
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    cannot_close()  # referred
    services.escalate(op, actor=STAFF, note="催办", at=at("2026-10-01"))
    cannot_close()  # escalated
    services.reply(op, content="已修复", outcome="A", actor=STAFF, at=at("2026-10-09"))
    cannot_close()  # replied, not delivered
    services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-09", 15))
    services.rate(tracking_code=op.tracking_code, satisfaction="dissatisfied", at=at("2026-10-10"))
    cannot_close()  # reopened
    services.reply(op, content="再次修复", outcome="A", actor=STAFF, at=at("2026-10-20"))
    cannot_close()  # replied again, the new reply not delivered
    services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-20", 15))
    with pytest.raises(ServiceError) as exc:  # delivered but still inside the rating window
        services.close(op, actor=STAFF, at=at("2026-10-22"))
    assert exc.value.errors[0].code == "awaiting_rating"
    services.close(op, actor=STAFF, at=at("2026-11-10"))
    op.refresh_from_db()
    assert op.status == "closed" and op.closed_reason == "unrated"


def test_replies_need_content_and_a_valid_outcome(km):
    op = km.register()
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    before = snapshot(op)
    with pytest.raises(ServiceError) as exc:
        services.reply(op, content="   ", outcome="Z", actor=STAFF)
    assert fields_of(exc) == {"content", "outcome"}
    with pytest.raises(ServiceError) as exc:
        services.reply(op, content="解释", outcome="A", kind="explanation", actor=STAFF)
    assert fields_of(exc) == {"outcome"}
    with pytest.raises(ServiceError) as exc:
        services.reply(op, content="早于登记", outcome="A", actor=STAFF, at=at("2026-09-01"))
    assert exc.value.errors[0].code == "before_registration"
    assert snapshot(op) == before


def test_deadlines_before_registration_are_refused(km):
    op = km.register()
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    with pytest.raises(ServiceError) as exc:
        services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11), due_on=dt.date(2026, 9, 1))
    assert exc.value.errors[0].field == "due_on" and exc.value.errors[0].code == "before_registration"
    with pytest.raises(ServiceError) as exc:
        services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-20"))
    assert exc.value.errors[0].code == "before_registration"
    assert op.referrals.count() == 0


def test_only_the_citizen_or_the_deputy_concerned_may_rate(km):
    op = km.register(channel="deputy", deputy=km.deputy)
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    services.reply(op, content="已修复", outcome="A", actor=STAFF, at=at("2026-10-09"))
    with pytest.raises(ServiceError) as exc:  # delivered to nobody yet
        services.rate(tracking_code=op.tracking_code, satisfaction="satisfied")
    assert exc.value.errors[0].code == "not_delivered"
    services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-09", 15))
    before = snapshot(op)
    for kwargs, field, code in (
        (dict(opinion=op, deputy=km.other_deputy), "rater", "not_concerned"),
        (dict(opinion=op, deputy=km.deputy), "reply", "not_delivered"),  # the deputy was not delivered the reply
        (dict(opinion=op), "rater", "required"),  # staff cannot rate on anyone's behalf
        (dict(tracking_code="ZZZZZZZZZZ"), "tracking_code", "not_found"),
        (dict(tracking_code=op.tracking_code, deputy=km.deputy), "rater", "ambiguous"),
    ):
        with pytest.raises(ServiceError) as exc:
            services.rate(satisfaction="satisfied", **kwargs)
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == (field, code)
    with pytest.raises(ServiceError) as exc:
        services.rate(tracking_code=op.tracking_code, satisfaction="great")
    assert exc.value.errors[0].field == "satisfaction"
    assert snapshot(op) == before
    services.rate(tracking_code=op.tracking_code.lower(), satisfaction="satisfied", at=at("2026-10-10"))
    with pytest.raises(ServiceError) as exc:
        services.rate(tracking_code=op.tracking_code, satisfaction="satisfied")
    assert exc.value.errors[0].field == "status"


def test_public_tracking_shows_status_dates_and_reply_only(km):
    op = km.register(citizen_name="赵六", citizen_phone="13500001111")
    services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, note="内部意见：该村支书处理不力", at=at("2026-09-28", 11))
    view = selectors.track(op.tracking_code)
    assert (view.status, view.due_on, view.reply, view.can_rate) == ("referred", dt.date(2026, 10, 23), None, False)
    services.reply(op, content="已更换路灯。", outcome="A", actor=STAFF, at=at("2026-10-09"))
    assert selectors.track(op.tracking_code).reply is None  # recorded, but not yet delivered to the citizen
    services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-09", 15))
    view = selectors.track(f" {op.tracking_code.lower()} ")
    assert view.status == "replied" and view.reply.content == "已更换路灯。" and view.reply.outcome == "A" and view.can_rate
    flat = repr(dataclasses.asdict(view))
    for secret in ("赵六", "13500001111", "内部意见", km.township_gov.name, km.station.name, "站长王某"):
        assert secret not in flat

    def numbers(value):  # the opinion's id is never shown (dates may contain the same digits)
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        return [value] if isinstance(value, int) and not isinstance(value, bool) else []

    assert op.pk not in numbers(dataclasses.asdict(view))
    assert {f.name for f in dataclasses.fields(view)} == {
        "tracking_code", "status", "status_label", "registered_at", "referred_at", "due_on", "replied_at", "closed_at",
        "reply", "can_rate", "suggestion_status", "suggestion_status_label"}
    for bad, code in (("NOSUCHCODE", "not_found"), ("", "required")):
        with pytest.raises(ServiceError) as exc:
            selectors.track(bad)
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("tracking_code", code)


def test_personal_data_is_masked_for_readers_without_the_right(km):
    op = km.register(citizen_name="欧阳娜娜", citizen_phone="13812345678")
    assert selectors.citizen_of(op, personal=False) == {"name": "欧***", "phone": "138****5678"}
    assert selectors.citizen_of(op, personal=True) == {"name": "欧阳娜娜", "phone": "13812345678"}
    row = selectors.ledger_rows(Opinion.objects.filter(pk=op.pk), personal=False)[0]
    assert row["citizen_name"] == "欧***" and row["citizen_phone"] == "138****5678"


def test_the_change_event_is_sent_after_commit_only(km, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, changes, **kw):
        received.append(sorted((c.schema, c.kind, sorted(c.ids)) for c in changes if c.kind == "opinions.opinion"))

    changes.committed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            op = km.register()
        assert received == [[("kunming", "opinions.opinion", [op.pk])]]  # one event, not one per write
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(ServiceError):
                services.refer(op, unit=km.township_gov, actor=STAFF)
        assert len(received) == 1  # a refused step sends nothing
        with django_capture_on_commit_callbacks(execute=True):
            services.triage(op, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
        assert received[-1] == [("kunming", "opinions.opinion", [op.pk])] and len(received) == 2
        assert connection.schema_name == "kunming"
    finally:
        changes.committed.disconnect(listener)
