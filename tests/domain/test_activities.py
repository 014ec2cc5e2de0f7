"""A reception day end to end: plan, announce, remind (outbox + console), sign in, record,
and the performance record adds up. Plus the rules that refuse bad input."""
from __future__ import annotations

import datetime as dt

import pytest
from django_tenants.utils import schema_context

from liaison.tenants.activities import selectors, services
from liaison.tenants.activities.models import Event, Reception, SignIn, Visitor
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.notifications.models import Notification
from liaison.tenants.positions import services as position_services

from .conftest import aware

pytestmark = pytest.mark.django_db


def fields(exc) -> dict:
    return {e.field: e.code for e in exc.value.errors}


@pytest.fixture
def station(tree):
    home = position_services.create_position(code="H-A", name="甲县代表之家", tier="home", division=tree.county_a, status="open",
                                             status_on=dt.date(2023, 1, 1))
    return position_services.create_position(code="S-1", name="甲镇代表工作站", tier="station", division=tree.t1, parent=home,
                                             status="open", status_on=dt.date(2023, 1, 1), address="甲镇人民路1号")


@pytest.fixture
def three_deputies(tree, station, make_deputy):
    deputies = [make_deputy(tree.t1, level="county", name="张代表"),
                make_deputy(tree.t1, level="township", name="李代表", email="li@example.cn"),
                make_deputy(tree.t1, level="provincial", name="王代表")]
    for d in deputies:
        deputy_services.station_deputy(d, station, start_on=dt.date(2023, 1, 1))
    return deputies


def test_reception_day_end_to_end(station, three_deputies, make_deputy, tree, django_capture_on_commit_callbacks, capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    zhang, li, wang = three_deputies
    plan = services.save_plan(station, 2025, title="2025年甲镇代表工作站活动计划", reception_days_planned=12)
    starts = aware(2025, 3, 15, 9, 0)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.schedule_reception_day(station, starts_at=starts, ends_at=aware(2025, 3, 15, 12, 0), plan=plan,
                                                deputies=[zhang, li])
        # announced 5 days ahead: no warning; both scheduled deputies are told
        result = services.announce_event(event, at=aware(2025, 3, 10, 9, 0))
    assert result.warnings == [] and result.notified == 2
    assert event.place == "甲镇人民路1号" and event.title == "甲镇代表工作站接待日"

    # beat runs every 15 minutes: nothing due yet on the 11th, the 3-day reminder on the 12th, once
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=aware(2025, 3, 11, 9, 0)) == 0
        assert services.send_due_reminders(now=aware(2025, 3, 12, 9, 0)) == 2
        assert services.send_due_reminders(now=aware(2025, 3, 12, 9, 15)) == 0
        assert services.send_due_reminders(now=aware(2025, 3, 14, 9, 0)) == 2   # the 1-day reminder
        assert services.send_due_reminders(now=aware(2025, 3, 14, 20, 0)) == 0
    reminders = Notification.objects.filter(dedupe_key__contains=f"event:{event.pk}:").order_by("id")
    assert sorted(reminders.values_list("dedupe_key", flat=True)) == sorted(
        f"event:{event.pk}:202503150900:deputy:{d.pk}:{p}" for d in (zhang, li) for p in ("announce", "remind3d", "remind1d"))
    assert set(reminders.values_list("status", flat=True)) == {"sent"}
    assert set(reminders.filter(recipient_id=li.pk).values_list("channel", flat=True)) == {"email"}
    assert set(reminders.filter(recipient_id=zhang.pk).values_list("channel", flat=True)) == {"console"}
    out = capsys.readouterr().out
    assert "3 天后活动提醒：甲镇代表工作站接待日" in out and "明天活动提醒：甲镇代表工作站接待日" in out and "张代表" in out
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["li@example.cn"]] * 3

    # sign-in: scheduled deputies only, within the event's time
    services.sign_in(event, zhang, at=aware(2025, 3, 15, 8, 50))
    services.sign_in(event, li, at=aware(2025, 3, 15, 9, 5))
    with pytest.raises(ServiceError) as exc:
        services.sign_in(event, wang, at=aware(2025, 3, 15, 9, 10))
    assert fields(exc) == {"deputy": "not_scheduled"}
    with pytest.raises(ServiceError) as exc:
        services.sign_in(event, zhang, at=aware(2025, 3, 15, 9, 10))
    assert fields(exc) == {"deputy": "already_signed_in"}
    event.refresh_from_db()
    assert event.status == "held"
    assert selectors.attendance(event) == {"scheduled": 2, "signed_in": 2, "absent": []}

    # receptions: numbers, and who where given
    services.record_reception(event, deputy=zhang, people_received=5, summary="反映道路问题",
                              visitors=[{"name": "赵群众", "phone": "13900000000", "matter": "村道破损"}],
                              recorded_at=aware(2025, 3, 15, 12, 10))
    services.record_reception(event, deputy=li, people_received=3, recorded_at=aware(2025, 3, 15, 12, 15))
    assert Visitor.objects.get().name == "赵群众"

    # another activity in the same year, and one the year before that must not count
    visit = services.schedule_event(station, kind="visit", title="走访困难群众", starts_at=aware(2025, 5, 1, 14, 0),
                                    ends_at=aware(2025, 5, 1, 17, 0), deputies=[zhang])
    services.sign_in(visit, zhang, at=aware(2025, 5, 1, 14, 0))
    old = services.schedule_reception_day(station, starts_at=aware(2024, 12, 1, 9, 0), ends_at=aware(2024, 12, 1, 11, 0), deputies=[zhang])
    services.sign_in(old, zhang, at=aware(2024, 12, 1, 9, 0))

    record = deputy_selectors.performance_record(zhang, 2025)
    assert (record.duty_days, record.activities, record.receptions, record.people_received) == (1, {"visit": 1}, 1, 5)
    assert record.points is None
    assert deputy_selectors.performance_record(zhang, 2024).duty_days == 1
    li_record = deputy_selectors.performance_record(li, 2025)
    assert (li_record.duty_days, li_record.receptions, li_record.people_received) == (1, 1, 3)
    assert deputy_selectors.performance_record(wang, 2025).duty_days == 0

    # the prefecture's points scheme: 2 per duty day, 1 per person received capped at 4, 3 per visit
    deputy_services.set_points_rule("duty_day", 2)
    deputy_services.set_points_rule("people_received", 1, cap_per_year=4)
    deputy_services.set_points_rule("visit", 3)
    record = deputy_selectors.performance_record(zhang, 2025)
    assert record.points == 2 + 4 + 3

    totals = selectors.activity_totals(division=tree.county_a, start=aware(2025, 1, 1, 0, 0), end=aware(2026, 1, 1, 0, 0))
    assert totals["deputy_visits"] == 3 and totals["people_received"] == 8
    assert totals["events_held"]["reception_day"] == 1 and totals["events_held"]["visit"] == 1
    assert selectors.plan_progress(plan)["reception_days_held"] == 1


def test_opinions_taken_count_in_the_performance_record(station, three_deputies, tree):
    from django.apps import apps

    Opinion = apps.get_model("opinions", "Opinion")
    zhang = three_deputies[0]
    Opinion.objects.create(tracking_code="T0001", channel="deputy", position=station, division=tree.t1, deputy=zhang,
                           title="修路", content="村道破损", registered_at=aware(2025, 4, 1, 10, 0))
    assert deputy_selectors.performance_record(zhang, 2025).opinions == 1
    assert deputy_selectors.performance_record(zhang, 2024).opinions == 0


def test_late_announcement_is_a_warning_not_a_refusal(station, three_deputies):
    event = services.schedule_reception_day(station, starts_at=aware(2025, 3, 15, 9, 0), ends_at=aware(2025, 3, 15, 12, 0),
                                            deputies=three_deputies[:1])
    result = services.announce_event(event, at=aware(2025, 3, 13, 21, 0))
    assert [(w.field, w.code) for w in result.warnings] == [("starts_at", "late_announcement")]
    assert "1 天 12 小时" in result.warnings[0].message
    event.refresh_from_db()
    assert event.status == "announced"
    # only the 1-day reminder is due once it is that close; the 3-day one is never sent late
    assert services.due_reminder(event, aware(2025, 3, 14, 10, 0)) == 1
    with pytest.raises(ServiceError) as exc:
        services.announce_event(event, at=aware(2025, 3, 13, 22, 0))
    assert fields(exc) == {"status": "already_announced"}


def test_rescheduling_sends_fresh_reminders(station, three_deputies, django_capture_on_commit_callbacks):
    event = services.schedule_reception_day(station, starts_at=aware(2025, 3, 15, 9, 0), ends_at=aware(2025, 3, 15, 12, 0),
                                            deputies=three_deputies[:1])
    services.announce_event(event, at=aware(2025, 3, 1, 9, 0))
    assert services.send_due_reminders(now=aware(2025, 3, 12, 10, 0)) == 1
    services.update_event(event, starts_at=aware(2025, 3, 22, 9, 0), ends_at=aware(2025, 3, 22, 12, 0))
    assert services.send_due_reminders(now=aware(2025, 3, 19, 10, 0)) == 1


def test_bad_input_is_refused_with_field_names_and_nothing_written(station, three_deputies, tree):
    zhang = three_deputies[0]
    with pytest.raises(ServiceError) as exc:
        services.schedule_reception_day(station, starts_at=aware(2025, 3, 15, 12, 0), ends_at=aware(2025, 3, 15, 9, 0),
                                        deputies=[zhang.pk, 99999])
    assert fields(exc) == {"ends_at": "out_of_order", "deputies": "not_found"}
    with pytest.raises(ServiceError) as exc:
        services.schedule_event(424242, kind="party", starts_at=aware(2025, 3, 15, 9, 0), ends_at=aware(2025, 3, 15, 10, 0))
    assert fields(exc) == {"position": "not_found", "kind": "invalid"}
    assert not Event.objects.exists()

    event = services.schedule_reception_day(station, starts_at=aware(2025, 3, 15, 9, 0), ends_at=aware(2025, 3, 15, 12, 0),
                                            deputies=[zhang])
    with pytest.raises(ServiceError) as exc:  # the day before
        services.sign_in(event, zhang, at=aware(2025, 3, 14, 9, 0))
    assert fields(exc) == {"signed_at": "out_of_range"}
    with pytest.raises(ServiceError) as exc:
        services.record_reception(event, people_received=1, visitors=[{"name": "甲"}, {"name": ""}],
                                  recorded_at=aware(2025, 3, 15, 12, 0))
    assert fields(exc) == {"visitors.1.name": "required", "people_received": "inconsistent"}
    with pytest.raises(ServiceError) as exc:
        services.record_reception(event, people_received=-1, recorded_at=aware(2025, 3, 14, 12, 0))
    assert fields(exc) == {"people_received": "invalid", "event": "not_started"}
    assert not Reception.objects.exists() and not SignIn.objects.exists()
    visit = services.schedule_event(station, kind="visit", starts_at=aware(2025, 3, 16, 9, 0), ends_at=aware(2025, 3, 16, 12, 0))
    with pytest.raises(ServiceError) as exc:
        services.record_reception(visit, people_received=2, recorded_at=aware(2025, 3, 16, 12, 0))
    assert fields(exc) == {"event": "not_reception_day"}


def test_activities_are_invisible_from_another_prefecture(station, three_deputies, qujing):
    event = services.schedule_reception_day(station, starts_at=aware(2025, 3, 15, 9, 0), ends_at=aware(2025, 3, 15, 12, 0),
                                            deputies=three_deputies)
    services.sign_in(event, three_deputies[0], at=aware(2025, 3, 15, 9, 0))
    event_pk, deputy_pk = event.pk, three_deputies[1].pk
    with schema_context("qujing"):
        assert not Event.objects.exists() and not SignIn.objects.exists()
        with pytest.raises(ServiceError) as exc:
            services.sign_in(event_pk, deputy_pk, at=aware(2025, 3, 15, 9, 0))
        assert fields(exc) == {"event": "not_found", "deputy": "not_found"}
        with pytest.raises(ServiceError) as exc:
            services.announce_event(event_pk)
        assert fields(exc) == {"event": "not_found"}
        assert services.send_due_reminders(now=aware(2025, 3, 14, 10, 0)) == 0
