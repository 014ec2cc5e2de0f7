"""Computing one prefecture's raw facts inside its own schema, with set-based queries.

Every family below is a few aggregate queries (GROUP BY area, month, dimension) over
the tenant's tables; no Python loop touches individual rows. Where a domain app owns a
rule, its selector supplies the queryset and this module only groups it:
positions' coverage_two_musts_by_county (两个必建), opinions' overdue (deadline rule),
deputies' current_stationings (who is stationed), activities' events (what counts as an
activity). All queries run in one REPEATABLE READ transaction: one consistent
snapshot, taken right after `as_of` was read.

The area of a row is the county its division lies in: the second code of the
division's materialised path ("530100/530102/…" → 530102), or the prefecture's own
code for things attached to the prefecture itself (州市本级).
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, DateField, Exists, F, Func, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Concat, NullIf, TruncMonth
from django.utils import timezone

from liaison.tenants.activities import selectors as activity_selectors
from liaison.tenants.activities.models import EventKind, EventStatus, Reception, ScheduledDeputy, SignIn
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import selectors as opinion_selectors
from liaison.tenants.opinions.models import Evaluation, Opinion, Referral, Reply
from liaison.tenants.positions import selectors as position_selectors
from liaison.tenants.positions.models import Position

from .catalogue import FACTS

Row = tuple[str, "dt.date | None", str, str, int]  # area, month, metric, dimension, value


def area_of(path_field: str):
    """The county code of a division path (or the prefecture's own code), as an ORM expression."""
    second = Func(F(path_field), Value("/"), Value(2), function="split_part", output_field=CharField())
    return Coalesce(NullIf(second, Value("")), F(path_field), output_field=CharField())


def month_of(field_name: str):
    return TruncMonth(field_name, output_field=DateField(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _rows(qs, metric: str, *, dimension: str | None = None, value: str = "n", month: bool = False) -> list[Row]:
    out = []
    for rec in qs:
        v = rec[value]
        if v:
            out.append((rec["area"], rec["month"] if month else None, metric, (rec[dimension] or "") if dimension else "", int(v)))
    return out


@dataclass
class AreaInfo:
    code: str
    name: str
    prefecture_level: bool


@dataclass
class PrefectureFacts:
    as_of: dt.datetime
    rows: list[Row] = field(default_factory=list)  # per area, plus area "" = whole prefecture
    areas: list[AreaInfo] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Ctx:
    as_of: dt.datetime
    today: dt.date


# --- families ------------------------------------------------------------------------

def positions(c: Ctx) -> list[Row]:
    qs = Position.objects.annotate(area=area_of("division__path"))
    rows = _rows(qs.annotate(dim=Concat("tier", Value("/"), "status")).values("area", "dim").annotate(n=Count("id")).order_by(),
                 "positions", dimension="dim")
    established = (qs.filter(established_on__isnull=False, established_on__lte=c.today).exclude(status="closed")
                   .annotate(month=TruncMonth("established_on", output_field=DateField()))
                   .values("area", "month", "tier").annotate(n=Count("id")).order_by())
    rows += _rows(established, "positions_established", dimension="tier", month=True)
    return rows


def coverage(c: Ctx) -> list[Row]:
    """两个必建, by the positions app's own rule (coverage_two_musts), one county at a time."""
    codes = dict(Division.objects.filter(level=Division.Level.COUNTY).values_list("pk", "code"))
    rows: list[Row] = []
    for cov in position_selectors.coverage_two_musts_by_county():
        a = codes[cov.division_id]
        rows += [(a, None, "townships", "", cov.townships_total),
                 (a, None, "townships_with_station", "", cov.townships_with_station),
                 (a, None, "villages_required", "", cov.villages_requiring_office),
                 (a, None, "villages_required_with_office", "", cov.villages_with_office)]
    return [r for r in rows if r[4]]


def deputies(c: Ctx) -> list[Row]:
    """Active deputies on this prefecture's roll (each person is on one roll: counted once
    province-wide); guests from other prefectures are counted on their own roll."""
    roll = deputy_selectors.deputies(on_roll=True).annotate(area=area_of("constituency__path"))
    rows = _rows(roll.values("area", "level").annotate(n=Count("id")).order_by(), "deputies", dimension="level")
    stationed = roll.filter(pk__in=deputy_selectors.current_stationings(on=c.today).values("deputy"))
    rows += _rows(stationed.values("area", "level").annotate(n=Count("id")).order_by(), "deputies_stationed", dimension="level")
    return rows


def activities(c: Ctx) -> list[Row]:
    """The activities app's definitions (activity_totals): events held by kind; deputy
    visits = sign-ins; people received = sum recorded at receptions; by the event's month."""
    events = activity_selectors.events(end=c.as_of)
    held = events.filter(status=EventStatus.HELD).annotate(area=area_of("position__division__path"), month=month_of("starts_at"))
    rows = _rows(held.values("area", "month", "kind").annotate(n=Count("id")).order_by(), "activities", dimension="kind", month=True)
    in_scope = {"event__in": events.values("pk")}
    visits = (SignIn.objects.filter(**in_scope).annotate(area=area_of("event__position__division__path"), month=month_of("event__starts_at"))
              .values("area", "month").annotate(n=Count("id")).order_by())
    rows += _rows(visits, "deputy_visits", month=True)
    received = (Reception.objects.filter(**in_scope).annotate(area=area_of("event__position__division__path"), month=month_of("event__starts_at"))
                .values("area", "month").annotate(n=Sum("people_received")).order_by())
    rows += _rows(received, "people_received", month=True)
    slots = (ScheduledDeputy.objects.filter(event__in=held.filter(kind=EventKind.RECEPTION_DAY).values("pk"))
             .annotate(area=area_of("event__position__division__path"), month=month_of("event__starts_at"))
             .values("area", "month").annotate(
                 n=Count("id"),
                 a=Count("id", filter=Q(Exists(SignIn.objects.filter(event=OuterRef("event"), deputy=OuterRef("deputy")))))).order_by())
    slots = list(slots)
    rows += _rows(slots, "duty_slots", month=True) + _rows(slots, "duty_attended", value="a", month=True)
    return rows


def opinions(c: Ctx) -> list[Row]:
    """Opinions collected here (copies received from another prefecture are counted where
    they were registered, so the province counts each once), by registration month; what
    has happened to each cohort by the as-of time, following opinions.selectors.counts."""
    own = (Opinion.objects.filter(origin_schema="", registered_at__lte=c.as_of)
           .annotate(area=area_of("division__path"), month=month_of("registered_at")))
    rows = _rows(own.values("area", "month").annotate(n=Count("id")).order_by(), "opinions", month=True)
    rows += _rows(own.values("area", "month", "channel").annotate(n=Count("id")).order_by(), "opinions_by_channel", dimension="channel", month=True)
    rows += _rows(own.values("area", "month", "category__code").annotate(n=Count("id")).order_by(), "opinions_by_category",
                  dimension="category__code", month=True)
    overdue_ids = opinion_selectors.overdue(on=c.today).values("pk")
    cohort = own.values("area", "month").annotate(
        referred=Count("id", filter=Q(pk__in=Referral.objects.values("opinion"))),
        replied=Count("id", filter=Q(pk__in=Reply.objects.values("opinion"))),
        converted=Count("id", filter=Q(suggestion__isnull=False)),
        late_unreplied=Count("id", filter=Q(pk__in=overdue_ids) & ~Q(pk__in=Reply.objects.values("opinion"))),
    ).order_by()
    for rec in cohort:
        for metric, key in (("opinions_referred", "referred"), ("opinions_replied", "replied"), ("opinions_to_suggestions", "converted")):
            if rec[key]:
                rows.append((rec["area"], rec["month"], metric, "", rec[key]))
        if rec["replied"] + rec["late_unreplied"]:
            rows.append((rec["area"], rec["month"], "opinions_due", "", rec["replied"] + rec["late_unreplied"]))
    rows += _rows(own.filter(pk__in=overdue_ids).values("area").annotate(n=Count("id")).order_by(), "opinions_overdue")
    rows += _reply_cohorts(c)
    return rows


def _reply_cohorts(c: Ctx) -> list[Row]:
    """First reply (on time?), latest reply (outcome A?) and each rater's latest rating per
    opinion: DISTINCT ON picks the one row per opinion in SQL, then it is grouped."""
    op, rep, ev, div = (connection.ops.quote_name(m._meta.db_table) for m in (Opinion, Reply, Evaluation, Division))
    area = "COALESCE(NULLIF(split_part(d.path, '/', 2), ''), d.path)"
    month = "date_trunc('month', o.registered_at AT TIME ZONE %(tz)s)::date"
    base = f"{op} o JOIN {div} d ON d.id = o.division_id WHERE o.origin_schema = '' AND o.registered_at <= %(as_of)s"
    params = {"tz": settings.TIME_ZONE, "as_of": c.as_of}
    sql = f"""
        WITH first_reply AS (
            SELECT DISTINCT ON (opinion_id) opinion_id, round, replied_at, due_on FROM {rep} ORDER BY opinion_id, replied_at, id),
        latest_reply AS (
            SELECT DISTINCT ON (opinion_id) opinion_id, outcome FROM {rep} ORDER BY opinion_id, replied_at DESC, id DESC)
        SELECT {area}, {month}, 'opinions_on_time', '',
               count(*) FILTER (WHERE f.round = 1 AND (f.due_on IS NULL OR (f.replied_at AT TIME ZONE %(tz)s)::date <= f.due_on))
        FROM {base.replace('WHERE', 'JOIN first_reply f ON f.opinion_id = o.id WHERE')} GROUP BY 1, 2
        UNION ALL
        SELECT {area}, {month}, 'opinions_resolved', '', count(*) FILTER (WHERE l.outcome = 'A')
        FROM {base.replace('WHERE', 'JOIN latest_reply l ON l.opinion_id = o.id WHERE')} GROUP BY 1, 2
        UNION ALL
        SELECT {area}, {month}, r.rater || '_rated', r.satisfaction, count(*)
        FROM (SELECT DISTINCT ON (x.opinion_id, e.rater) x.opinion_id, e.rater, e.satisfaction
              FROM {ev} e JOIN {rep} x ON x.id = e.reply_id ORDER BY x.opinion_id, e.rater, e.rated_at DESC, e.id DESC) r
        JOIN {base.replace('WHERE', 'ON o.id = r.opinion_id WHERE')} GROUP BY 1, 2, 3, 4"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(a, m, metric, dim or "", int(v)) for a, m, metric, dim, v in cursor.fetchall() if v]


def resolution(c: Ctx) -> list[Row]:
    """解决率 by channel (practice.resolution's definition): of the opinions registered in the
    month that have a reply, how many, and how many whose latest reply has outcome A."""
    from liaison.tenants.practice.resolution import latest_outcome

    own = (Opinion.objects.filter(origin_schema="", registered_at__lte=c.as_of)
           .annotate(area=area_of("division__path"), month=month_of("registered_at"), latest=latest_outcome())
           .filter(latest__isnull=False))
    recs = list(own.values("area", "month", "channel").annotate(replied=Count("id"), resolved=Count("id", filter=Q(latest="A"))).order_by())
    return (_rows(recs, "opinions_replied_by_channel", dimension="channel", value="replied", month=True)
            + _rows(recs, "opinions_resolved_by_channel", dimension="channel", value="resolved", month=True))


def practice(c: Ctx) -> list[Row]:
    """Cadence (practice.selectors.cadence.cadence, each deputy's last complete periods) and
    grid coverage (practice.selectors.grids), by county."""
    from liaison.tenants.practice.models import Grid
    from liaison.tenants.practice.selectors import cadence as cadence_selectors
    from liaison.tenants.practice.selectors import grids as grid_selectors

    roll = deputy_selectors.deputies(on_roll=True).annotate(area=area_of("constituency__path"))
    counts: dict[tuple[str, str, str], int] = {}
    for item in cadence_selectors.cadence(roll, c.today):
        key = (item.deputy.area, "cadence_deputies", "")
        counts[key] = counts.get(key, 0) + 1
        for rule, status in item.rules.items():
            if status.met:
                key = (item.deputy.area, "cadence_met", rule)
                counts[key] = counts.get(key, 0) + 1
    rows: list[Row] = [(a, None, metric, dim, n) for (a, metric, dim), n in counts.items()]
    grids = Grid.objects.annotate(area=area_of("division__path"))
    rows += _rows(grids.values("area").annotate(n=Count("id")).order_by(), "grids")
    rows += _rows(grid_selectors.with_deputy(grids).values("area").annotate(n=Count("id")).order_by(), "grids_with_deputy")
    return rows


FAMILIES = [positions, coverage, deputies, activities, opinions, resolution, practice]


def areas() -> list[AreaInfo]:
    out = []
    for d in Division.objects.filter(level__in=[Division.Level.PREFECTURE, Division.Level.COUNTY]).order_by("code"):
        out.append(AreaInfo(d.code, f"{d.name}本级", True) if d.level == Division.Level.PREFECTURE else AreaInfo(d.code, d.name, False))
    return out


def compute(as_of: dt.datetime | None = None) -> PrefectureFacts:
    """All raw facts of the current schema's prefecture (call inside schema_context)."""
    started = time.perf_counter()
    as_of = as_of or timezone.now()
    ctx = Ctx(as_of=as_of, today=timezone.localtime(as_of).date())
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            # One snapshot for every query. Inside a caller's transaction (tests, or an
            # atomic block around the call) the level can no longer be set; theirs holds.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        rows: list[Row] = []
        for family in FAMILIES:
            rows += family(ctx)
        area_list = areas()
    unknown = {r[2] for r in rows} - set(FACTS)
    if unknown:
        raise ValueError(f"facts missing from the catalogue: {sorted(unknown)}")
    # Merge duplicates (same key from two queries) and add the whole-prefecture rows.
    merged: dict[tuple, int] = {}
    for a, m, metric, dim, value in rows:
        merged[(a, m, metric, dim)] = merged.get((a, m, metric, dim), 0) + value
    totals: dict[tuple, int] = {}
    for (a, m, metric, dim), value in merged.items():
        totals[(m, metric, dim)] = totals.get((m, metric, dim), 0) + value
    out = [(a, m, metric, dim, v) for (a, m, metric, dim), v in merged.items()]
    out += [("", m, metric, dim, v) for (m, metric, dim), v in totals.items() if v]
    return PrefectureFacts(as_of=as_of, rows=out, areas=area_list, seconds=time.perf_counter() - started)

