"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Every prefecture, every night, whether or not anything was marked stale (facts
    # that depend on the clock — overdue now, deadlines passed — change by themselves).
    "stats-refresh-all-nightly": {
        "task": "liaison.fan_out",
        "schedule": crontab(hour=2, minute=30),
        "args": ["stats.refresh_prefecture"],
    },
}
