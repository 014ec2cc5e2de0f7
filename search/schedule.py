"""Celery beat entries of search, merged into CELERY_BEAT_SCHEDULE by settings."""
BEAT_SCHEDULE: dict = {
    # Re-send index writes that failed or whose task was lost (see search/indexing.py).
    "search-flush-pending": {"task": "liaison.search.flush_pending", "schedule": 300.0},
}
