"""Celery beat entries of search, merged into CELERY_BEAT_SCHEDULE by settings."""
BEAT_SCHEDULE: dict = {}
