"""The beat schedule run inside `liaison serve` when there is no broker (eager Celery).

Production runs one `celery beat` next to the workers. In development tasks run eagerly
in the web process and nothing else runs, so `liaison serve` starts this thread: it reads
settings.CELERY_BEAT_SCHEDULE (every app's schedule.py) and, at the entries' times, calls
each task with its arguments, as beat would (eagerly, so in this process). Its clock is
injectable: `due(now)` answers which entries run at `now` without waiting, which is what
the tests exercise.

Like celery beat, an entry first runs at its next due time after the start (a daily
08:00 entry runs at the next 08:00, a 5-minute one 5 minutes after the start); nothing
is caught up for the time the server was down.
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from celery.schedules import BaseSchedule, maybe_schedule
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger("liaison.beat")


@dataclass
class Entry:
    name: str
    task: str
    schedule: BaseSchedule
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    last_run_at: dt.datetime | None = None


class InProcessBeat(threading.Thread):
    """Runs the beat entries at their times; `stop()` ends it."""

    def __init__(self, schedule: dict, *, now=timezone.now, run=None, max_interval: float = 30.0):
        super().__init__(daemon=True, name="liaison-beat")
        self._now = now
        self._run = run or run_task
        self._stopped = threading.Event()
        self.max_interval = max_interval
        self.entries: list[Entry] = []
        from liaison.platform.celery import app  # its timezone (CELERY_TIMEZONE) places crontab hours

        started = now()
        for name, spec in schedule.items():
            sched = maybe_schedule(copy.deepcopy(spec["schedule"]), app=app)
            sched.nowfun = self._clock_now  # schedules ask us for the time (see due())
            self.entries.append(Entry(name, spec["task"], sched, tuple(spec.get("args", ())), dict(spec.get("kwargs", {})),
                                      last_run_at=started))
        self._clock = started

    def _clock_now(self) -> dt.datetime:
        return self._clock

    def due(self, now: dt.datetime) -> list[Entry]:
        """The entries due at `now`; each is marked as run at `now`."""
        self._clock = now
        ready = []
        for entry in self.entries:
            is_due, _ = entry.schedule.is_due(entry.last_run_at)
            if is_due:
                entry.last_run_at = now
                ready.append(entry)
        return ready

    def seconds_to_next(self, now: dt.datetime) -> float:
        """How long until the earliest entry is due (at most max_interval)."""
        self._clock = now
        waits = [entry.schedule.is_due(entry.last_run_at)[1] for entry in self.entries]
        return max(0.0, min([self.max_interval, *waits]))

    def tick(self) -> list[str]:
        ran = []
        for entry in self.due(self._now()):
            try:
                self._run(entry)
                ran.append(entry.name)
            except Exception:  # noqa: BLE001 - one failing entry must not stop the others
                log.exception("beat entry %s failed", entry.name)
        return ran

    def run(self):
        while not self._stopped.is_set():
            try:
                ran = self.tick()
                if ran:
                    log.info("beat ran %s", ", ".join(ran))
            finally:
                close_old_connections()
            self._stopped.wait(self.seconds_to_next(self._now()))

    def stop(self):
        self._stopped.set()


def run_task(entry: Entry) -> None:
    """Call the entry's task as beat would; eager Celery runs it here."""
    from liaison.platform.celery import app

    app.loader.import_default_modules()
    app.tasks[entry.task].apply_async(entry.args, entry.kwargs)


def describe(schedule: dict) -> str:
    return ", ".join(sorted(schedule))
