"""Celery tasks of search. `index_opinions` runs in the schema its headers carry
(tenant-schemas-celery); `flush_pending` is a public-schema beat task."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from liaison.platform.celery import app

from .indexing import dispatch, mark_pending, sync_opinions

log = logging.getLogger("liaison.search")
MAX_RETRIES = 8
PENDING_GRACE = timedelta(minutes=2)  # leave fresh changes to their own task


# Retries are Celery's own: exponential backoff from 5 s, at most 10 minutes, with jitter.
@app.task(name="liaison.search.index_opinions", bind=True, acks_late=True, autoretry_for=(Exception,),
          max_retries=MAX_RETRIES, retry_backoff=5, retry_backoff_max=600, retry_jitter=True)
def index_opinions(self, opinion_ids: list[int]) -> dict:
    schema = getattr(connection, "schema_name")  # set by django-tenants
    try:
        indexed, deleted = sync_opinions(opinion_ids)
    except Exception as exc:
        log.warning("search: indexing %d opinion(s) of %s failed: %s", len(opinion_ids), schema, exc)
        mark_pending(schema, list(opinion_ids), error=f"{type(exc).__name__}: {exc}"[:2000])
        if self.request.is_eager:
            # No worker, no beat: the PendingIndex rows stay until the next change of the
            # same opinions, `liaison search flush` or `liaison search reindex`.
            return {"schema": schema, "failed": len(opinion_ids)}
        raise
    return {"schema": schema, "indexed": indexed, "deleted": deleted}


@app.task(name="liaison.search.flush_pending")
def flush_pending(older_than_seconds: int = int(PENDING_GRACE.total_seconds())) -> int:
    """Send again every change whose index write has not succeeded."""
    from .store.models import PendingIndex
    from liaison.tenants.registry.models import Prefecture

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    live = set(Prefecture.objects.values_list("schema_name", flat=True))
    by_schema: dict[str, list[int]] = {}
    for schema, oid in PendingIndex.objects.filter(updated_at__lte=cutoff).values_list("schema_name", "opinion_id"):
        by_schema.setdefault(schema, []).append(oid)
    sent = 0
    for schema, ids in by_schema.items():
        if schema not in live:
            PendingIndex.objects.filter(schema_name=schema).delete()
            continue
        dispatch(schema, sorted(ids))
        sent += len(ids)
    return sent
