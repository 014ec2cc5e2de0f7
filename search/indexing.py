"""Keeping the index in step with the opinions, without ever holding them up.

Driven by the change events of `liaison.tenants.common.changes`:

1. A change to an opinion recorded in a transaction (a save or delete of the model, or
   an explicit `changes.record(OPINION, ids)` from a service or bulk writer) writes a
   PendingIndex row in that same transaction (a transactional outbox, like
   Notification): it commits or rolls back with the opinion. The write sits in a
   savepoint whose failure is only logged. A renamed (or re-tiered) position or
   division is recorded as a change of its opinions.
2. When the transaction commits, its change event (one per transaction) sends the ids in
   bulk to the Celery task `liaison.search.index_opinions`, from inside the prefecture's
   schema (tenant-schemas-celery carries it in the task headers). A broker that is down
   is logged, not raised. A rolled-back transaction sends nothing and leaves no row.
3. The task rebuilds those documents from the database (so it always writes the latest
   state, and an id that no longer exists becomes a delete), then removes the
   PendingIndex rows older than its own start. On failure it keeps the rows, records the
   error and Celery retries it with exponential backoff and jitter.
4. Beat runs `liaison.search.flush_pending` every few minutes: whatever is still
   pending is sent again. `liaison search reindex` rebuilds everything.

So an index failure never loses or blocks an opinion: at worst the search is late.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.tenants.common import changes

from .backends import get_backend
from .documents import build_documents, doc_id

log = logging.getLogger("liaison.search")
BATCH_SIZE = 500
CATCH_UP_SKEW = timedelta(seconds=30)
# Fields of positions and divisions that the opinion documents carry.
DOCUMENT_FIELDS = {changes.POSITION: ("name", "tier"), changes.DIVISION: ("name", "level", "code")}
OPINION = changes.OPINION
RELATED_KEY = {changes.POSITION: "position_id", changes.DIVISION: "division_id"}


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

    schema = getattr(connection, "schema_name")  # set by django-tenants
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


# --- change-event receivers ---------------------------------------------------------------

def on_recorded(sender, change: changes.Change, **kwargs) -> None:
    """Inside the writer's transaction: the outbox row, or the opinions a renamed
    position or division carries."""
    if change.kind == changes.OPINION:
        mark_pending(change.schema, sorted(change.ids))
    elif change.kind in RELATED_KEY and change.touches(DOCUMENT_FIELDS[change.kind]):
        from liaison.tenants.opinions.models import Opinion

        with schema_context(change.schema):
            opinions = Opinion.objects.filter(**{f"{RELATED_KEY[change.kind]}__in": change.ids})
            if change.kind == changes.DIVISION:  # documents carry the ancestors' names too
                from liaison.tenants.divisions.models import Division

                for path in Division.objects.filter(pk__in=change.ids).values_list("path", flat=True):
                    opinions = opinions | Opinion.objects.filter(division__path__startswith=f"{path}/")
            ids = list(opinions.values_list("pk", flat=True))
        changes.record(changes.OPINION, ids, schema=change.schema)


def on_committed(sender, changes: tuple[changes.Change, ...], **kwargs) -> None:
    """After commit, once per transaction: one bulk task per schema (and batch)."""
    for change in changes:
        if change.kind == OPINION:
            dispatch(change.schema, sorted(change.ids))


def on_prefecture_deleted(sender, schema_name=None, **kwargs):
    if schema_name:
        remove_schema(schema_name)


def connect() -> None:
    from liaison.tenants.registry.provisioning import prefecture_deleted

    changes.connect()
    changes.recorded.connect(on_recorded, dispatch_uid="search-recorded")
    changes.committed.connect(on_committed, dispatch_uid="search-committed")
    prefecture_deleted.connect(on_prefecture_deleted, dispatch_uid="search-prefecture-deleted")
