"""Helpers shared by the practices' services: loading rows by id with field-named errors."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import FieldError, ServiceError


def now(at: dt.datetime | None = None) -> dt.datetime:
    return at or timezone.now()


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def load(model, value, field: str, *, lock: bool = False):
    """The row of `model` with this id (or the row itself, re-read), else a field error:
    a row of another prefecture's schema does not exist here."""
    pk = getattr(value, "pk", value)
    if pk is None or pk == "":
        raise ServiceError.single(field, _("必须填写"), "required")
    qs = model.objects.select_for_update() if lock else model.objects.all()
    try:
        obj = qs.filter(pk=pk).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise ServiceError.single(field, _("本州市没有编号为 %(pk)s 的%(what)s") % {"pk": pk, "what": model._meta.verbose_name}, "not_found")
    return obj


def required_text(value, field: str, errors: list[FieldError], max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        errors.append(FieldError(field, _("必须填写"), "required"))
    elif max_length and len(text) > max_length:
        errors.append(FieldError(field, _("不能超过 %(n)s 个字") % {"n": max_length}, "too_long"))
    return text


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ServiceError(errors)
