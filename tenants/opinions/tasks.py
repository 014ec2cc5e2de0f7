"""Celery tasks of the opinion loop. Each runs inside one prefecture's schema (beat
schedules `liaison.fan_out`, which sends one task per prefecture; see schedule.py)."""
from __future__ import annotations

from liaison.platform.celery import app

from . import services


@app.task(name="opinions.send_deadline_notices")
def send_deadline_notices() -> dict:
    """Reminders before a deadline, escalation notices after it (deduplicated)."""
    return services.send_deadline_notices()


@app.task(name="opinions.close_unrated")
def close_unrated() -> int:
    """Close replies nobody rated within the rating window (as unrated)."""
    return services.close_all_unrated()
