"""Writing to the outbox and delivering from it.

    enqueue(recipient_kind=..., recipient_id=..., address=..., channel=..., subject=...,
            body=..., dedupe_key=...) -> Notification

`enqueue` is idempotent on `dedupe_key`: a second call returns the existing row and
queues nothing. Delivery happens after the surrounding transaction commits
(`transaction.on_commit`), in a Celery task that retries with back-off; rows left
pending (a lost task, a worker crash) are picked up again by `requeue_stale`.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from liaison.tenants.common.errors import FieldError, ServiceError

from .backends import PermanentDeliveryError, backend_for
from .models import Channel, Notification, RecipientKind, Status

log = logging.getLogger("liaison.notifications")

MAX_ATTEMPTS = 5


def _validate(*, recipient_kind, recipient_id, address, channel, subject, body, dedupe_key) -> list[FieldError]:
    errors = []
    if recipient_kind not in RecipientKind.values:
        errors.append(FieldError("recipient_kind", f"must be one of {', '.join(RecipientKind.values)}, got {recipient_kind!r}"))
    if recipient_id is not None and (not isinstance(recipient_id, int) or recipient_id <= 0):
        errors.append(FieldError("recipient_id", "must be a positive integer or None"))
    if channel not in Channel.values:
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel.values)}, got {channel!r}"))
    if not (address or "").strip():
        errors.append(FieldError("address", "must not be empty", "required"))
    elif len(address) > 255:
        errors.append(FieldError("address", "must be at most 255 characters", "too_long"))
    elif channel == Channel.EMAIL and "@" not in address:
        errors.append(FieldError("address", f"{address!r} is not an e-mail address"))
    if not (subject or "").strip():
        errors.append(FieldError("subject", "must not be empty", "required"))
    elif len(subject) > 200:
        errors.append(FieldError("subject", "must be at most 200 characters", "too_long"))
    if body is None:
        errors.append(FieldError("body", "must not be None", "required"))
    if not (dedupe_key or "").strip():
        errors.append(FieldError("dedupe_key", "must not be empty", "required"))
    elif len(dedupe_key) > 200:
        errors.append(FieldError("dedupe_key", "must be at most 200 characters", "too_long"))
    return errors


def enqueue(*, recipient_kind: str, recipient_id: int | None, address: str, channel: str, subject: str, body: str,
            dedupe_key: str) -> Notification:
    """Queue one message; idempotent on dedupe_key. Delivery starts after commit."""
    errors = _validate(recipient_kind=recipient_kind, recipient_id=recipient_id, address=address, channel=channel,
                       subject=subject, body=body, dedupe_key=dedupe_key)
    if errors:
        raise ServiceError(errors)
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient_kind=recipient_kind, recipient_id=recipient_id, address=address.strip(), channel=channel,
                subject=subject.strip(), body=body, dedupe_key=dedupe_key,
            )
    except IntegrityError:
        # A concurrent enqueue with the same key won the race: same outcome as the early return.
        return Notification.objects.get(dedupe_key=dedupe_key)
    _deliver_after_commit(notification.pk)
    return notification


def _deliver_after_commit(notification_id: int) -> None:
    """Queue delivery once the row is committed, in the schema it was written in (captured
    now: by the time on_commit runs, the connection may have left that schema)."""
    from .tasks import deliver_notification

    schema = connection.schema_name
    transaction.on_commit(lambda: deliver_notification.apply_async(args=[notification_id], headers={"_schema_name": schema}))


def deliver(notification_id: int) -> str:
    """Try to send one row once. Returns "sent", "retry", "failed" or "skipped"."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
        if notification is None or notification.status != Status.PENDING:
            return "skipped"
        notification.attempts += 1
        notification.last_attempt_at = timezone.now()
        try:
            backend_for(notification.channel).send(notification)
        except (PermanentDeliveryError, NotImplementedError) as exc:
            notification.status = Status.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"
            outcome = "failed"
        except Exception as exc:  # noqa: BLE001 - any transient failure is retried
            notification.last_error = f"{type(exc).__name__}: {exc}"
            outcome = "retry" if notification.attempts < MAX_ATTEMPTS else "failed"
            if outcome == "failed":
                notification.status = Status.FAILED
        else:
            notification.status = Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            outcome = "sent"
        notification.save(update_fields=["status", "attempts", "last_attempt_at", "sent_at", "last_error"])
    if outcome == "failed":
        log.warning("notification %s failed after %s attempts: %s", notification_id, notification.attempts, notification.last_error)
    return outcome


def retry_failed(notification_id: int) -> Notification:
    """Put a failed row back in the queue (admin action, after fixing the address or backend)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            raise ServiceError.single("notification", f"no notification with id {notification_id}", "not_found")
        if notification.status == Status.SENT:
            raise ServiceError.single("status", "already sent; a sent message is never sent again", "already_sent")
        notification.status = Status.PENDING
        notification.attempts = 0
        notification.save(update_fields=["status", "attempts"])
        _deliver_after_commit(notification.pk)
    return notification


def requeue_stale(older_than: timedelta = timedelta(minutes=15)) -> int:
    """Queue delivery again for rows still pending well after they were written."""
    cutoff = timezone.now() - older_than
    ids = list(Notification.objects.filter(status=Status.PENDING, created_at__lt=cutoff).values_list("pk", flat=True)[:1000])
    for pk in ids:
        _deliver_after_commit(pk)
    return len(ids)
