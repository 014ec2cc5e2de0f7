"""A second, naive way to compute the same figures: the ORM, tenant by tenant.

Used as the oracle in tests (an independent code path: ORM querysets and Python
instead of the SQL in compute.py) and as the baseline in benchmarks/stats_bench.py
("recompute live by looping over tenants with the ORM"). Not used to serve anything.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django_tenants.utils import schema_context

from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.positions.models import Position

from .catalogue import IN_OPERATION, Raw


def _area(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def prefecture_raw_by_area(schema: str, since: dt.date, as_of: dt.datetime) -> dict[str, Raw]:
    """Raw facts per area of one prefecture, cumulative since `since` (a month start)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    since_at = dt.datetime(since.year, since.month, since.day, tzinfo=tz)
    out: dict[str, Raw] = {}

    def raw(a: str) -> Raw:
        return out.setdefault(a, Raw())

    with schema_context(schema):
        paths = dict(Division.objects.values_list("id", "path"))
        for rec in Position.objects.values("division_id", "tier", "status").annotate(n=Count("id")):
            raw(_area(paths[rec["division_id"]])).add("positions", f"{rec['tier']}/{rec['status']}", rec["n"])
        for rec in (Position.objects.exclude(status="closed").filter(established_on__gte=since, established_on__lte=as_of.astimezone(tz).date())
                    .values("division_id", "tier").annotate(n=Count("id"))):
            raw(_area(paths[rec["division_id"]])).add("positions_established", rec["tier"], rec["n"])
        # 两个必建
        built = Position.objects.filter(status__in=IN_OPERATION)
        station_paths = [paths[d] for d in built.filter(tier="station").values_list("division_id", flat=True)]
        office_paths = [paths[d] for d in built.filter(tier="office").values_list("division_id", flat=True)]
        for t in Division.objects.filter(level="township"):
            raw(_area(t.path)).add("townships", "", 1)
            if any(p == t.path or p.startswith(t.path + "/") for p in station_paths):
                raw(_area(t.path)).add("townships_with_station", "", 1)
        for v in Division.objects.filter(level="village").annotate(n=Count("deputies", filter=Q(deputies__active=True))):
            if v.n >= 3:
                raw(_area(v.path)).add("villages_required", "", 1)
                if any(p == v.path or p.startswith(v.path + "/") for p in office_paths):
                    raw(_area(v.path)).add("villages_required_with_office", "", 1)
        for rec in Deputy.objects.filter(active=True).values("constituency_id", "level").annotate(n=Count("id")):
            raw(_area(paths[rec["constituency_id"]])).add("deputies", rec["level"], rec["n"])
        opinions = Opinion.objects.filter(registered_at__gte=since_at, registered_at__lte=as_of)
        for o in opinions.select_related("category").only("division_id", "channel", "status", "category__code"):
            r = raw(_area(paths[o.division_id]))
            r.add("opinions", "", 1)
            r.add("opinions_by_channel", o.channel, 1)
            r.add("opinions_by_category", o.category.code if o.category else "", 1)
            if o.status in ("referred", "replied", "closed"):
                r.add("opinions_referred", "", 1)
            if o.status in ("replied", "closed"):
                r.add("opinions_replied", "", 1)
    return out


def prefecture_raw(schema: str, since: dt.date, as_of: dt.datetime) -> Raw:
    total = Raw()
    for r in prefecture_raw_by_area(schema, since, as_of).values():
        for key, v in r.values.items():
            total.add(*key, v)
    return total


def province_raw(schemas: list[str], since: dt.date, as_of: dt.datetime) -> Raw:
    total = Raw()
    for schema in schemas:
        for key, v in prefecture_raw(schema, since, as_of).values.items():
            total.add(*key, v)
    return total
