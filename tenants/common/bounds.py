"""Plausible values, checked where every write passes: just before a model row is saved.

Every interface (GraphQL, the workbench, the admin, the importer, commands, tasks) ends
in a service that saves models, so one check here keeps out what no person means to
enter and what would break readers later:

- dates and times outside the platform's plausible range (a reception "on 9999-12-31"
  was stored once and then made every event list fail with "timestamp too large");
- numbers outside what the column can hold or what its validators allow (negative
  orders, points of 1e16, a Decimal NaN);
- control characters in text (a NUL byte makes PostgreSQL refuse the row; a \\x01 in a
  title breaks every XLSX export): they are removed, tabs and line breaks kept.

The failure is a ServiceError naming the model field, so callers report it like any
other field error. Bulk writers (the ledger importer) parse through
`check_date`/`check_datetime` themselves, since bulk_create sends no pre_save.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import FieldError, ServiceError

# The people's congress system began in 1954; nothing the platform records is older.
EARLIEST = dt.date(1954, 1, 1)
# Plans, deadlines and terms reach a few years ahead; ten is generous.
YEARS_AHEAD = 10
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def latest() -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD)


def date_problem(value: dt.date | dt.datetime) -> str | None:
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) and timezone.is_aware(value) else (
        value.date() if isinstance(value, dt.datetime) else value)
    if day < EARLIEST or day > latest():
        return _("日期超出合理范围（%(start)s 至 %(end)s）") % {"start": EARLIEST.isoformat(), "end": latest().isoformat()}
    return None


def check_date(field: str, value: dt.date | dt.datetime | None) -> None:
    """Raise a field error when `value` is outside the plausible range."""
    if value is None:
        return
    try:
        problem = date_problem(value)
    except (OverflowError, ValueError):   # year 9999 at -14:00 cannot even be converted
        problem = _("日期超出合理范围（%(start)s 至 %(end)s）") % {"start": EARLIEST.isoformat(), "end": latest().isoformat()}
    if problem:
        raise ServiceError([FieldError(field, problem, "out_of_range")])


def clean_text(value: str) -> str:
    return CONTROL_CHARS_RE.sub("", value) if CONTROL_CHARS_RE.search(value) else value


_NUMERIC = (models.IntegerField, models.DecimalField, models.FloatField)
_DATES = (models.DateField,)   # DateTimeField is a DateField


def check_instance(instance: models.Model) -> None:
    """Clean text and check dates and numbers of a model row about to be saved."""
    problems: list[FieldError] = []
    for field in instance._meta.concrete_fields:
        if field.primary_key or isinstance(field, models.ForeignKey):
            continue
        value = getattr(instance, field.attname, None)
        if value is None:
            continue
        if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
            cleaned = clean_text(value)
            if cleaned is not value:
                setattr(instance, field.attname, cleaned)
        elif isinstance(field, _DATES) and isinstance(value, (dt.date, dt.datetime)):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            try:
                check_date(field.name, value)
            except ServiceError as exc:
                problems.extend(exc.errors)
        elif isinstance(field, _NUMERIC) and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            try:
                field.run_validators(value)
                if isinstance(value, Decimal) and not value.is_finite():
                    raise ValidationError("not finite")
            except ValidationError:
                problems.append(FieldError(field.name, _("数值超出允许范围"), "out_of_range"))
    if problems:
        raise ServiceError(problems)


def on_pre_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:   # fixtures and loaddata carry their own data
        return
    check_instance(instance)
