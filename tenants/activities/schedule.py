"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Every 15 minutes, in every prefecture: reminders are idempotent (dedupe keys), so a
    # frequent run only narrows the gap between "due" and "sent".
    "activities-send-reminders": {
        "task": "liaison.fan_out",
        "schedule": crontab(minute="*/15"),
        "args": ["activities.send_reminders"],
    },
}
