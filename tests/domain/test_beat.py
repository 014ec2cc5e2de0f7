"""Reminders and daily re-derivation are wired into Celery beat and fan out per prefecture."""
from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.tenants.activities import services as activity_services
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.notifications.models import Notification
from liaison.tenants.positions import services as position_services

from .conftest import make_tree

pytestmark = pytest.mark.django_db


def test_beat_entries_fan_out_to_the_domain_tasks():
    entries = {e["args"][0] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "liaison.fan_out"}
    assert {"activities.send_reminders", "notifications.requeue_stale", "positions.refresh_standard_statuses"} <= entries


def test_beat_run_sends_due_reminders_in_each_prefecture_only_for_its_own_events(kunming, qujing, make_deputy,
                                                                                   django_capture_on_commit_callbacks, capsys):
    import liaison.tenants.activities.tasks  # noqa: F401 - registers the task as a worker would
    import liaison.tenants.notifications.tasks  # noqa: F401
    import liaison.tenants.positions.tasks  # noqa: F401
    from liaison.platform.tasks import fan_out_by_name

    now = timezone.now()
    with schema_context("kunming"):
        tree = make_tree()
        station = position_services.create_position(code="S-1", name="甲镇代表工作站", tier="station", division=tree.t1, status="open")
        deputy = make_deputy(tree.t1, name="昆明代表")
        deputy_services.station_deputy(deputy, station)
        event = activity_services.schedule_reception_day(station, starts_at=now + dt.timedelta(hours=20),
                                                         ends_at=now + dt.timedelta(hours=23), deputies=[deputy])
        activity_services.announce_event(event)
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_by_name("activities.send_reminders") >= 2  # one task per prefecture
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_by_name("activities.send_reminders")  # a second beat tick sends nothing new
    with schema_context("kunming"):
        reminders = Notification.objects.filter(dedupe_key__endswith=":remind1d")
        assert reminders.count() == 1 and reminders.get().recipient_id == deputy.pk
    with schema_context("qujing"):
        assert not Notification.objects.exists()
    out = capsys.readouterr().out
    assert out.count("明天活动提醒：甲镇代表工作站接待日") == 1
    assert fan_out_by_name("positions.refresh_standard_statuses") >= 2
