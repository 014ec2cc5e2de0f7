"""The province page materialised at refresh time (rollups.models.Summary).

A refresh writes its prefecture's cumulative rows (from the facts it computed, in
memory) and then rebuilds the province's rows from the whole-prefecture facts of every
prefecture, inside the same transaction; each row carries its figures, computed then.
A cold `selectors.province_statistics()` reads one statement of indexed rows and
computes nothing.

Swaps are serialised by a transaction-level advisory lock, so a rebuild always sees
every swap committed before it. A reader still checks the rows' versions against the
prefectures' current as-of times and the catalogue, and aggregates the facts itself on
a mismatch (a prefecture added, deleted or refreshed without the province rebuild, or a
catalogue changed by a deployment since the last refresh).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

from liaison.tenants.registry.models import Prefecture
from liaison.tenants.stats import catalogue
from liaison.tenants.stats.catalogue import TREND_SERIES, Raw, compute_figures

from .models import Fact, Snapshot, Summary

FAR_FUTURE = dt.date(9999, 12, 1)  # the "since" row holding the stock facts alone
_LOCK_KEY = 0x5354_4154  # "STAT": pg_advisory_xact_lock key of roll-up swaps

Values = dict[tuple[str, str], int]


@functools.cache
def catalogue_version() -> str:
    """Changes whenever the catalogue (the figures' definitions) changes."""
    return hashlib.sha1(Path(catalogue.__file__).read_bytes()).hexdigest()


def lock() -> None:
    """Serialise roll-up swaps until the end of the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def version(as_ofs: Iterable[tuple[int, dt.datetime | None]]) -> str:
    """The identity of the catalogue and a set of prefectures' as-of times (those never
    computed left out): what the province's rows were computed from."""
    text = ";".join(f"{pk}@{as_of.timestamp():.6f}" for pk, as_of in sorted(as_ofs) if as_of is not None)
    return hashlib.sha1(f"{catalogue_version()}|{text}".encode()).hexdigest()


def _since_rows(stock: Values, flows: dict[dt.date, Values]) -> list[tuple[dt.date, Values]]:
    """Suffix sums: for each month with flows, stock + every flow from that month on."""
    acc = dict(stock)
    out = [(FAR_FUTURE, dict(acc))]
    for month in sorted(flows, reverse=True):
        for key, v in flows[month].items():
            acc[key] = acc.get(key, 0) + v
        out.append((month, dict(acc)))
    return out


def _split(rows: Iterable[tuple[dt.date | None, str, str, int]]) -> tuple[Values, dict[dt.date, Values]]:
    stock: Values = {}
    flows: dict[dt.date, Values] = {}
    for month, metric, dimension, value in rows:
        target = stock if month is None else flows.setdefault(month, {})
        target[(metric, dimension)] = target.get((metric, dimension), 0) + value
    return stock, flows


def _since_summaries(stock: Values, flows: dict[dt.date, Values], prefecture_id: int | None, version_: str) -> list[Summary]:
    return [Summary(prefecture_id=prefecture_id, kind=Summary.KIND_SINCE, month=month, version=version_,
                    raw=[[m, d, v] for (m, d), v in sorted(values.items())], figures=compute_figures(Raw(values)))
            for month, values in _since_rows(stock, flows)]


def write_prefecture(prefecture_id: int, rows) -> None:
    """Replace a prefecture's "since" rows from its freshly computed facts (area "" only)."""
    stock, flows = _split((month, metric, dim, v) for area, month, metric, dim, v in rows if area == "")
    Summary.objects.filter(prefecture_id=prefecture_id).delete()
    Summary.objects.bulk_create(_since_summaries(stock, flows, prefecture_id, catalogue_version()), batch_size=500)


def rebuild_province() -> None:
    """Recompute the province's rows: the prefectures' whole-prefecture facts summed
    (one grouped query over the facts), as "since" rows and monthly trend rows."""
    current = version(Snapshot.objects.filter(as_of__isnull=False).values_list("prefecture_id", "as_of"))
    table = connection.ops.quote_name(Fact._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT month, metric, dimension, SUM(value) FROM {table} WHERE area = '' GROUP BY 1, 2, 3")
        stock, flows = _split((month, metric, dim, int(v)) for month, metric, dim, v in cursor.fetchall())
    Summary.objects.filter(prefecture__isnull=True).delete()
    Summary.objects.bulk_create(
        _since_summaries(stock, flows, None, current)
        + [Summary(kind=Summary.KIND_MONTH, month=month, version=current, figures=compute_figures(Raw(values), TREND_SERIES))
           for month, values in flows.items()],
        batch_size=500)


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def read_province(since: dt.date, as_ofs: Iterable[tuple[int, dt.datetime | None]]):
    """(province (raw, figures), {prefecture pk: (raw, figures)}, {month: trend figures})
    cumulative since `since`, or None when the rows do not match these as-of times or
    this catalogue.

    One statement: per scope the first "since" row at or after `since` (an index probe
    per prefecture, however many rows each holds), then the province's trend rows."""
    as_ofs = list(as_ofs)
    table = connection.ops.quote_name(Summary._meta.db_table)
    prefecture_table = connection.ops.quote_name(Prefecture._meta.db_table)
    first = f"SELECT version, raw, figures FROM {table} s WHERE s.kind = 'since' AND s.month >= %(since)s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT 's', p.id, NULL::date, s.version, s.raw, s.figures FROM {prefecture_table} p
                CROSS JOIN LATERAL ({first} AND s.prefecture_id = p.id ORDER BY s.month LIMIT 1) s
                UNION ALL
                SELECT 's', NULL, NULL, s.version, s.raw, s.figures
                FROM ({first} AND s.prefecture_id IS NULL ORDER BY s.month LIMIT 1) s
                UNION ALL
                SELECT 'm', NULL, month, version, NULL, figures FROM {table}
                WHERE kind = 'month' AND prefecture_id IS NULL AND month >= %(since)s""",
            {"since": since})
        rows = cursor.fetchall()
    expected, prefecture_version = version(as_ofs), catalogue_version()
    cumulative: dict[int | None, tuple[Raw, dict]] = {}
    trend: dict[dt.date, dict] = {}
    for kind, prefecture_id, month, version_, raw, figures in rows:
        if version_ != (prefecture_version if prefecture_id is not None else expected):
            return None  # computed with another catalogue, or for other as-of times
        if kind == "m":
            trend[month] = _json(figures)
        else:
            cumulative[prefecture_id] = (Raw({(m, d): v for m, d, v in _json(raw)}), _json(figures))
    computed = {pk for pk, as_of in as_ofs if as_of is not None}
    if None not in cumulative or not computed <= cumulative.keys():
        return None  # never rebuilt, or a prefecture last computed before summaries existed
    return cumulative.pop(None), cumulative, trend
