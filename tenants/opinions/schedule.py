"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings."""
BEAT_SCHEDULE: dict = {}
