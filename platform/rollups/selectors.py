"""Reading statistics: the one source for the GraphQL API, the dashboard and the exports.

Everything here reads the roll-up tables in `public` only (a handful of queries whatever
the number of prefectures); nothing opens a tenant schema. The province's figures are
read from the rows a refresh materialised (rollups.summary): no aggregation at read time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import timezone

from liaison.tenants.registry.models import Prefecture
from liaison.tenants.stats.catalogue import FIGURES, TREND_SERIES, Raw, compute_figures

from . import summary
from .models import Area, Fact, Snapshot

PROVINCE_CODE = "530000"


def default_since() -> dt.date:
    """Cumulative figures count from here unless asked otherwise (Yunnan: since 2019)."""
    value = getattr(settings, "LIAISON_STATS_SINCE", "2019-01-01")
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass
class StatRow:
    """The figures of one scope: the province, a prefecture or a county."""

    code: str
    name: str
    slug: str | None
    as_of: dt.datetime | None
    stale: bool
    raw: Raw
    figures: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.figures:  # materialised rows bring theirs, computed at refresh time
            self.figures = compute_figures(self.raw)


@dataclass
class TrendPoint:
    month: dt.date
    figures: dict


@dataclass
class Statistics:
    scope: str  # "province" or "prefecture"
    since: dt.date
    as_of: dt.datetime | None  # the oldest as-of among the rows (every figure is at least this fresh)
    totals: StatRow
    rows: list[StatRow]  # prefectures (province) or areas (prefecture)
    trend: list[TrendPoint]
    never_computed: list[str] = field(default_factory=list)


def _since(since: dt.date | None) -> dt.date:
    return month_start(since or default_since())


def _facts_filter(since: dt.date) -> Q:
    return Q(month__isnull=True) | Q(month__gte=since)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, cur = [], start
    while cur <= end:
        out.append(cur)
        cur = (cur.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _trend(qs, since: dt.date, as_of: dt.datetime | None) -> list[TrendPoint]:
    by_month: dict[dt.date, Raw] = {}
    for rec in qs.filter(month__gte=since).values("month", "metric", "dimension").annotate(v=Sum("value")).order_by():
        by_month.setdefault(rec["month"], Raw()).add(rec["metric"], rec["dimension"], rec["v"])
    return _trend_points(by_month, since, as_of)


def _trend_points(by_month: dict[dt.date, Raw | dict], since: dt.date, as_of: dt.datetime | None) -> list[TrendPoint]:
    """Every month from `since` to the as-of month; `by_month` holds a month's raw facts,
    or its figures when they were materialised."""
    end = month_start(timezone.localtime(as_of).date() if as_of else timezone.localdate())
    if by_month:
        end = max(end, max(by_month))
    empty = None
    points = []
    for m in _months(since, end):
        value = by_month.get(m)
        if value is None:
            empty = empty or compute_figures(Raw(), TREND_SERIES)
            figures = dict(empty)
        else:
            figures = value if isinstance(value, dict) else compute_figures(value, TREND_SERIES)
        points.append(TrendPoint(m, figures))
    return points


CACHE_SECONDS = 3600


def _cache_key(kind: str, since: dt.date, versions) -> str:
    digest = hashlib.sha1(repr(list(versions)).encode()).hexdigest()
    return f"liaison:stats:v1:{kind}:{since.isoformat()}:{digest}"


def province_statistics(since: dt.date | None = None) -> Statistics:
    """Province figures. Cached per (since, every prefecture's as-of and stale flag): a
    refresh or a stale mark changes the key, so a cached answer is never older than the
    roll-up tables it was computed from."""
    since = _since(since)
    prefectures = list(Prefecture.objects.order_by("code").select_related("stats_snapshot"))
    key = _cache_key("province", since, ((p.pk, p.name, getattr(getattr(p, "stats_snapshot", None), "as_of", None),
                                          getattr(getattr(p, "stats_snapshot", None), "stale", True)) for p in prefectures))
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = _province_statistics(since, prefectures)
    cache.set(key, result, CACHE_SECONDS)
    return result


def _province_statistics(since: dt.date, prefectures: list[Prefecture]) -> Statistics:
    as_ofs = [(p.pk, getattr(getattr(p, "stats_snapshot", None), "as_of", None)) for p in prefectures]
    if any(as_of for _, as_of in as_ofs):
        materialised = summary.read_province(since, as_ofs)
        if materialised is not None:  # the rows a refresh wrote: totals, prefectures and trend, with their figures
            total, by_prefecture, trend = materialised
            return _province_result(since, prefectures, by_prefecture, total, trend)
    # Not materialised for these as-of times (a prefecture added, deleted or not refreshed
    # since summaries exist): aggregate the facts, as the summaries were built.
    raws: dict[int, Raw] = {}
    facts = Fact.objects.filter(_facts_filter(since), area="")
    for rec in facts.values("prefecture_id", "metric", "dimension").annotate(v=Sum("value")).order_by():
        raws.setdefault(rec["prefecture_id"], Raw()).add(rec["metric"], rec["dimension"], rec["v"])
    total = Raw()
    for p in prefectures:
        for key, v in raws.get(p.pk, Raw()).values.items():
            total.add(*key, v)
    by_month: dict[dt.date, Raw] = {}
    for rec in Fact.objects.filter(area="", month__gte=since).values("month", "metric", "dimension").annotate(v=Sum("value")).order_by():
        by_month.setdefault(rec["month"], Raw()).add(rec["metric"], rec["dimension"], rec["v"])
    return _province_result(since, prefectures, {pk: (raw, {}) for pk, raw in raws.items()}, (total, {}), by_month)


def _province_result(since: dt.date, prefectures: list[Prefecture], scopes: dict[int, tuple[Raw, dict]],
                     total: tuple[Raw, dict], by_month: dict[dt.date, Raw | dict]) -> Statistics:
    """Assemble the answer from each scope's (raw facts, figures or {} to compute them)."""
    rows = []
    for p in prefectures:
        snap = getattr(p, "stats_snapshot", None)
        raw, figures = scopes.get(p.pk, (Raw(), {}))
        rows.append(StatRow(p.code, p.name, p.schema_name, snap.as_of if snap else None, bool(snap is None or snap.stale),
                            raw, figures))
    as_ofs = [r.as_of for r in rows if r.as_of]
    as_of = min(as_ofs) if as_ofs else None
    totals = StatRow(PROVINCE_CODE, "全省", None, as_of, any(r.stale for r in rows), *total)
    return Statistics("province", since, as_of, totals, rows, _trend_points(by_month, since, max(as_ofs) if as_ofs else None),
                      [r.slug for r in rows if r.as_of is None])


def prefecture_statistics(prefecture: Prefecture, since: dt.date | None = None) -> Statistics:
    """A prefecture's figures with its areas; cached like province_statistics."""
    since = _since(since)
    snap = Snapshot.objects.filter(prefecture=prefecture).first()
    key = _cache_key("prefecture", since, [(prefecture.pk, prefecture.name, snap.as_of if snap else None, snap.stale if snap else True)])
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = _prefecture_statistics(prefecture, since, snap)
    cache.set(key, result, CACHE_SECONDS)
    return result


def _prefecture_statistics(prefecture: Prefecture, since: dt.date, snap: Snapshot | None) -> Statistics:
    as_of = snap.as_of if snap else None
    stale = bool(snap is None or snap.stale)
    raws: dict[str, Raw] = {}
    facts = Fact.objects.filter(_facts_filter(since), prefecture=prefecture)
    for rec in facts.values("area", "metric", "dimension").annotate(v=Sum("value")).order_by():
        raws.setdefault(rec["area"], Raw()).add(rec["metric"], rec["dimension"], rec["v"])
    rows = [StatRow(a.code, a.name, None, as_of, stale, raws.get(a.code, Raw()))
            for a in Area.objects.filter(prefecture=prefecture).order_by("-prefecture_level", "code")]
    totals = StatRow(prefecture.code, prefecture.name, prefecture.schema_name, as_of, stale, raws.get("", Raw()))
    return Statistics("prefecture", since, as_of, totals, rows,
                      _trend(Fact.objects.filter(prefecture=prefecture, area=""), since, as_of),
                      [] if as_of else [prefecture.schema_name])


def breakdown(raw: Raw, metric: str, labels: list[tuple[str, str]] | None = None) -> list[tuple[str, str, int]]:
    """(code, label, value) for one fact's dimension, in the catalogue's order, zeros included."""
    values = raw.by_dimension(metric)
    labels = labels or []
    known = {code for code, _ in labels}
    out = [(code, label, values.get(code, 0)) for code, label in labels]
    out += [(code, code or "未分类", v) for code, v in sorted(values.items()) if code not in known]
    return out


def category_labels() -> list[tuple[str, str]]:
    from liaison.platform.province.models import Category

    return [(c.code, c.name) for c in Category.objects.order_by("sort_order", "code")] + [("", "未分类")]


def channel_labels() -> list[tuple[str, str]]:
    from liaison.tenants.opinions.models import Channel

    return list(Channel.choices)


def activity_kind_labels() -> list[tuple[str, str]]:
    from liaison.tenants.activities.models import EventKind

    return list(EventKind.choices)


def figure_columns():
    return FIGURES


def trend_series():
    return TREND_SERIES
