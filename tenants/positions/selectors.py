"""Reads for positions: standards assessment, coverage of 两个必建, summaries, QR codes.

Statistics, GraphQL and the admin call these; none of them re-implements a rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet

from liaison.tenants.common.urls import prefecture_url
from liaison.tenants.divisions.models import Division

from .models import OPERATING_STATUSES, STATION_TIERS, Position, StandardCheck, StandardItem, Status, Tier

MIN_STATIONED_DEPUTIES = 3
OFFICE_REQUIRED_FROM_DEPUTIES = 3


def positions(*, division: Division | None = None, tier: str | None = None, status: str | None = None) -> QuerySet[Position]:
    qs = Position.objects.select_related("division", "parent")
    if division is not None:
        qs = qs.filter(Q(division=division) | Q(division__path__startswith=division.path + "/"))
    if tier:
        qs = qs.filter(tier=tier)
    if status:
        qs = qs.filter(status=status)
    return qs


def checklist(active_only: bool = True) -> list[StandardItem]:
    """This prefecture's checklist; until it is first edited, the province template (not yet copied)."""
    items = StandardItem.objects.all()
    if items.exists():
        return list(items.filter(active=True) if active_only else items)
    from liaison.platform.roster.models import StandardTemplateItem

    template = StandardTemplateItem.objects.filter(active=True) if active_only else StandardTemplateItem.objects.all()
    return [StandardItem(code=t.code, name=t.name, description=t.description, order=t.order, active=t.active, from_template=True)
            for t in template]


def current_stationed_count(position: Position, on: dt.date | None = None) -> int:
    from liaison.tenants.deputies.selectors import current_stationings

    return current_stationings(on=on).filter(position=position).values("deputy").distinct().count()


@dataclass
class StandardAssessment:
    position_id: int
    items_total: int
    items_met: int
    missing: list[str] = field(default_factory=list)   # names of items not (yet) met
    stationed_deputies: int | None = None               # for station tiers
    below_deputy_minimum: bool = False

    @property
    def checklist_complete(self) -> bool:
        return self.items_total > 0 and self.items_met == self.items_total

    @property
    def meets_standard(self) -> bool:
        return self.checklist_complete and not self.below_deputy_minimum


def standard_assessment(position: Position, on: dt.date | None = None) -> StandardAssessment:
    """Is this position up to standard? Every active checklist item met, and a station has ≥3 stationed deputies."""
    items = checklist()
    met_codes = set(StandardCheck.objects.filter(position=position, met=True, item__active=True).values_list("item__code", flat=True))
    result = StandardAssessment(position_id=position.pk, items_total=len(items), items_met=sum(1 for i in items if i.code in met_codes),
                                missing=[i.name for i in items if i.code not in met_codes])
    if position.tier in STATION_TIERS:
        result.stationed_deputies = current_stationed_count(position, on)
        result.below_deputy_minimum = result.stationed_deputies < MIN_STATIONED_DEPUTIES
    return result


def annotate_standard(qs: QuerySet[Position], on: dt.date | None = None) -> QuerySet[Position]:
    """Add `items_total`, `items_met` and `stationed_now` to every row in three subqueries (for lists)."""
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from liaison.tenants.deputies.selectors import current_stationings

    def count_of(inner):
        return Coalesce(Subquery(inner.order_by().values("n")[:1], output_field=IntegerField()), 0)

    met = (StandardCheck.objects.filter(position=OuterRef("pk"), met=True, item__active=True)
           .values("position").annotate(n=Count("item", distinct=True)))
    stationed = (current_stationings(on).filter(position=OuterRef("pk"))
                 .values("position").annotate(n=Count("deputy", distinct=True)))
    return qs.annotate(items_total=Value(len(checklist()), output_field=IntegerField()), items_met=count_of(met),
                       stationed_now=count_of(stationed))


def stations_below_deputy_minimum(division: Division | None = None, on: dt.date | None = None) -> list[dict]:
    """Operating stations (incl. professional/special) with fewer than 3 currently stationed deputies."""
    from liaison.tenants.deputies.selectors import current_stationings

    counts = dict(current_stationings(on=on).values("position").annotate(n=Count("deputy", distinct=True)).values_list("position", "n"))
    rows = []
    for position in positions(division=division).filter(tier__in=STATION_TIERS, status__in=OPERATING_STATUSES):
        n = counts.get(position.pk, 0)
        if n < MIN_STATIONED_DEPUTIES:
            rows.append({"position": position, "stationed_deputies": n, "missing": MIN_STATIONED_DEPUTIES - n})
    return rows


# --- 两个必建 coverage ----------------------------------------------------------------------

@dataclass(frozen=True)
class TwoMustsCoverage:
    """Coverage of 两个必建 for one division's subtree (or the whole prefecture).

    townships_total: townships (乡镇/街道) in scope; townships_with_station: those with an
    operating (open or standard) 代表工作站 at the township itself.
    villages_requiring_office: villages/communities with ≥3 active deputies on the roll whose
    constituency is that village; villages_with_office: those of them with an operating 代表联络室.
    """

    division_id: int | None
    division_name: str
    townships_total: int
    townships_with_station: int
    villages_requiring_office: int
    villages_with_office: int

    @property
    def station_rate(self) -> float | None:
        return self.townships_with_station / self.townships_total if self.townships_total else None

    @property
    def office_rate(self) -> float | None:
        return self.villages_with_office / self.villages_requiring_office if self.villages_requiring_office else None

    @property
    def complete(self) -> bool:
        return self.townships_with_station == self.townships_total and self.villages_with_office == self.villages_requiring_office


def _scope(qs, division: Division | None, prefix: str = ""):
    if division is None:
        return qs
    return qs.filter(**{f"{prefix}path__startswith": division.path + "/"})


def coverage_two_musts(division: Division | None = None, *, statuses=OPERATING_STATUSES) -> TwoMustsCoverage:
    """Numerators and denominators of 两个必建 for a county, a township, or (None) the whole prefecture."""
    from liaison.tenants.deputies.models import Deputy

    townships = _scope(Division.objects.filter(level=Division.Level.TOWNSHIP), division)
    if division is not None and division.level == Division.Level.TOWNSHIP:
        townships = Division.objects.filter(pk=division.pk)
    with_station = townships.filter(positions__tier=Tier.STATION, positions__status__in=statuses).distinct()

    villages = _scope(Division.objects.filter(level=Division.Level.VILLAGE), division)
    if division is not None and division.level == Division.Level.VILLAGE:
        villages = Division.objects.filter(pk=division.pk)
    village_deputies = (Deputy.objects.filter(active=True, on_roll=True, constituency__in=villages)
                        .values("constituency").annotate(n=Count("id")).filter(n__gte=OFFICE_REQUIRED_FROM_DEPUTIES)
                        .values_list("constituency", flat=True))
    requiring = set(village_deputies)
    with_office = set(Position.objects.filter(tier=Tier.OFFICE, status__in=statuses, division__in=requiring)
                      .values_list("division", flat=True).distinct())
    return TwoMustsCoverage(
        division_id=getattr(division, "pk", None),
        division_name=division.name if division is not None else _prefecture_name(),
        townships_total=townships.count(),
        townships_with_station=with_station.count(),
        villages_requiring_office=len(requiring),
        villages_with_office=len(with_office),
    )


def coverage_two_musts_by_county(*, statuses=OPERATING_STATUSES) -> list[TwoMustsCoverage]:
    return [coverage_two_musts(county, statuses=statuses) for county in Division.objects.filter(level=Division.Level.COUNTY)]


def _prefecture_name() -> str:
    root = Division.objects.filter(level=Division.Level.PREFECTURE).first()
    return root.name if root else connection.schema_name


# --- summaries for statistics ------------------------------------------------------------------

def counts_by_tier_and_status(division: Division | None = None) -> dict[str, dict[str, int]]:
    """{tier: {status: n}} for positions in scope."""
    result: dict[str, dict[str, int]] = {t: {s: 0 for s in Status.values} for t in Tier.values}
    for row in positions(division=division).values("tier", "status").annotate(n=Count("id")):
        result[row["tier"]][row["status"]] = row["n"]
    return result


def standards_met_count(division: Division | None = None) -> dict[str, int]:
    """Physical positions in operation, and how many of them meet the standard (status derived)."""
    qs = positions(division=division).exclude(tier=Tier.ONLINE).filter(status__in=OPERATING_STATUSES)
    return {"operating": qs.count(), "meets_standard": qs.filter(status=Status.STANDARD).count()}


# --- QR codes ----------------------------------------------------------------------------------

def public_url(position: Position) -> str:
    """Where the position's QR code points: its online counterpart's address, else its own
    online address, else the prefecture host's page for the position."""
    online = getattr(position, "online_counterpart", None) if position.tier != Tier.ONLINE else position
    if online is not None and online.online_url:
        return online.online_url
    if position.online_url:
        return position.online_url
    return prefecture_url(f"/p/{position.code}/")


def qr_png(position: Position, scale: int = 8) -> bytes:
    from .qr import png

    return png(public_url(position), scale=scale)


def qr_svg(position: Position, scale: int = 8) -> str:
    from .qr import svg

    return svg(public_url(position), scale=scale, title=position.name)
