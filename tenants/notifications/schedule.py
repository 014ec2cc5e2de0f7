"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "notifications-requeue-stale": {
        "task": "liaison.fan_out",
        "schedule": crontab(minute="*/10"),
        "args": ["notifications.requeue_stale"],
    },
}
