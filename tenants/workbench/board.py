"""Reads for the supervision board (督办): what is overdue or due soon, grouped by
county, position and handling unit; each unit's on-time and satisfaction rates;
deputies below the expected attendance at reception days.

Overdue is the opinions selectors' `with_overdue`; on time is a reply on or before the
deadline that stood when it was given (Reply.due_on), as in opinions.selectors.counts.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from liaison.tenants.activities.models import EventKind, ScheduledDeputy, SignIn
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import selectors
from liaison.tenants.opinions.models import Evaluation, Reply, Satisfaction, Suggestion, SuggestionStatus

from . import queue

# A deputy below this share of the reception days they were scheduled for is listed.
EXPECTED_ATTENDANCE = 0.8


@dataclass
class Group:
    name: str
    overdue: int = 0
    due_soon: int = 0


@dataclass
class UnitRate:
    name: str
    replies: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.replies if self.replies else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass
class Board:
    today: dt.date
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    by_county: list[Group] = field(default_factory=list)
    by_position: list[Group] = field(default_factory=list)
    by_unit: list[Group] = field(default_factory=list)
    suggestions_overdue: list = field(default_factory=list)
    suggestions_due_soon: list = field(default_factory=list)
    unit_rates: list[UnitRate] = field(default_factory=list)
    low_attendance: list[dict] = field(default_factory=list)


def build(access, today: dt.date | None = None) -> Board:
    today = today or selectors.today()
    board = Board(today=today)
    qs = queue.base(access).select_related("division", "position", "handling_unit")
    overdue = list(qs.filter(queue.tab_filter("overdue", today)).order_by("due_on", "id"))
    due_soon = list(qs.filter(queue.tab_filter("due_soon", today)).order_by("due_on", "id"))
    board.overdue, board.due_soon = overdue, due_soon
    counties = dict(Division.objects.filter(level=Division.Level.COUNTY).values_list("code", "name"))
    groups = {"county": {}, "position": {}, "unit": {}}
    for kind, items in (("overdue", overdue), ("due_soon", due_soon)):
        for op in items:
            parts = op.division.path.split("/")
            county = next((counties[c] for c in parts if c in counties), op.division.name)
            keys = {"county": county, "position": op.position.name if op.position else "—",
                    "unit": op.handling_unit.name if op.handling_unit else (op.origin_schema or "—")}
            for dim, name in keys.items():
                g = groups[dim].setdefault(name, Group(name))
                setattr(g, kind, getattr(g, kind) + 1)
    order = lambda gs: sorted(gs.values(), key=lambda g: (-g.overdue, -g.due_soon, g.name))  # noqa: E731
    board.by_county, board.by_position, board.by_unit = order(groups["county"]), order(groups["position"]), order(groups["unit"])

    sug = access.suggestions(Suggestion.objects.select_related("lead_deputy", "lead_unit")).filter(
        status__in=(SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING))
    board.suggestions_overdue = list(sug.filter(due_on__lt=today).order_by("due_on"))
    board.suggestions_due_soon = list(sug.filter(due_on__gte=today, due_on__lte=queue.due_soon_limit(today)).order_by("due_on"))

    opinion_ids = queue.base(access).values("pk")
    rates: dict[int, UnitRate] = {}
    for unit_id, name, replied_at, due_on in (Reply.objects.filter(opinion__in=opinion_ids, unit__isnull=False)
                                              .values_list("unit_id", "unit__name", "replied_at", "due_on")):
        r = rates.setdefault(unit_id, UnitRate(name))
        r.replies += 1
        if due_on is None or timezone.localdate(replied_at) <= due_on:
            r.on_time += 1
    for unit_id, name, satisfaction in (Evaluation.objects.filter(reply__opinion__in=opinion_ids, reply__unit__isnull=False)
                                        .values_list("reply__unit_id", "reply__unit__name", "satisfaction")):
        r = rates.setdefault(unit_id, UnitRate(name))
        r.rated += 1
        if satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY):
            r.satisfied += 1
    board.unit_rates = sorted(rates.values(), key=lambda r: (r.on_time_rate if r.on_time_rate is not None else 2, r.name))

    year_start = timezone.make_aware(dt.datetime(today.year, 1, 1))
    slots = (ScheduledDeputy.objects.filter(event__kind=EventKind.RECEPTION_DAY, event__starts_at__gte=year_start,
                                            event__ends_at__lt=timezone.now())
             .exclude(event__status="cancelled"))
    if access.position_scope:
        slots = slots.filter(event__position_id__in=access.position_scope)
    per = defaultdict(lambda: {"slots": 0, "attended": 0})
    names = {}
    for row in (slots.values("deputy_id", "deputy__name")
                .annotate(n=Count("id"), a=Count("id", filter=Q(Exists(SignIn.objects.filter(event=OuterRef("event"),
                                                                                             deputy=OuterRef("deputy"))))))
                .order_by()):
        per[row["deputy_id"]]["slots"] += row["n"]
        per[row["deputy_id"]]["attended"] += row["a"]
        names[row["deputy_id"]] = row["deputy__name"]
    for deputy_id, v in per.items():
        rate = v["attended"] / v["slots"] if v["slots"] else 1
        if rate < EXPECTED_ATTENDANCE:
            board.low_attendance.append({"name": names[deputy_id], "slots": v["slots"], "attended": v["attended"], "rate": rate})
    board.low_attendance.sort(key=lambda d: (d["rate"], d["name"]))
    return board

