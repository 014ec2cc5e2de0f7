"""Celery tasks of activities; each runs in one prefecture's schema (see platform/tasks.py fan_out)."""
from __future__ import annotations

from liaison.platform.celery import app

from . import services


@app.task(name="activities.send_reminders")
def send_reminders() -> int:
    """Queue due reminders (3 days and 1 day before) for announced events in this schema."""
    return services.send_due_reminders()
