from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification, Status


def outbox(*, status: str | None = None, recipient_kind: str | None = None, recipient_id: int | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.all()
    if status:
        qs = qs.filter(status=status)
    if recipient_kind:
        qs = qs.filter(recipient_kind=recipient_kind)
    if recipient_id is not None:
        qs = qs.filter(recipient_id=recipient_id)
    return qs


def pending_count() -> int:
    return Notification.objects.filter(status=Status.PENDING).count()
