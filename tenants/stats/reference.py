"""The same figures computed the slow, obvious way: each domain app's own selectors,
called tenant by tenant with the ORM.

Used as the oracle in tests (an independent code path: the owners' selectors instead
of compute.py's grouped queries) and as the baseline in benchmarks/stats_bench.py
("recompute live by looping over tenants with the ORM"). Never used to serve anything.
The selectors count everything up to now (no "since"), so comparisons use a since date
before the first record.
"""
from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.tenants.activities import selectors as activities
from liaison.tenants.activities.models import EventKind, EventStatus
from liaison.tenants.deputies import selectors as deputies
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import selectors as opinions
from liaison.tenants.positions import selectors as positions
from liaison.tenants.practice import resolution
from liaison.tenants.practice.selectors import cadence, grids

from .catalogue import Raw


def _positions_and_coverage(raw: Raw, division: Division | None) -> None:
    for tier, by_status in positions.counts_by_tier_and_status(division).items():
        for status, n in by_status.items():
            raw.add("positions", f"{tier}/{status}", n)
    cov = positions.coverage_two_musts(division)
    raw.add("townships", "", cov.townships_total)
    raw.add("townships_with_station", "", cov.townships_with_station)
    raw.add("villages_required", "", cov.villages_requiring_office)
    raw.add("villages_required_with_office", "", cov.villages_with_office)


def _activities(raw: Raw, division: Division | None) -> None:
    totals = activities.activity_totals(division=division)
    for kind, n in totals["events_held"].items():
        raw.add("activities", kind, n)
    raw.add("deputy_visits", "", totals["deputy_visits"])
    raw.add("people_received", "", totals["people_received"])
    for event in activities.events(division=division, kind=EventKind.RECEPTION_DAY, status=EventStatus.HELD):
        att = activities.attendance(event)
        raw.add("duty_slots", "", att["scheduled"])
        raw.add("duty_attended", "", att["scheduled"] - len(att["absent"]))


def prefecture_raw(schema: str) -> Raw:
    """Raw facts of one prefecture, all time, from the domain selectors."""
    raw = Raw()
    with schema_context(schema):
        _positions_and_coverage(raw, None)
        roll = deputies.deputies(on_roll=True)
        for level, n in deputies.counts_by_level(roll).items():
            raw.add("deputies", level, n)
        raw.add("deputies_stationed", "", deputies.stationed_share()["stationed"])
        _activities(raw, None)
        c = opinions.counts()
        raw.add("opinions", "", c.collected)
        for code, n in c.by_category.items():
            raw.add("opinions_by_category", code or "", n)
        for channel, n in c.by_channel.items():
            raw.add("opinions_by_channel", channel, n)
        raw.add("opinions_referred", "", c.referred)
        raw.add("opinions_replied", "", c.replied)
        raw.add("opinions_resolved", "", c.resolved)
        raw.add("opinions_on_time", "", c.replied_on_time)
        late_unreplied = opinions.overdue().filter(origin_schema="", replies__isnull=True).count()
        raw.add("opinions_due", "", c.replied + late_unreplied)
        raw.add("opinions_overdue", "", c.overdue_now)
        raw.add("opinions_to_suggestions", "", c.converted)
        for channel, res in resolution.by_channel().items():
            raw.add("opinions_replied_by_channel", channel, res.replied)
            raw.add("opinions_resolved_by_channel", channel, res.resolved)
        share = cadence.share_meeting(timezone.localdate())
        raw.add("cadence_deputies", "", share.pop("deputies"))
        for rule, n in share.items():
            raw.add("cadence_met", rule, n)
        cov = grids.coverage()
        raw.add("grids", "", cov["grids"])
        raw.add("grids_with_deputy", "", cov["with_deputy"])
        for value, n in c.citizen_satisfaction.items():
            raw.add("citizen_rated", value, n)
        for value, n in c.deputy_satisfaction.items():
            raw.add("deputy_rated", value, n)
    return raw


def county_raw(schema: str, county_code: str) -> Raw:
    """Positions, coverage and activities of one county (the selectors that take a division)."""
    raw = Raw()
    with schema_context(schema):
        county = Division.objects.get(code=county_code)
        _positions_and_coverage(raw, county)
        _activities(raw, county)
    return raw


def province_raw(schemas: list[str]) -> Raw:
    total = Raw()
    for schema in schemas:
        for key, v in prefecture_raw(schema).values.items():
            total.add(*key, v)
    return total
