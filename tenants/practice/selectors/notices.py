"""Attendance at reception days (应到/实到) per deputy and year, absence flags, talks and 劝辞."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from liaison.tenants.activities.models import EventKind, EventStatus, ScheduledDeputy, SignIn
from liaison.tenants.deputies.models import Deputy, Stationing

from ..models import AttendanceNotice, ResignationAdvice, Talk
from ..services.settings import current as current_settings


@dataclass
class Attendance:
    deputy_id: int
    scheduled: int = 0  # reception days held at which the deputy was scheduled (应到)
    attended: int = 0  # of those, signed in (实到)
    other_activities: int = 0  # sign-ins at other held events

    @property
    def absent(self) -> int:
        return self.scheduled - self.attended

    @property
    def rate(self) -> float | None:
        return round(self.attended / self.scheduled, 4) if self.scheduled else None


def _year(year: int):
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def attendance(year: int, deputy_ids, position=None) -> dict[int, Attendance]:
    """Reception-day attendance of these deputies in `year` (at `position` only, if given)."""
    start, end = _year(year)
    ids = list(deputy_ids)
    out = {pk: Attendance(pk) for pk in ids}
    scope = {"event__starts_at__gte": start, "event__starts_at__lt": end, "event__status": EventStatus.HELD}
    if position is not None:
        scope["event__position"] = position
    slots = (ScheduledDeputy.objects.filter(deputy_id__in=ids, event__kind=EventKind.RECEPTION_DAY, **scope)
             .annotate(signed=Exists(SignIn.objects.filter(event=OuterRef("event"), deputy=OuterRef("deputy"))))
             .values_list("deputy_id", "signed"))
    for deputy_id, signed in slots:
        out[deputy_id].scheduled += 1
        out[deputy_id].attended += bool(signed)
    for deputy_id in (SignIn.objects.filter(deputy_id__in=ids, **scope).exclude(event__kind=EventKind.RECEPTION_DAY)
                      .values_list("deputy_id", flat=True)):
        out[deputy_id].other_activities += 1
    return out


def stationings_in_year(year: int, position=None):
    """Stationings that overlap the year: who was at which position that year."""
    qs = Stationing.objects.filter(start_on__lte=dt.date(year, 12, 31)).exclude(end_on__lt=dt.date(year, 1, 1))
    if position is not None:
        qs = qs.filter(position=position)
    return qs.select_related("deputy", "position").order_by("position__code", "deputy__roll_number")


def station_mates(year: int, position) -> list[Deputy]:
    seen, out = set(), []
    for st in stationings_in_year(year, position):
        if st.deputy_id not in seen:
            seen.add(st.deputy_id)
            out.append(st.deputy)
    return out


@dataclass
class AbsenceFlag:
    deputy: Deputy
    attendance: Attendance
    talks: list
    advice: list


def absence_flags(year: int, position=None) -> list[AbsenceFlag]:
    """Deputies whose reception-day absences in `year` reach the prefecture's threshold,
    with their talks and 劝辞 records (every deputy, or those stationed at `position`)."""
    threshold = current_settings().absence_threshold
    deputies = station_mates(year, position) if position is not None else list(Deputy.objects.filter(active=True))
    att = attendance(year, [d.pk for d in deputies])
    flagged = [d for d in deputies if att[d.pk].absent >= threshold]
    talks: dict[int, list] = {}
    for t in Talk.objects.filter(deputy__in=flagged):
        talks.setdefault(t.deputy_id, []).append(t)
    advice: dict[int, list] = {}
    for a in ResignationAdvice.objects.filter(deputy__in=flagged).prefetch_related("history"):
        advice.setdefault(a.deputy_id, []).append(a)
    return [AbsenceFlag(d, att[d.pk], talks.get(d.pk, []), advice.get(d.pk, [])) for d in flagged]


def notices(year: int | None = None, deputy=None):
    qs = AttendanceNotice.objects.select_related("deputy", "position", "notification").defer("document")
    if year is not None:
        qs = qs.filter(year=year)
    if deputy is not None:
        qs = qs.filter(deputy=deputy)
    return qs
