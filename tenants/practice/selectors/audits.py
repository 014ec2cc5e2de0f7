"""The population of a random audit, the sample its seed gives, and the public 公示 view."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from liaison.tenants.activities.models import Reception
from liaison.tenants.opinions.models import Opinion

from ..models import Audit, AuditItem, RecordKind


@dataclass(frozen=True)
class Record:
    kind: str
    record_id: int
    deputy_id: int
    position_id: int | None
    day: dt.date


def _bounds(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def population(start: dt.date, end: dt.date) -> list[Record]:
    """Deputies' records of the period, in a fixed order (kind, id): reception records naming
    a deputy (by the reception day's date) and contact records — opinions a deputy collected
    (by registration date)."""
    lo, hi = _bounds(start, end)
    out = [Record(RecordKind.CONTACT, pk, deputy_id, position_id, timezone.localtime(at).date())
           for pk, deputy_id, position_id, at in Opinion.objects.filter(deputy__isnull=False, origin_schema="", registered_at__gte=lo,
                                                                         registered_at__lt=hi)
           .order_by("pk").values_list("pk", "deputy_id", "position_id", "registered_at")]
    out += [Record(RecordKind.RECEPTION, pk, deputy_id, position_id, timezone.localtime(at).date())
            for pk, deputy_id, position_id, at in Reception.objects.filter(deputy__isnull=False, event__starts_at__gte=lo,
                                                                            event__starts_at__lt=hi)
            .order_by("pk").values_list("pk", "deputy_id", "event__position_id", "event__starts_at")]
    return sorted(out, key=lambda r: (r.kind, r.record_id))


def sample(records: list[Record], size: int, seed: int) -> list[Record]:
    """The same records, seed and size always give the same sample (Python's Mersenne
    Twister, seeded with the recorded integer)."""
    return random.Random(seed).sample(records, size)


def redraw(audit: Audit) -> list[tuple[str, int]]:
    """Draw again from the recorded seed: equal to the audit's items while the period's
    records are unchanged (the check anyone can make)."""
    return [(r.kind, r.record_id) for r in sample(population(audit.period_start, audit.period_end), audit.sample_size, audit.seed)]


def audits():
    return Audit.objects.order_by("-drawn_at", "-id")


def published_audits():
    return audits().filter(published_at__isnull=False)


@dataclass
class PublicRow:
    """What 公示 shows: the deputy and position, the kind and date of the record, the
    result and the office's note — nothing about the citizens concerned."""

    deputy: str
    position: str
    kind: str
    day: dt.date
    result: str
    note: str


def public_rows(audit: Audit) -> list[PublicRow]:
    return [PublicRow(i.deputy.name, i.position.name if i.position else "", i.get_kind_display(), i.record_date,
                      i.get_result_display(), i.note)
            for i in AuditItem.objects.filter(audit=audit).select_related("deputy", "position").order_by("id")]
