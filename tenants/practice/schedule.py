"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Hourly in every prefecture: unclaimed requests escalate to their station (once each).
    "practice-escalate-requests": {
        "task": "liaison.fan_out",
        "schedule": crontab(minute=7),
        "args": ["practice.escalate_requests"],
    },
}
