"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Every morning (Asia/Shanghai), once per prefecture: reminders and overdue escalations.
    "opinions-deadline-notices": {
        "task": "liaison.fan_out",
        "schedule": crontab(hour=8, minute=0),
        "args": ["opinions.send_deadline_notices"],
    },
    # Every night: close replies whose rating window has passed (unrated).
    "opinions-close-unrated": {
        "task": "liaison.fan_out",
        "schedule": crontab(hour=1, minute=30),
        "args": ["opinions.close_unrated"],
    },
}
