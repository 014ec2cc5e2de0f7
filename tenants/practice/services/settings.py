"""The prefecture's practice settings."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import FieldError, ServiceError

from ..models import Period, PracticeSettings

PERIOD_FIELDS = ("online_period", "office_period", "station_period", "home_period")
POSITIVE_FIELDS = ("online_threshold", "office_threshold", "station_threshold", "home_threshold", "absence_threshold",
                   "claim_escalation_hours")


def current() -> PracticeSettings:
    """This prefecture's settings: its row, or the defaults (unsaved) until it changes one.
    A read: safe inside the statistics' read-only snapshot."""
    return PracticeSettings.objects.order_by("pk").first() or PracticeSettings()


def validate(data: dict) -> list[FieldError]:
    errors = []
    for key in data:
        if key not in PERIOD_FIELDS + POSITIVE_FIELDS + ("review_cutoff_day",):
            errors.append(FieldError(key, _("没有这一设置项"), "unknown"))
    for key in PERIOD_FIELDS:
        if key in data and data[key] not in Period.values:
            errors.append(FieldError(key, _("周期须为日、周、月或季度"), "invalid"))
    for key in POSITIVE_FIELDS:
        if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 1):
            errors.append(FieldError(key, _("须为不小于 1 的整数"), "invalid"))
    if "review_cutoff_day" in data:
        day = data["review_cutoff_day"]
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
            errors.append(FieldError("review_cutoff_day", _("截止日须在 1 至 28 之间"), "out_of_range"))
    return errors


def update(**data) -> PracticeSettings:
    errors = validate(data)
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        obj = PracticeSettings.objects.select_for_update().order_by("pk").first() or PracticeSettings()
        for key, value in data.items():
            setattr(obj, key, value)
        obj.save()
    return obj
