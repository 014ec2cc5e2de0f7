"""`liaison serve` runs the beat schedule in its own process when Celery is eager: the
entries run at their times (checked with a given clock, no waiting), every entry of the
real schedule names a task this process can run, and the start says so."""
from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from celery.schedules import crontab
from django.conf import settings

from liaison.platform import inprocess_beat
from liaison.platform.province.management.commands.serve import Command

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, second: int = 0, day: int = 29) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


SCHEDULE = {
    "morning-notices": {"task": "liaison.fan_out", "schedule": crontab(hour=8, minute=0), "args": ["opinions.send_deadline_notices"]},
    "refresh": {"task": "stats.refresh_stale", "schedule": 300.0},
}


def names(entries) -> list[str]:
    return sorted(e.name for e in entries)


def test_entries_run_at_their_times_in_shanghai_time_and_once():
    beat = inprocess_beat.InProcessBeat(SCHEDULE, now=lambda: at(7, 58))
    assert names(beat.due(at(7, 58))) == []  # nothing runs at the start
    assert names(beat.due(at(7, 59, 59))) == []
    assert names(beat.due(at(8, 0))) == ["morning-notices"]  # 08:00 Asia/Shanghai, not UTC
    assert names(beat.due(at(8, 0, 30))) == []  # once
    assert names(beat.due(at(8, 3))) == ["refresh"]  # 5 minutes after the start
    assert names(beat.due(at(8, 5))) == []
    assert names(beat.due(at(8, 8))) == ["refresh"]
    assert names(beat.due(at(8, 0, day=30) + dt.timedelta(seconds=1))) == ["morning-notices", "refresh"]  # next morning


def test_the_thread_waits_until_the_next_entry_and_never_longer_than_max_interval():
    beat = inprocess_beat.InProcessBeat(SCHEDULE, now=lambda: at(7, 58), max_interval=600)
    assert beat.seconds_to_next(at(7, 58)) == pytest.approx(120)  # the morning entry, before the 5-minute one
    beat.due(at(8, 0))
    assert beat.seconds_to_next(at(8, 0)) == pytest.approx(180)
    assert inprocess_beat.InProcessBeat(SCHEDULE, now=lambda: at(7, 58)).seconds_to_next(at(7, 58)) == 30  # default cap


def test_tick_runs_each_due_entry_and_a_failing_one_does_not_stop_the_others():
    clock = [at(7, 58)]
    ran = []

    def run(entry):
        ran.append((entry.task, entry.args))
        if entry.name == "morning-notices":
            raise RuntimeError("mail server down")

    beat = inprocess_beat.InProcessBeat(SCHEDULE, now=lambda: clock[0], run=run)
    clock[0] = at(8, 5)
    assert beat.tick() == ["refresh"]
    assert sorted(ran) == [("liaison.fan_out", ("opinions.send_deadline_notices",)), ("stats.refresh_stale", ())]


def test_every_entry_of_the_real_schedule_names_a_task_this_process_runs():
    from liaison.platform.celery import app

    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"opinions-deadline-notices", "opinions-close-unrated", "stats-refresh-stale"} <= set(schedule)
    for name, spec in schedule.items():
        assert spec["task"] in app.tasks, name
        if spec["task"] == "liaison.fan_out":
            assert spec["args"][0] in app.tasks, name
    beat = inprocess_beat.InProcessBeat(schedule)
    assert len(beat.entries) == len(schedule)


def test_serve_says_at_start_that_the_beat_runs_in_process(monkeypatch, settings):
    started = []
    monkeypatch.setattr(inprocess_beat.InProcessBeat, "start", lambda self: started.append(self))
    settings.CELERY_TASK_ALWAYS_EAGER = True
    command = Command(stdout=io.StringIO())
    message = command.beat_message(start=True)
    assert "runs in this process" in message and "opinions-deadline-notices" in message and len(started) == 1
    assert "off" in command.beat_message(start=False) and len(started) == 1
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert "celery -A liaison.platform.celery beat" in command.beat_message(start=True) and len(started) == 1
