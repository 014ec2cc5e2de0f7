"""Reads for deputies: current stationings, public profile, people counted once,
the performance record (履职档案) and the deputy QR code (代表码)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from liaison.tenants.common.urls import prefecture_url

from .models import Deputy, Level, Metric, PointsRule, Stationing

PRIVATE_FIELDS = ("phone", "id_number", "email")


def deputies(*, level: str | None = None, active: bool | None = True, on_roll: bool | None = None) -> QuerySet[Deputy]:
    qs = Deputy.objects.select_related("constituency")
    if level:
        qs = qs.filter(level=level)
    if active is not None:
        qs = qs.filter(active=active)
    if on_roll is not None:
        qs = qs.filter(on_roll=on_roll)
    return qs


def current_stationings(on: dt.date | None = None) -> QuerySet[Stationing]:
    on = on or timezone.localdate()
    return Stationing.objects.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))


def stationed_at(position, on: dt.date | None = None) -> QuerySet[Deputy]:
    ids = current_stationings(on).filter(position=position).values("deputy")
    return Deputy.objects.filter(pk__in=ids)


# --- people counted once -----------------------------------------------------------------------

def person_key(deputy: Deputy) -> str:
    """A key that is the same for one person in every prefecture: the province-wide identity
    for provincial/national deputies, else schema + local id."""
    if deputy.identity_id:
        return f"roster:{deputy.identity_id}"
    return f"{connection.schema_name}:{deputy.pk}"


def person_keys(qs: QuerySet[Deputy] | None = None) -> set[str]:
    """Person keys of the (active) deputies in this schema. Union these sets across prefectures
    and take len() to count each provincial/national deputy once province-wide."""
    qs = deputies() if qs is None else qs
    schema = connection.schema_name
    return {f"roster:{i}" if i else f"{schema}:{pk}" for pk, i in qs.values_list("pk", "identity_id")}


def count_people(qs: QuerySet[Deputy] | None = None) -> int:
    """Number of distinct persons among these deputies (a province-wide identity counts once)."""
    return len(person_keys(qs))


def counts_by_level(qs: QuerySet[Deputy] | None = None) -> dict[str, int]:
    """Distinct persons by level in this schema: on the roll here, or stationed here from elsewhere."""
    qs = deputies() if qs is None else qs
    return {level: count_people(qs.filter(level=level)) for level in Level.values}


def stationed_share(on: dt.date | None = None) -> dict[str, int]:
    """Active deputies on this roll, and how many of them are currently stationed somewhere here."""
    roll = deputies(on_roll=True)
    stationed = roll.filter(pk__in=current_stationings(on).values("deputy")).count()
    return {"deputies": roll.count(), "stationed": stationed}


# --- public profile -------------------------------------------------------------------------------

def public_profile(deputy: Deputy) -> dict:
    """What anyone may see about a deputy. Phone, e-mail and ID number are never included."""
    stationings = current_stationings().filter(deputy=deputy).select_related("position")
    return {
        "id": deputy.pk,
        "roll_number": deputy.roll_number,
        "name": deputy.name,
        "level": deputy.level,
        "level_display": deputy.get_level_display(),
        "constituency": deputy.constituency.name if deputy.constituency_id else None,
        "gender": deputy.gender,
        "ethnicity": deputy.ethnicity,
        "occupation": deputy.occupation,
        "bio": deputy.bio,
        "positions": [{"id": s.position_id, "code": s.position.code, "name": s.position.name, "basis": s.basis}
                      for s in stationings],
        "profile_url": profile_url(deputy),
    }


def contact_for(deputy: Deputy) -> tuple[str, str]:
    """(channel, address) to reach a deputy: the first channel of settings.LIAISON_DEPUTY_CHANNELS
    the deputy has an address for; "console" (address = name) as the last resort."""
    addresses = {"email": deputy.email, "sms": deputy.phone, "console": deputy.name}
    for channel in getattr(settings, "LIAISON_DEPUTY_CHANNELS", ["email", "console"]):
        if addresses.get(channel):
            return channel, addresses[channel]
    return "console", deputy.name


def profile_url(deputy: Deputy) -> str:
    return prefecture_url(f"/d/{deputy.roll_number}/")


def qr_png(deputy: Deputy, scale: int = 8) -> bytes:
    from liaison.tenants.positions.qr import png

    return png(profile_url(deputy), scale=scale)


def qr_svg(deputy: Deputy, scale: int = 8) -> str:
    from liaison.tenants.positions.qr import svg

    return svg(profile_url(deputy), scale=scale, title=f"代表码 {deputy.name}")


# --- performance record (履职档案) -------------------------------------------------------------------

EVENT_METRICS = {"visit": Metric.VISIT, "inspection": Metric.INSPECTION, "survey": Metric.SURVEY, "training": Metric.TRAINING,
                 "campaign": Metric.CAMPAIGN, "report": Metric.REPORT}


@dataclass
class PerformanceRecord:
    """One deputy's record for one year, derived from what was recorded (nothing typed in).

    duty_days: sign-ins at reception days (接待日签到); activities: sign-ins at other events,
    by kind; receptions / people_received: reception records naming the deputy;
    opinions: opinions the deputy collected (registered that year); suggestions: formal
    deputy suggestions the deputy led (filed that year); suggestions_cosigned likewise.
    points: total under this prefecture's points scheme, None when no scheme is set.
    """

    deputy_id: int
    year: int
    duty_days: int = 0
    activities: dict[str, int] = field(default_factory=dict)
    receptions: int = 0
    people_received: int = 0
    opinions: int = 0
    suggestions: int = 0
    suggestions_cosigned: int = 0
    points: Decimal | None = None
    points_detail: dict[str, Decimal] = field(default_factory=dict)

    def metric_counts(self) -> dict[str, int]:
        counts = {Metric.DUTY_DAY: self.duty_days, Metric.RECEPTION: self.receptions, Metric.PEOPLE_RECEIVED: self.people_received,
                  Metric.OPINION: self.opinions, Metric.SUGGESTION: self.suggestions}
        for kind, metric in EVENT_METRICS.items():
            counts[metric] = self.activities.get(kind, 0)
        return {str(k): v for k, v in counts.items()}


def _year_range(year: int):
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def performance_records(year: int, deputy_ids: list[int] | None = None) -> dict[int, PerformanceRecord]:
    """Records for many deputies at once, in a fixed number of queries (for lists and the API)."""
    from liaison.tenants.activities.models import EventKind, Reception, SignIn

    start, end = _year_range(year)
    if deputy_ids is None:
        deputy_ids = list(Deputy.objects.values_list("pk", flat=True))
    records = {pk: PerformanceRecord(deputy_id=pk, year=year) for pk in deputy_ids}
    if not records:
        return records
    sign_ins = (SignIn.objects.filter(deputy_id__in=deputy_ids, event__starts_at__gte=start, event__starts_at__lt=end)
                .values("deputy_id", "event__kind").annotate(n=Count("event", distinct=True)))
    for row in sign_ins:
        record = records[row["deputy_id"]]
        if row["event__kind"] == EventKind.RECEPTION_DAY:
            record.duty_days += row["n"]
        else:
            record.activities[row["event__kind"]] = record.activities.get(row["event__kind"], 0) + row["n"]
    receptions = (Reception.objects.filter(deputy_id__in=deputy_ids, event__starts_at__gte=start, event__starts_at__lt=end)
                  .values("deputy_id").annotate(n=Count("id"), people=Sum("people_received")))
    for row in receptions:
        records[row["deputy_id"]].receptions = row["n"]
        records[row["deputy_id"]].people_received = row["people"] or 0
    for deputy_id, n in _count_by_deputy("opinions", "Opinion", "deputy_id", "registered_at", deputy_ids, start, end):
        records[deputy_id].opinions = n
    for deputy_id, n in _count_by_deputy("opinions", "Suggestion", "lead_deputy_id", "filed_at", deputy_ids, start, end):
        records[deputy_id].suggestions = n
    for deputy_id, n in _count_by_deputy("opinions", "Suggestion", "co_signers", "filed_at", deputy_ids, start, end):
        records[deputy_id].suggestions_cosigned = n
    rules = list(PointsRule.objects.filter(active=True))
    if rules:
        for record in records.values():
            _score(record, rules)
    return records


def _count_by_deputy(app_label, model_name, deputy_field, date_field, deputy_ids, start, end):
    """Counts per deputy from another app's model; tolerant of that model or field not existing yet."""
    try:
        model = apps.get_model(app_label, model_name)
        model._meta.get_field(deputy_field.removesuffix("_id"))
        model._meta.get_field(date_field)
    except (LookupError, FieldDoesNotExist):  # the opinions app may not have that model or field (yet)
        return []
    return (model.objects.filter(**{f"{deputy_field}__in": deputy_ids, f"{date_field}__gte": start, f"{date_field}__lt": end})
            .values_list(deputy_field).annotate(n=Count("pk", distinct=True)))


def _score(record: PerformanceRecord, rules: list[PointsRule]) -> None:
    counts = record.metric_counts()
    total = Decimal("0")
    for rule in rules:
        value = Decimal(counts.get(rule.metric, 0)) * rule.points
        if rule.cap_per_year is not None:
            value = min(value, rule.cap_per_year)
        record.points_detail[rule.metric] = value
        total += value
    record.points = total


def performance_record(deputy: Deputy, year: int) -> PerformanceRecord:
    return performance_records(year, [deputy.pk])[deputy.pk]


def years_with_activity(deputy: Deputy) -> list[int]:
    from liaison.tenants.activities.models import SignIn

    years = SignIn.objects.filter(deputy=deputy).annotate(y=ExtractYear("event__starts_at")).values_list("y", flat=True).distinct()
    return sorted(set(years))
