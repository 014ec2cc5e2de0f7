"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "positions-refresh-standard-statuses": {
        "task": "liaison.fan_out",
        "schedule": crontab(hour=0, minute=20),
        "args": ["positions.refresh_standard_statuses"],
    },
}
