"""Celery tasks of positions; each runs in one prefecture's schema (platform/tasks.py fan_out)."""
from __future__ import annotations

from liaison.platform.celery import app

from . import services


@app.task(name="positions.refresh_standard_statuses")
def refresh_standard_statuses() -> int:
    """Re-derive open ⇄ standard daily: stationings that ended (or start) today change the answer without any write."""
    return services.refresh_all_standard_statuses()
