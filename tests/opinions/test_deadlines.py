"""Deadlines on the official calendar, overdue computed, reminders and escalations in
the outbox (never twice), per-prefecture policy."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.platform.tasks import fan_out
from liaison.tenants.notifications.models import Notification
from liaison.tenants.opinions import selectors, services, tasks
from liaison.tenants.opinions.models import DeadlinePolicy, Opinion

from .conftest import STAFF, at

pytestmark = pytest.mark.django_db

D = dt.date


def referred(world, day="2026-09-28", level="township", unit=None):
    op = world.register(registered_at=at(day, 9))
    services.triage(op, category="urban_rural", jurisdiction_level=level, actor=STAFF, at=at(day, 10))
    services.refer(op, unit=unit or world.township_gov, actor=STAFF, at=at(day, 11))
    op.refresh_from_db()
    return op


def test_referral_over_the_national_day_week_lands_on_the_right_working_day(km):
    op = referred(km, "2026-09-28")
    # Sep 29, 30; Oct 1-7 off; Oct 8, 9, Sat 10 (worked), 12-16, 19-23 → Fri Oct 23.
    assert op.due_on == D(2026, 10, 23)
    op2 = referred(km, "2026-02-13")  # Fri before Spring Festival: Sat 14 worked, 15-23 off, Sat 28 worked
    assert op2.due_on == D(2026, 3, 12)


def test_overdue_is_computed_from_the_deadline_not_stored(km):
    op = referred(km)
    assert not selectors.is_overdue(op, D(2026, 10, 23))
    assert selectors.is_overdue(op, D(2026, 10, 24))
    assert list(selectors.overdue(D(2026, 10, 24))) == [op]
    assert not selectors.overdue(D(2026, 10, 23)).exists()
    assert selectors.queue(on=D(2026, 10, 26)).get(pk=op.pk).is_overdue is True
    # Extending the deadline makes it on time again, with no flag to clear.
    services.extend_deadline(op, new_due_on=D(2026, 11, 6), actor=STAFF, note="批准延期", at=at("2026-10-20"))
    assert not selectors.overdue(D(2026, 10, 26)).exists()
    services.reply(op, content="已修复", outcome="A", actor=STAFF, at=at("2026-11-10"))
    assert not selectors.overdue(D(2026, 11, 20)).exists()  # answered (late): no longer awaiting
    assert selectors.counts(on=D(2026, 11, 20)).replied_on_time == 0
    assert not any(f.name in ("overdue", "is_overdue") for f in Opinion._meta.get_fields())


def test_policy_per_prefecture_and_level(km, qj):
    DeadlinePolicy.objects.create(level="township", referral_working_days=10)
    assert referred(km).due_on == D(2026, 10, 16)
    assert referred(km, level="county", unit=km.county_transport).due_on == D(2026, 10, 23)  # default still 15
    from django_tenants.utils import schema_context

    with schema_context("qujing"):  # kunming's policy is kunming's only
        assert referred(qj).due_on == D(2026, 10, 23)


def outbox(**kw):
    return Notification.objects.filter(**kw)


def test_reminder_before_and_escalation_after_the_deadline_never_twice(km):
    op = referred(km)
    referral_notice = outbox(recipient_id=km.township_gov.pk, subject__startswith="交办")
    assert referral_notice.count() == 1
    services.send_deadline_notices(D(2026, 10, 19))  # more than 3 working days before Oct 23
    assert not outbox(subject__startswith="即将到期").exists()
    for day in (D(2026, 10, 20), D(2026, 10, 21), D(2026, 10, 23)):
        services.send_deadline_notices(day)
    reminders = outbox(subject__startswith="即将到期", recipient_kind="other", recipient_id=km.township_gov.pk)
    assert reminders.count() == 1 and "2026-10-23" in reminders.get().body
    services.send_deadline_notices(D(2026, 10, 26))
    services.send_deadline_notices(D(2026, 10, 26))
    services.send_deadline_notices(D(2026, 10, 27))
    escalations = outbox(subject__startswith="逾期督办")
    assert escalations.count() == 1
    assert escalations.get().recipient_id == km.county_committee.pk  # the level above the township
    op.refresh_from_db()
    assert op.status == "escalated"
    steps = [t for t in selectors.history(op) if t.action == "escalate"]
    assert len(steps) == 1 and steps[0].actor_kind == "system" and steps[0].data["to_level"] == "county"


def test_reopened_opinion_gets_its_own_reminders(km):
    op = referred(km)
    services.reply(op, content="已修复", outcome="A", actor=STAFF, at=at("2026-10-09"))
    services.deliver(op, to_citizen=True, actor=STAFF, at=at("2026-10-09", 15))
    services.rate(tracking_code=op.tracking_code, satisfaction="dissatisfied", at=at("2026-10-12"))
    op.refresh_from_db()
    assert op.due_on == D(2026, 11, 12)
    services.send_deadline_notices(D(2026, 11, 10))
    services.send_deadline_notices(D(2026, 11, 11))
    assert outbox(subject__startswith="即将到期").count() == 1
    assert outbox(subject__startswith="重新办理").count() == 1


def test_overdue_without_a_supervisor_goes_to_the_prefecture_admins(km):
    from liaison.platform.accounts.models import Membership, User
    from liaison.tenants.registry.models import Prefecture

    admin = User.objects.create_user(username="km-admin", email="admin@km.example")
    Membership.objects.create(user=admin, prefecture=Prefecture.objects.get(slug="kunming"), role="prefecture_admin")
    km.county_committee.supervises = False
    km.county_committee.save()
    km.prefecture_committee.supervises = False
    km.prefecture_committee.save()
    referred(km)
    services.send_deadline_notices(D(2026, 10, 26))
    services.send_deadline_notices(D(2026, 10, 26))
    notice = outbox(subject__startswith="逾期督办").get()
    assert (notice.recipient_kind, notice.recipient_id, notice.address, notice.channel) == ("user", admin.pk, "admin@km.example", "email")


def test_suggestion_reminders_and_overdue_notices(km):
    op = referred(km, level="county", unit=km.county_transport)
    s = services.convert_to_suggestion([op], lead_deputy=km.deputy, title="建议", content="内容", actor=STAFF, at=at("2026-09-29"))
    services.assign_suggestion(s, lead_unit=km.county_transport, actor=STAFF, at=at("2026-09-30"))
    s.refresh_from_db()
    assert s.due_on == D(2026, 12, 30)
    for day in (D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 4), D(2027, 1, 5)):
        services.send_deadline_notices(day)
    assert outbox(subject__startswith="代表建议即将到期").count() == 1
    notice = outbox(subject__startswith="代表建议逾期").get()
    assert notice.recipient_id == km.prefecture_committee.pk


def test_beat_fans_out_to_every_prefecture(km, qj, settings):
    referred(km)
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context("qujing"):
        referred(qj)
    connection.set_schema_to_public()
    # The beat entries exist and name tasks that are registered.
    from liaison.platform.celery import app

    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("opinions-")}
    assert {v["args"][0] for v in entries.values()} == {"opinions.send_deadline_notices", "opinions.close_unrated"}
    assert all(v["task"] == "liaison.fan_out" and v["args"][0] in app.tasks for v in entries.values())
    assert fan_out(tasks.send_deadline_notices) >= 2  # one task per prefecture, each in its own schema
