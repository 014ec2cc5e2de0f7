"""Celery tasks of the outbox. Each runs inside one prefecture's schema (the schema
travels in the task headers, see liaison.platform.celery)."""
from __future__ import annotations

from liaison.platform.celery import app

from . import services


class DeliveryDeferred(Exception):
    """The channel failed this time; the row says how often it was tried."""


# Retries are Celery's own: exponential backoff from 30 s, at most 30 min, with jitter.
@app.task(name="notifications.deliver", bind=True, autoretry_for=(DeliveryDeferred,), max_retries=services.MAX_ATTEMPTS,
          retry_backoff=30, retry_backoff_max=1800, retry_jitter=True)
def deliver_notification(self, notification_id: int) -> str:
    outcome = services.deliver(notification_id)
    if outcome == "retry":
        raise DeliveryDeferred(f"notification {notification_id}")
    return outcome


@app.task(name="notifications.requeue_stale")
def requeue_stale() -> int:
    return services.requeue_stale()
