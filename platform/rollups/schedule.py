"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Prefectures whose opinions changed (or never computed) are refreshed within minutes.
    "stats-refresh-stale": {
        "task": "stats.refresh_stale",
        "schedule": crontab(minute="*/5"),
    },
}
