"""Bulk loading into one prefecture schema with PostgreSQL COPY (psycopg 3).

Rows are dicts keyed by field name or attname; every concrete column of the model is
written, so fields the generator does not know get their model default (auto_now
fields get the row's `_when` or the generation's as-of moment). A field that is
required and has no default raises MissingField naming it, so a model change shows
up as a clear message rather than as bad rows.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Callable, Iterable

from django.apps import apps
from django.db import connection, models
from psycopg.types.json import Jsonb


class MissingField(Exception):
    pass


def get_model(label: str):
    """`app_label.ModelName` or None when that model does not exist (yet)."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


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

    def _fillers(self, model):
        out = []
        for f in model._meta.concrete_fields:
            keys = (f.attname, f.name)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = ("when", None)
            elif f.primary_key:
                default = ("required", None)
            elif f.has_default():
                default = ("callable", f.get_default) if callable(f.default) else ("value", f.get_default())
            elif f.null:
                default = ("value", None)
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                default = ("value", "")
            else:
                default = ("required", None)
            out.append((f, keys, default, isinstance(f, models.JSONField)))
        return out

    def copy(self, model, rows: Iterable[dict], *, label: str | None = None) -> int:
        """COPY rows into the model's table; returns the number written."""
        fillers = self._fillers(model)
        table = model._meta.db_table
        columns = ", ".join(f'"{f.column}"' for f, *_ in fillers)
        sql = f'COPY "{self.schema}"."{table}" ({columns}) FROM STDIN'
        started = time.perf_counter()
        n = 0
        with connection.cursor() as wrapper:  # sets the search_path; we qualify anyway
            with wrapper.cursor.copy(sql) as cp:
                for row in rows:
                    values = []
                    for f, keys, (kind, default), is_json in fillers:
                        if keys[0] in row:
                            v = row[keys[0]]
                        elif keys[1] in row:
                            v = row[keys[1]]
                        elif kind == "when":
                            v = row.get("_when", self.when)
                        elif kind == "value":
                            v = default
                        elif kind == "callable":
                            v = default()
                        else:
                            raise MissingField(f"{model._meta.label}.{f.name} is required and the generator does not fill it")
                        if is_json and v is not None:
                            v = Jsonb(v)
                        elif isinstance(v, Enum):
                            v = v.value
                        values.append(v)
                    cp.write_row(values)
                    n += 1
                    if self.progress_every and n % self.progress_every == 0:
                        rate = n / (time.perf_counter() - started)
                        self.echo(f"    {label or table}: {n:,} rows… ({rate:,.0f} rows/s)")
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
