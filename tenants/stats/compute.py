"""Computing one prefecture's raw facts inside its own schema, with set-based SQL.

Every family below is one or a few aggregate queries (GROUP BY area, month,
dimension) over the tenant's tables; no Python loop touches individual rows. All
queries run in one REPEATABLE READ transaction, so the figures are one consistent
snapshot, taken right after `as_of` was read.

The area of a row is the county its division lies in: the second code of the
division's materialised path ("530100/530102/…" → 530102), or the prefecture's own
code for things attached to the prefecture itself (州市本级).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.positions.models import Position

from .catalogue import FACTS, IN_OPERATION

Row = tuple[str, "date | None", str, str, int]  # area, month, metric, dimension, value

AREA = "COALESCE(NULLIF(split_part({d}.path, '/', 2), ''), {d}.path)"


def area(alias: str) -> str:
    return AREA.format(d=alias)


def month(expr: str) -> str:
    # Calendar month in the province's time zone (a timestamptz) or of a date.
    return f"date_trunc('month', ({expr}) AT TIME ZONE %(tz)s)::date"


def month_of_date(expr: str) -> str:
    return f"date_trunc('month', {expr})::date"


@dataclass
class AreaInfo:
    code: str
    name: str
    prefecture_level: bool


@dataclass
class PrefectureFacts:
    as_of: datetime
    rows: list[Row] = field(default_factory=list)  # per area, plus area "" = whole prefecture
    areas: list[AreaInfo] = field(default_factory=list)
    seconds: float = 0.0


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _run(sql: str, params: dict, metric: str | None = None) -> list[Row]:
    """Execute an aggregate query returning (area, month, [metric,] dimension, value)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        out = []
        for rec in cursor.fetchall():
            if metric is None:
                a, m, met, dim, v = rec
            else:
                a, m, dim, v = rec
                met = metric
            if v:
                out.append((a, m, met, dim or "", int(v)))
        return out


# --- families ------------------------------------------------------------------------

def positions(p: dict) -> list[Row]:
    pos, div = _t(Position), _t(Division)
    rows = _run(f"""
        SELECT {area('d')}, NULL::date, p.tier || '/' || p.status, count(*)
        FROM {pos} p JOIN {div} d ON d.id = p.division_id
        GROUP BY 1, 3""", p, "positions")
    rows += _run(f"""
        SELECT {area('d')}, {month_of_date('p.established_on')}, p.tier, count(*)
        FROM {pos} p JOIN {div} d ON d.id = p.division_id
        WHERE p.established_on IS NOT NULL AND p.established_on <= %(as_of_date)s AND p.status <> 'closed'
        GROUP BY 1, 2, 3""", p, "positions_established")
    return rows


def coverage(p: dict) -> list[Row]:
    """两个必建: every township has a station; every village/community with 3+ deputies an office.

    TODO(issue 3): switch to the positions engineer's coverage selector when it lands;
    this query is written against the models with the rule as PRODUCT.md states it.
    """
    pos, div, dep = _t(Position), _t(Division), _t(Deputy)
    p = {**p, "in_op": list(IN_OPERATION)}
    rows: list[Row] = []
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT {area('d')}, count(*),
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM {pos} s JOIN {div} sd ON sd.id = s.division_id
                       WHERE s.tier = 'station' AND s.status = ANY(%(in_op)s)
                         AND (sd.id = d.id OR sd.path LIKE d.path || '/%%')))
            FROM {div} d WHERE d.level = 'township' GROUP BY 1""", p)
        for a, total, covered in cursor.fetchall():
            rows += [(a, None, "townships", "", total), (a, None, "townships_with_station", "", covered)]
        cursor.execute(f"""
            WITH required AS (
                SELECT d.id, d.path FROM {div} d JOIN {dep} x ON x.constituency_id = d.id AND x.active
                WHERE d.level = 'village' GROUP BY d.id, d.path HAVING count(*) >= 3)
            SELECT {area('r')}, count(*),
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM {pos} o JOIN {div} od ON od.id = o.division_id
                       WHERE o.tier = 'office' AND o.status = ANY(%(in_op)s)
                         AND (od.id = r.id OR od.path LIKE r.path || '/%%')))
            FROM required r GROUP BY 1""", p)
        for a, total, covered in cursor.fetchall():
            rows += [(a, None, "villages_required", "", total), (a, None, "villages_required_with_office", "", covered)]
    return [r for r in rows if r[4]]


def deputies(p: dict) -> list[Row]:
    dep, div = _t(Deputy), _t(Division)
    return _run(f"""
        SELECT {area('d')}, NULL::date, x.level, count(*)
        FROM {dep} x JOIN {div} d ON d.id = x.constituency_id
        WHERE x.active GROUP BY 1, 3""", p, "deputies")


def opinions(p: dict) -> list[Row]:
    op, div = _t(Opinion), _t(Division)
    from liaison.platform.province.models import Category

    cat = _t(Category)
    base = f"FROM {op} o JOIN {div} d ON d.id = o.division_id WHERE o.registered_at <= %(as_of)s"
    rows = _run(f"""
        SELECT {area('d')}, {month('o.registered_at')}, 'opinions', '', count(*) {base} GROUP BY 1, 2
        UNION ALL
        SELECT {area('d')}, {month('o.registered_at')}, 'opinions_by_channel', o.channel, count(*) {base} GROUP BY 1, 2, 4""", p)
    rows += _run(f"""
        SELECT {area('d')}, {month('o.registered_at')}, COALESCE(c.code, ''), count(*)
        FROM {op} o JOIN {div} d ON d.id = o.division_id LEFT JOIN {cat} c ON c.id = o.category_id
        WHERE o.registered_at <= %(as_of)s GROUP BY 1, 2, 3""", p, "opinions_by_category")
    # TODO(issue 4): referrals, replies (outcome, deadline), ratings and suggestions from
    # the opinions engineer's models; until they land, the status field tells referred
    # and replied, and the other loop facts are zero.
    rows += _run(f"""
        SELECT {area('d')}, {month('o.registered_at')}, 'opinions_referred', '',
               count(*) FILTER (WHERE o.status IN ('referred', 'replied', 'closed')) {base} GROUP BY 1, 2
        UNION ALL
        SELECT {area('d')}, {month('o.registered_at')}, 'opinions_replied', '',
               count(*) FILTER (WHERE o.status IN ('replied', 'closed')) {base} GROUP BY 1, 2""", p)
    return rows


FAMILIES = [positions, coverage, deputies, opinions]


def areas() -> list[AreaInfo]:
    out = []
    for d in Division.objects.filter(level__in=[Division.Level.PREFECTURE, Division.Level.COUNTY]).order_by("code"):
        if d.level == Division.Level.PREFECTURE:
            out.append(AreaInfo(d.code, f"{d.name}本级", True))
        else:
            out.append(AreaInfo(d.code, d.name, False))
    return out


def compute(as_of: datetime | None = None) -> PrefectureFacts:
    """All raw facts of the current schema's prefecture (call inside schema_context)."""
    import time

    started = time.perf_counter()
    as_of = as_of or timezone.now()
    params = {"as_of": as_of, "as_of_date": timezone.localtime(as_of).date(), "tz": settings.TIME_ZONE}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            # One snapshot for every query. Inside a caller's transaction (tests, or an
            # atomic block around the call) the level can no longer be set; theirs holds.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        rows: list[Row] = []
        for family in FAMILIES:
            rows += family(params)
        area_list = areas()
    unknown = {r[2] for r in rows} - set(FACTS)
    if unknown:
        raise ValueError(f"facts missing from the catalogue: {sorted(unknown)}")
    totals: dict[tuple, int] = {}
    for a, m, metric, dim, value in rows:
        key = (m, metric, dim)
        totals[key] = totals.get(key, 0) + value
    rows += [("", m, metric, dim, v) for (m, metric, dim), v in totals.items() if v]
    return PrefectureFacts(as_of=as_of, rows=rows, areas=area_list, seconds=time.perf_counter() - started)

