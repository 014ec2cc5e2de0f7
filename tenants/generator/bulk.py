"""Bulk loading into one prefecture schema with PostgreSQL COPY (psycopg 3).

Rows are dicts keyed by field name or attname; every concrete column of the model is
written, so fields the generator does not know get their model default (auto_now
fields get the row's `_when` or the generation's as-of moment). A field that is
required and has no default raises MissingField naming it, so a model change shows
up as a clear message rather than as bad rows.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Callable, Iterable

from django.apps import apps
from django.db import connection, models

from liaison.tenants.common import audit


class MissingField(Exception):
    pass


def _raiser(message: str):
    def fail():
        raise MissingField(message)
    return fail


ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, Enum):
        v = v.value
    return str(v).translate(ESCAPES)


def _bool(v) -> str:
    return "\\N" if v is None else ("t" if v else "f")


def _plain(v) -> str:  # ints, decimals
    return "\\N" if v is None else str(v)


def _iso(v) -> str:  # dates and aware datetimes
    return "\\N" if v is None else v.isoformat()


def _json(v) -> str:
    return "\\N" if v is None else json.dumps(v, ensure_ascii=False, default=str).translate(ESCAPES)


def converter(f) -> Callable[[object], str]:
    """How one field's Python value is written in COPY text format."""
    if isinstance(f, models.JSONField):
        return _json
    if isinstance(f, models.BooleanField):
        return _bool
    if isinstance(f, (models.DateTimeField, models.DateField)):
        return _iso
    if isinstance(f, (models.IntegerField, models.AutoField, models.DecimalField, models.FloatField)) or f.is_relation:
        return _plain
    return _text


# Tables present in the schemas being generated (set by the caller): a model whose
# migration has not been written or applied yet is treated as absent.
TABLES: set[str] | None = None


def get_model(label: str):
    """`app_label.ModelName`. A model that was renamed or removed, or whose table is not
    there (an unmigrated schema), fails loudly: generated data must never silently lack
    a part."""
    model = apps.get_model(label)  # LookupError naming the model
    if TABLES is not None and model._meta.db_table not in TABLES:
        raise LookupError(f"generator: table {model._meta.db_table} of {label} does not exist; run `liaison migrate_schemas`")
    return model


def field_names(model) -> set[str]:
    names = set()
    for f in model._meta.concrete_fields:
        names.add(f.name)
        names.add(f.attname)
    return names


def has_fields(model, *names: str) -> bool:
    return model is not None and set(names) <= field_names(model)


def choice_values(model, name: str) -> list[str]:
    try:
        f = model._meta.get_field(name)
    except Exception:
        return []
    return [value for value, _label in (f.choices or [])]


def flush_deferred_checks(cursor) -> None:
    """Run the foreign-key checks queued so far in this transaction (they are deferred
    to commit otherwise); DDL such as CREATE INDEX or TRUNCATE needs none pending."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Loader:
    schema: str
    when: datetime  # default for auto_now / auto_now_add
    echo: Callable[[str], None] = print
    progress_every: int = 100_000
    defer_indexes_above: int = 20_000  # rows; 0 = never drop and rebuild indexes
    stats: dict[str, TableStat] = field(default_factory=dict)

    def reserve_ids(self, model, n: int) -> list[int]:
        """n primary keys from the table's own sequence (identity or serial)."""
        if n <= 0:
            return []
        table = f'"{self.schema}"."{model._meta.db_table}"'
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            seq = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, n])
            last = cursor.fetchone()[0]
        return list(range(last - n + 1, last + 1))

    def _encoder(self, model) -> Callable[[dict], str]:
        """A compiled function turning one row dict into one line of COPY text format."""
        ns: dict = {"MissingField": MissingField, "WHEN": self.when, "N": "\\N"}
        parts = []
        for i, f in enumerate(model._meta.concrete_fields):
            a, n = f.attname, f.name
            if getattr(f, "auto_now", False):
                fallback = 'row.get("_updated") or row.get("_when", WHEN)'
            elif getattr(f, "auto_now_add", False):
                fallback = 'row.get("_when", WHEN)'
            elif f.primary_key:
                fallback = None
            elif f.has_default():
                ns[f"d{i}"] = f.get_default if callable(f.default) else f.get_default()
                fallback = f"d{i}()" if callable(f.default) else f"d{i}"
            elif f.null:
                fallback = "None"
            elif f.blank and f.empty_strings_allowed:
                fallback = '""'
            else:
                fallback = None
            if fallback is None:
                ns[f"m{i}"] = f"{model._meta.label}.{f.name} is required and the generator does not fill it"
                ns[f"raise{i}"] = _raiser(ns[f"m{i}"])
                fallback = f"raise{i}()"
            get = f'(row["{a}"] if "{a}" in row else ' + (f'row["{n}"] if "{n}" in row else ' if n != a else "") + f"{fallback})"
            ns[f"c{i}"] = converter(f)
            parts.append(f"c{i}({get})")
        src = "def encode(row):\n    return '\\t'.join((" + ", ".join(parts) + ",)) + '\\n'\n"
        exec(src, ns)  # noqa: S102 - generated from model metadata only
        return ns["encode"]

    def _droppable_indexes(self, table: str) -> list[tuple[str, str]]:
        """Non-unique indexes that back no constraint: (name, definition)."""
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT i.relname, pg_get_indexdef(x.indexrelid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = %s AND t.relname = %s AND NOT x.indisunique AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""", [self.schema, table])
            return cursor.fetchall()

    def copy(self, model, rows: Iterable[dict], *, label: str | None = None, size: int | None = None) -> int:
        """COPY rows into the model's table (text format, encoded here in batches).

        A large load into an empty table drops the table's plain indexes first and
        builds them again afterwards (one sort per index instead of one insertion per
        row per index); it all happens inside the caller's transaction."""
        encode = self._encoder(model)
        table = model._meta.db_table
        deferred: list[tuple[str, str]] = []
        size = len(rows) if size is None and hasattr(rows, "__len__") else size
        if self.defer_indexes_above and size and size > self.defer_indexes_above:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{self.schema}"."{table}")')
                if cursor.fetchone()[0]:
                    deferred = self._droppable_indexes(table)
                    if deferred:
                        flush_deferred_checks(cursor)
                    for name, _ in deferred:
                        cursor.execute(f'DROP INDEX "{self.schema}"."{name}"')
        columns = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
        sql = f'COPY "{self.schema}"."{table}" ({columns}) FROM STDIN'
        started = time.perf_counter()
        n = 0
        batch: list[str] = []
        with connection.cursor() as wrapper:  # sets the search_path; the table is qualified anyway
            # Generated rows are not anyone's change: no audit events (tenants/common/audit.py).
            suspended = audit.suspend_for(wrapper, model)
            with wrapper.cursor.copy(sql) as cp:
                for row in rows:
                    batch.append(encode(row))
                    n += 1
                    if len(batch) >= 2000:
                        cp.write("".join(batch).encode())
                        batch.clear()
                        if self.progress_every and n % self.progress_every == 0:
                            rate = n / (time.perf_counter() - started)
                            self.echo(f"    {label or table}: {n:,} rows… ({rate:,.0f} rows/s)")
                if batch:
                    cp.write("".join(batch).encode())
            if suspended:
                audit.resume(wrapper)
        if deferred:
            with connection.cursor() as cursor:
                flush_deferred_checks(cursor)  # CREATE INDEX refuses a table with foreign-key checks pending
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for _, definition in deferred:
                    cursor.execute(definition)
        stat = self.stats.setdefault(label or table, TableStat())
        stat.rows += n
        stat.seconds += time.perf_counter() - started
        return n

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.stats.values())

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.stats.values())
