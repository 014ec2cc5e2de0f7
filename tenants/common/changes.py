"""One change event per committed transaction.

Writers say what they changed: `record(kind, ids)` — services and single-row ORM saves
(through the post_save/post_delete receivers connected by `connect()`) as well as bulk
writers (`bulk_create`, `bulk_update`, `QuerySet.update`, COPY), which Django's model
signals never see. Two signals follow:

* `recorded` — at once, inside the writer's transaction, once per `record` call. For
  transactional outboxes (search's `PendingIndex`) that must commit or roll back with
  the change itself.
* `committed` — after the transaction commits, ONCE for the whole transaction, with the
  changes merged per (schema, kind). For work that must see only committed data and
  should happen once (index tasks, statistics stale flags).

Nothing is kept outside the transaction: the changes of a transaction hang off Django's
own on-commit list, so a rollback of the transaction drops them with it, and a rollback
of a savepoint drops the changes recorded inside it (Django removes that savepoint's
callbacks). Outside any transaction (autocommit) the write is already committed and both
signals are sent at once.

Kinds are model labels ("opinions.opinion", "positions.position", …): see KINDS.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import django.dispatch
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger("liaison.changes")

OPINION = "opinions.opinion"
POSITION = "positions.position"
DIVISION = "divisions.division"
DEPUTY = "deputies.deputy"
EVENT = "activities.event"

# Models whose single-row saves and deletes are recorded by `connect()`: the data the
# search documents and the statistics are made of.
KINDS = (
    "opinions.opinion", "opinions.referral", "opinions.reply", "opinions.evaluation", "opinions.suggestion",
    "positions.position", "positions.positionstatuschange",
    "deputies.deputy", "deputies.stationing",
    "activities.event", "activities.scheduleddeputy", "activities.signin", "activities.reception",
    "divisions.division",
)

recorded = django.dispatch.Signal()   # sender=None, change=Change (inside the transaction)
committed = django.dispatch.Signal()  # sender=None, changes=tuple[Change, ...] (after commit, once)


@dataclass(frozen=True)
class Change:
    """What one transaction changed in one schema: a kind and the primary keys.
    `fields` is the set of fields written when the writer said so (None: unknown/all)."""

    schema: str
    kind: str
    ids: frozenset[int]
    fields: frozenset[str] | None = None

    def touches(self, names: Iterable[str]) -> bool:
        return self.fields is None or bool(self.fields & set(names))


def record(kind: str, ids: Iterable[int], *, fields: Iterable[str] | None = None, schema: str | None = None,
           using: str = DEFAULT_DB_ALIAS) -> None:
    """Say that the current transaction changed these rows (in the current schema unless
    `schema` is given). Cheap: call it from loops."""
    conn = connections[using]
    ids = frozenset(int(i) for i in ids if i is not None)
    schema_name: str = schema or getattr(conn, "schema_name", None) or "public"
    if not ids or schema_name == "public":
        return
    change = Change(schema_name, kind, ids, None if fields is None else frozenset(fields))
    if not conn.in_atomic_block:
        _send_recorded(change)
        _send_committed([change])
        return
    txn = _Transaction.current(conn)
    sids = tuple(conn.savepoint_ids)
    last = txn.last_batch(conn, sids)
    if last is not None and last.covers(change):
        return  # e.g. a service's explicit record right after the model's own post_save
    _send_recorded(change)
    txn.new_batch(conn, sids).add(change)


def _send_recorded(change: Change) -> None:
    # Not robust on purpose: an outbox receiver that fails must fail the writer's
    # transaction (the outbox receivers guard their own optional parts).
    recorded.send(sender=None, change=change)


def _send_committed(changes: list[Change]) -> None:
    merged: dict[tuple[str, str], Change] = {}
    for c in changes:
        key = (c.schema, c.kind)
        old = merged.get(key)
        if old is not None:
            fields = None if old.fields is None or c.fields is None else old.fields | c.fields
            c = Change(c.schema, c.kind, old.ids | c.ids, fields)
        merged[key] = c
    if not merged:
        return
    for receiver, result in committed.send_robust(sender=None, changes=tuple(merged.values())):
        if isinstance(result, Exception):
            # The data is committed; a receiver's failure must not look like the write failed.
            log.error("changes: %s failed after commit", getattr(receiver, "__qualname__", receiver), exc_info=result)


class _Batch:
    """Changes recorded at one savepoint level; on the on-commit list with that level's
    savepoints, so Django drops it when one of them rolls back."""

    def __init__(self, txn: _Transaction, sids: tuple[str, ...]):
        self.txn, self.sids = txn, sids
        self.changes: dict[tuple[str, str], Change] = {}

    def covers(self, change: Change) -> bool:
        old = self.changes.get((change.schema, change.kind))
        return old is not None and change.ids <= old.ids and (
            old.fields is None or (change.fields is not None and change.fields <= old.fields))

    def add(self, change: Change) -> None:
        key = (change.schema, change.kind)
        old = self.changes.get(key)
        if old is not None:
            fields = None if old.fields is None or change.fields is None else old.fields | change.fields
            change = Change(change.schema, change.kind, old.ids | change.ids, fields)
        self.changes[key] = change

    def __call__(self) -> None:
        self.txn.confirmed.extend(self.changes.values())


class _Flush:
    """Delivers the transaction's confirmed changes. One follows every batch, outside any
    savepoint (so only a rollback of the whole transaction removes it); only the last
    one delivers, after every batch that survived has confirmed its changes."""

    def __init__(self, txn: _Transaction):
        self.txn = txn
        self.number = txn.flushes

    def __call__(self) -> None:
        txn = self.txn
        if txn.delivered or self.number != txn.flushes:
            return
        txn.delivered = True
        _send_committed(txn.confirmed)


class _Transaction:
    """The changes of the connection's current transaction. Found through Django's
    on-commit list; when that list is cleared (commit or rollback), it is gone."""

    def __init__(self) -> None:
        self.confirmed: list[Change] = []
        self.flushes = 0
        self.delivered = False
        self.hooks: list | None = None

    @classmethod
    def current(cls, conn) -> _Transaction:
        txn = getattr(conn, "_liaison_changes", None)
        if txn is not None and not txn.delivered:
            if txn.hooks is conn.run_on_commit:
                return txn
            # A savepoint rollback rebuilt the list: still ours if a flush is on it.
            if any(isinstance(f, _Flush) and f.txn is txn for _, f, _ in conn.run_on_commit):
                txn.hooks = conn.run_on_commit
                return txn
        txn = cls()
        conn._liaison_changes = txn
        return txn

    def last_batch(self, conn, sids: tuple[str, ...]) -> _Batch | None:
        """The batch just recorded, if it is at this savepoint level and nothing was
        registered after its flush."""
        hooks = conn.run_on_commit
        if len(hooks) < 2:
            return None
        batch, flush = hooks[-2][1], hooks[-1][1]
        if isinstance(flush, _Flush) and flush.txn is self and isinstance(batch, _Batch) and batch.txn is self \
                and batch.sids == sids:
            return batch
        return None

    def new_batch(self, conn, sids: tuple[str, ...]) -> _Batch:
        batch = _Batch(self, sids)
        conn.on_commit(batch)  # carries the current savepoints: dropped with them
        self.flushes += 1
        # Django's own entry for a callback registered outside any savepoint.
        conn.run_on_commit.append((set(), _Flush(self), False))
        self.hooks = conn.run_on_commit
        return batch


def _on_saved(sender, instance, update_fields=None, **kwargs) -> None:
    record(sender._meta.label_lower, [instance.pk], fields=update_fields)


def _on_deleted(sender, instance, **kwargs) -> None:
    record(sender._meta.label_lower, [instance.pk])


def connect() -> None:
    """Record single-row saves and deletes of the KINDS models (idempotent)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in KINDS:
        model = apps.get_model(label)
        post_save.connect(_on_saved, sender=model, dispatch_uid=f"changes-saved-{label}")
        post_delete.connect(_on_deleted, sender=model, dispatch_uid=f"changes-deleted-{label}")
