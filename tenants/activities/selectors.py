"""Reads for activities: upcoming events, attendance, totals for statistics."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from liaison.tenants.divisions.models import Division

from .models import AnnualPlan, Event, EventKind, EventStatus, Reception, SignIn


def events(*, position=None, division: Division | None = None, kind: str | None = None, status: str | None = None,
           start: dt.datetime | None = None, end: dt.datetime | None = None) -> QuerySet[Event]:
    qs = Event.objects.select_related("position", "position__division")
    if position is not None:
        qs = qs.filter(position=position)
    if division is not None:
        qs = qs.filter(Q(position__division=division) | Q(position__division__path__startswith=division.path + "/"))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if start:
        qs = qs.filter(starts_at__gte=start)
    if end:
        qs = qs.filter(starts_at__lt=end)
    return qs


def upcoming(position=None, *, now: dt.datetime | None = None, days: int = 30) -> QuerySet[Event]:
    now = now or timezone.now()
    return events(position=position).filter(starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=days)).exclude(
        status=EventStatus.CANCELLED).order_by("starts_at")


def announced_upcoming(position=None, *, deputy=None, now: dt.datetime | None = None, days: int = 60) -> QuerySet[Event]:
    """What the public pages list: announced (公告) events still to come at a position, or
    with a deputy scheduled. Planned but unannounced ones stay internal."""
    qs = upcoming(position, now=now, days=days).filter(status=EventStatus.ANNOUNCED)
    if deputy is not None:
        qs = qs.filter(deputies=deputy)
    return qs.prefetch_related("deputies")


def attendance(event: Event) -> dict:
    """Scheduled vs signed-in deputies of one event."""
    scheduled = list(event.deputies.values_list("pk", flat=True))
    signed = set(event.sign_ins.values_list("deputy_id", flat=True))
    return {"scheduled": len(scheduled), "signed_in": len(signed), "absent": [pk for pk in scheduled if pk not in signed]}


def plan_progress(plan: AnnualPlan) -> dict:
    """How far a position's annual plan got: reception days and other events held that year."""
    tz = timezone.get_current_timezone()
    start, end = dt.datetime(plan.year, 1, 1, tzinfo=tz), dt.datetime(plan.year + 1, 1, 1, tzinfo=tz)
    held = events(position=plan.position, start=start, end=end).filter(status=EventStatus.HELD)
    reception_days = held.filter(kind=EventKind.RECEPTION_DAY).count()
    return {"reception_days_planned": plan.reception_days_planned, "reception_days_held": reception_days,
            "other_activities_planned": plan.other_activities_planned, "other_activities_held": held.count() - reception_days}


def activity_totals(*, division: Division | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None) -> dict:
    """Figures for statistics, with their definitions:
    events_held: events with at least one sign-in or reception (status held), by kind;
    deputy_visits: sign-ins (person-times 人次 of deputies attending);
    people_received: sum of people received recorded at reception days."""
    held = events(division=division, start=start, end=end).filter(status=EventStatus.HELD)
    by_kind = {k: 0 for k in EventKind.values}
    for row in held.values("kind").annotate(n=Count("id")):
        by_kind[row["kind"]] = row["n"]
    scope = Q(event__in=events(division=division, start=start, end=end))
    return {
        "events_held": by_kind,
        "deputy_visits": SignIn.objects.filter(scope).count(),
        "people_received": Reception.objects.filter(scope).aggregate(n=Sum("people_received"))["n"] or 0,
    }
