"""Writes to the roll-up tables: replace a prefecture's facts, mark it stale."""
from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from liaison.tenants.registry.models import Prefecture

from . import summary
from .models import Area, Fact, Snapshot


def replace_prefecture_facts(prefecture: Prefecture, facts, *, province: bool = True) -> Snapshot:
    """Swap in a prefecture's newly computed facts in one transaction.

    Readers see either the old set or the new one, never a mix. If an opinion changed
    while the facts were being computed (stale_since after as_of), the snapshot stays
    stale so the next beat run picks it up again. The prefecture's summary rows are
    rewritten too, and the province's (`province=False` leaves those to one
    `summary.rebuild_province()` after a batch of prefectures).
    """
    with transaction.atomic():
        summary.lock()  # one swap at a time, so each province rebuild sees every committed swap
        snapshot, _ = Snapshot.objects.select_for_update().get_or_create(prefecture=prefecture)
        Fact.objects.filter(prefecture=prefecture).delete()
        Area.objects.filter(prefecture=prefecture).delete()
        Area.objects.bulk_create([Area(prefecture=prefecture, code=a.code, name=a.name, prefecture_level=a.prefecture_level)
                                  for a in facts.areas])
        _copy_facts(prefecture.pk, facts.rows)
        snapshot.as_of = facts.as_of
        snapshot.computed_seconds = facts.seconds
        snapshot.rows = len(facts.rows)
        snapshot.last_error = ""
        changed_meanwhile = snapshot.stale_since is not None and snapshot.stale_since > facts.as_of
        snapshot.stale = changed_meanwhile
        snapshot.stale_since = snapshot.stale_since if changed_meanwhile else None
        snapshot.save()
        summary.write_prefecture(prefecture.pk, facts.rows)
        if province:
            summary.rebuild_province()
    return snapshot


def _copy_facts(prefecture_id: int, rows) -> None:
    """Insert the fact rows with COPY (tens of thousands of rows per prefecture)."""
    table = connection.ops.quote_name(Fact._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} (prefecture_id, area, month, metric, dimension, value) FROM STDIN") as copy:
            for area, month, metric, dimension, value in rows:
                copy.write_row((prefecture_id, area, month, metric, dimension, value))


def record_failure(prefecture: Prefecture, error: str) -> None:
    Snapshot.objects.get_or_create(prefecture=prefecture)
    Snapshot.objects.filter(prefecture=prefecture).update(last_error=error[:4000])


def mark_stale(schema_name: str) -> None:
    """Flag a prefecture's figures as out of date (called after an opinion changes)."""
    now = timezone.now()
    updated = Snapshot.objects.filter(prefecture__schema_name=schema_name, stale=False).update(stale=True, stale_since=now)
    if not updated and not Snapshot.objects.filter(prefecture__schema_name=schema_name).exists():
        prefecture = Prefecture.objects.filter(schema_name=schema_name).first()
        if prefecture is not None:
            Snapshot.objects.get_or_create(prefecture=prefecture, defaults={"stale": True, "stale_since": now})


def stale_schemas() -> list[str]:
    """Prefectures whose figures are stale or were never computed."""
    never = Prefecture.objects.filter(stats_snapshot__isnull=True).values_list("schema_name", flat=True)
    stale = Snapshot.objects.filter(stale=True).values_list("prefecture__schema_name", flat=True)
    return sorted(set(never) | set(stale))
