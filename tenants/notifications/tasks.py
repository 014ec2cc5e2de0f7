"""Celery tasks of the outbox. Each runs inside one prefecture's schema (the schema
travels in the task headers, see liaison.platform.celery)."""
from __future__ import annotations

from liaison.platform.celery import app

from . import services

RETRY_BACKOFF_SECONDS = (30, 120, 600, 1800)


@app.task(name="notifications.deliver", bind=True, max_retries=services.MAX_ATTEMPTS)
def deliver_notification(self, notification_id: int) -> str:
    outcome = services.deliver(notification_id)
    if outcome == "retry":
        countdown = RETRY_BACKOFF_SECONDS[min(self.request.retries, len(RETRY_BACKOFF_SECONDS) - 1)]
        raise self.retry(countdown=countdown)
    return outcome


@app.task(name="notifications.requeue_stale")
def requeue_stale() -> int:
    return services.requeue_stale()
