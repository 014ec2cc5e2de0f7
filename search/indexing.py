"""Keeping the index in step with the opinions, without ever holding them up.

1. A change to an opinion (post_save/post_delete of Opinion, or the opinions app's
   `opinion_changed` signal sent on commit) records a PendingIndex row — inside the
   opinion's own transaction when there is one, in a savepoint whose failure is only
   logged — and queues the id for after commit.
2. After commit, the ids of that transaction go in bulk to the Celery task
   `liaison.search.index_opinions`, sent from inside the prefecture's schema
   (tenant-schemas-celery carries it in the task headers). A broker that is down is
   logged, not raised.
3. The task rebuilds those documents from the database (so it always writes the latest
   state, and an id that no longer exists becomes a delete), then removes the
   PendingIndex rows older than its own start. On failure it keeps the rows, records the
   error and retries with exponential backoff.
4. Beat runs `liaison.search.flush_pending` every few minutes: whatever is still
   pending is sent again. `liaison search reindex` rebuilds everything.

So an index failure never loses or blocks an opinion: at worst the search is late.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from .backends import get_backend
from .documents import build_documents, doc_id

log = logging.getLogger("liaison.search")
_local = threading.local()
BATCH_SIZE = 500
CATCH_UP_SKEW = timedelta(seconds=30)


def _queue() -> dict[str, set[int]]:
    queue = getattr(_local, "queue", None)
    if queue is None:
        queue = _local.queue = {}
    return queue


def opinions_touched(schema_name: str, opinion_ids: Iterable[int]) -> None:
    """Record the change durably and index it after the current transaction commits."""
    ids = sorted({int(i) for i in opinion_ids})
    if not ids or schema_name in ("public", None):
        return
    mark_pending(schema_name, ids)
    _queue().setdefault(schema_name, set()).update(ids)
    transaction.on_commit(flush_queue)


def mark_pending(schema_name: str, ids: list[int], error: str | None = None) -> None:
    from .store.models import PendingIndex

    now = timezone.now()
    rows = [PendingIndex(schema_name=schema_name, opinion_id=i, last_error=error or "", updated_at=now) for i in ids]
    update = ["updated_at", "last_error"] if error is not None else ["updated_at"]
    try:
        with transaction.atomic():
            PendingIndex.objects.bulk_create(rows, update_conflicts=True, unique_fields=["schema_name", "opinion_id"],
                                             update_fields=update)
            if error is not None:
                from django.db.models import F

                PendingIndex.objects.filter(schema_name=schema_name, opinion_id__in=ids).update(attempts=F("attempts") + 1)
    except DatabaseError:
        log.exception("search: could not record %d pending index change(s) in %s", len(ids), schema_name)


def flush_queue() -> None:
    """Send the queued ids to the index task, one bulk task per schema and batch."""
    queue = _queue()
    batches = {schema: sorted(ids) for schema, ids in queue.items() if ids}
    queue.clear()
    for schema, ids in batches.items():
        dispatch(schema, ids)


def dispatch(schema_name: str, ids: list[int]) -> None:
    from .tasks import index_opinions

    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start:start + BATCH_SIZE]
        try:
            with schema_context(schema_name):
                index_opinions.delay(chunk)
        except Exception:  # broker down etc.: the PendingIndex rows stay, beat retries
            log.exception("search: could not queue indexing of %d opinion(s) in %s", len(chunk), schema_name)


def sync_opinions(opinion_ids: Iterable[int]) -> tuple[int, int]:
    """Write the current state of these opinions of the current schema to the index.
    Returns (indexed, deleted)."""
    from .store.models import PendingIndex

    schema = connection.schema_name
    started = timezone.now()
    docs, missing = build_documents(opinion_ids)
    backend = get_backend()
    backend.index(docs)
    backend.delete([doc_id(schema, i) for i in missing])
    ids = [d["opinion_id"] for d in docs] + missing
    PendingIndex.objects.filter(schema_name=schema, opinion_id__in=ids, updated_at__lte=started).delete()
    return len(docs), len(missing)


def reindex_schema(schema_name: str, batch_size: int = BATCH_SIZE) -> int:
    """Rebuild one prefecture's documents (the backend keeps readers served meanwhile)."""
    from .documents import iter_documents
    from .store.models import PendingIndex

    from liaison.tenants.opinions.models import Opinion

    started = timezone.now()
    with schema_context(schema_name):
        count = get_backend().rebuild(schema_name, iter_documents(batch_size))
        # Changes written while the new copy was being built went to the old one (an
        # Elasticsearch rebuild): write them again now that the new copy serves.
        changed = list(Opinion.objects.filter(updated_at__gte=started - CATCH_UP_SKEW).values_list("pk", flat=True))
        if changed:
            sync_opinions(changed)
    PendingIndex.objects.filter(schema_name=schema_name, updated_at__lte=started).delete()
    return count


def remove_schema(schema_name: str) -> None:
    """A prefecture was deleted: drop its documents and pending rows (errors logged; the
    service only ever searches registered prefectures, so leftovers are never shown)."""
    from .store.models import PendingIndex

    try:
        with transaction.atomic():
            get_backend().delete_schema(schema_name)
            PendingIndex.objects.filter(schema_name=schema_name).delete()
    except Exception:
        log.exception("search: could not remove the documents of %s", schema_name)


# --- signal receivers ------------------------------------------------------------------

def on_opinion_saved(sender, instance, **kwargs):
    opinions_touched(connection.schema_name, [instance.pk])


def on_opinion_deleted(sender, instance, **kwargs):
    opinions_touched(connection.schema_name, [instance.pk])


def on_opinion_changed(sender, schema_name=None, opinion_id=None, opinion_ids=None, deleted=False, **kwargs):
    ids = list(opinion_ids or []) + ([opinion_id] if opinion_id is not None else [])
    opinions_touched(schema_name or connection.schema_name, ids)


def on_related_saved(sender, instance, **kwargs):
    """A position or division renamed (or re-tiered): its opinions' documents change."""
    from liaison.tenants.opinions.models import Opinion

    fields = ("name", "tier")
    before = getattr(instance, "_search_before", None)
    if before is None or all(before.get(f) == getattr(instance, f, None) for f in fields if f in before):
        return
    key = "position_id" if sender.__name__ == "Position" else "division_id"
    ids = list(Opinion.objects.filter(**{key: instance.pk}).values_list("pk", flat=True))
    opinions_touched(connection.schema_name, ids)


def on_related_pre_save(sender, instance, **kwargs):
    if not instance.pk:
        instance._search_before = None
        return
    fields = [f for f in ("name", "tier") if hasattr(instance, f)]
    instance._search_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


def on_prefecture_deleted(sender, schema_name=None, **kwargs):
    if schema_name:
        remove_schema(schema_name)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    from liaison.tenants.divisions.models import Division
    from liaison.tenants.opinions.models import Opinion
    from liaison.tenants.opinions.signals import opinion_changed
    from liaison.tenants.positions.models import Position
    from liaison.tenants.registry.provisioning import prefecture_deleted

    post_save.connect(on_opinion_saved, sender=Opinion, dispatch_uid="search-opinion-saved")
    post_delete.connect(on_opinion_deleted, sender=Opinion, dispatch_uid="search-opinion-deleted")
    for model in (Position, Division):
        pre_save.connect(on_related_pre_save, sender=model, dispatch_uid=f"search-{model.__name__}-pre")
        post_save.connect(on_related_saved, sender=model, dispatch_uid=f"search-{model.__name__}-saved")
    prefecture_deleted.connect(on_prefecture_deleted, dispatch_uid="search-prefecture-deleted")
    opinion_changed.connect(on_opinion_changed, dispatch_uid="search-opinion-changed")
