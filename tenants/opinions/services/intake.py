"""登记: register an opinion, and attach files to an open one."""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.platform.accounts import acting
from liaison.platform.province.models import Category
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.positions.models import Position

from ..models import (
    Attachment,
    Channel,
    Opinion,
    Status,
)
from ._base import (
    CLOCK_SKEW,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    PHONE_RE,
    _actor,
    _changed,
    _err,
    _lock,
    _now,
    _record,
    _resolve,
    _unique_tracking_code,
)

# --- register -------------------------------------------------------------------------------------


def register(*, channel: str, title: str, content: str, division: Division | int | None = None,
             position: Position | int | None = None, deputy: Deputy | int | None = None, citizen_name: str = "",
             citizen_phone: str = "", category: Category | int | str | None = None, registered_at: dt.datetime | None = None,
             attachments: Iterable[dict] = (), source_reference: str = "", idempotency_key: str | None = None,
             actor=None, note: str = "") -> Opinion:
    """登记: record an opinion and give it a tracking code.

    attachments: dicts with `name` and either `content` (bytes) or `url`.
    idempotency_key: a client's retry of the same submission returns the first opinion
    instead of creating a second (a different submission under the same key is an error).
    registered_at: defaults to now; past times are accepted (imports), future ones not.
    """
    actor = _actor(actor)
    at = _now(registered_at)
    title, content = (title or "").strip(), (content or "").strip()
    key = (idempotency_key or "").strip() or None
    if key is not None:
        existing = Opinion.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_submission(existing, title, content)
    errors: list[FieldError] = []
    if channel not in Channel.values:
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel.values)}, got {channel!r}"))
    if not title:
        errors.append(FieldError("title", "must not be empty", "required"))
    elif len(title) > 200:
        errors.append(FieldError("title", "must be at most 200 characters", "too_long"))
    if not content:
        errors.append(FieldError("content", "must not be empty", "required"))
    if key is not None and len(key) > 64:
        errors.append(FieldError("idempotency_key", "must be at most 64 characters", "too_long"))
    if at > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError("registered_at", "must not be in the future", "in_future"))
    phone = (citizen_phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        errors.append(FieldError("citizen_phone", f"{phone!r} is not a phone number"))
    if len((citizen_name or "").strip()) > 64:
        errors.append(FieldError("citizen_name", "must be at most 64 characters", "too_long"))
    if len(source_reference or "") > 120:
        errors.append(FieldError("source_reference", "must be at most 120 characters", "too_long"))
    attachments = list(attachments or [])
    errors += _check_attachments(attachments)
    resolved = {}
    for field, model, value, by in (("position", Position, position, "code"), ("division", Division, division, "code"),
                                    ("deputy", Deputy, deputy, "roll_number"), ("category", Category, category, "code")):
        try:
            resolved[field] = _resolve(model, value, field, by=by)
        except ServiceError as exc:
            errors += exc.errors
    if resolved.get("category") is not None and not resolved["category"].active:
        errors.append(FieldError("category", f"category {resolved['category'].name} is no longer in use", "inactive"))
    pos, div = resolved.get("position"), resolved.get("division")
    if pos is None and div is None and not any(e.field in ("position", "division") for e in errors):
        errors.append(FieldError("position", "give the position (阵地) where it was received, or at least the division", "required"))
    if pos is not None and div is not None and not (div.pk == pos.division_id or pos.division.path.startswith(div.path + "/")):
        errors.append(FieldError("division", f"{div.name} is not where position {pos.name} is", "mismatch"))
    if channel == Channel.DEPUTY and resolved.get("deputy") is None and "deputy" not in {e.field for e in errors}:
        errors.append(FieldError("deputy", "an opinion collected by a deputy names the deputy", "required"))
    if errors:
        raise ServiceError(errors)
    if channel != Channel.ONLINE:   # online is the citizen's own submission; every other channel is staff's or a deputy's act
        deputy_obj = resolved.get("deputy")
        acting.require_deputy_or_position(deputy_obj.pk if deputy_obj is not None and channel == Channel.DEPUTY else None,
                                          pos.pk if pos is not None else None)
    try:
        with transaction.atomic():
            opinion = Opinion.objects.create(
                channel=channel, position=pos, division=div or pos.division, deputy=resolved.get("deputy"),
                citizen_name=(citizen_name or "").strip(), citizen_phone=phone, title=title, content=content,
                category=resolved.get("category"), registered_at=at, source_reference=(source_reference or "").strip(),
                idempotency_key=key, tracking_code=_unique_tracking_code(),
            )
            _save_attachments(opinion, attachments)
            # Callers answering a retried submission tell a new opinion from the first one
            # by this mark: only the call that inserted the row has it (a concurrent retry
            # that lost the race gets the stored row back, unmarked).
            opinion.registered_now = True
            _record(opinion, "register", "", Status.REGISTERED, actor, at, note, channel=channel)
            _changed(opinion.pk)
    except IntegrityError:
        if key is not None:  # a concurrent retry with the same key won the race
            existing = Opinion.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return _same_submission(existing, title, content)
        raise
    return opinion


def _same_submission(existing: Opinion, title: str, content: str) -> Opinion:
    if (existing.title, existing.content) != (title, content):
        raise _err("idempotency_key", "this key was already used for a different submission", "conflict")
    return existing



def _check_attachments(attachments: list[dict]) -> list[FieldError]:
    errors = []
    if len(attachments) > MAX_ATTACHMENTS:
        errors.append(FieldError("attachments", f"at most {MAX_ATTACHMENTS} attachments", "too_many"))
    for i, item in enumerate(attachments):
        name = (item.get("name") or "").strip()
        if not name:
            errors.append(FieldError(f"attachments.{i}.name", "must not be empty", "required"))
        data, url = item.get("content"), (item.get("url") or "").strip()
        if data is None and not url:
            errors.append(FieldError(f"attachments.{i}", "give the file content or a URL", "required"))
        elif data is not None and len(data) > MAX_ATTACHMENT_BYTES:
            errors.append(FieldError(f"attachments.{i}", f"larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB", "too_large"))
        elif url and not re.match(r"^https?://", url):
            errors.append(FieldError(f"attachments.{i}.url", "must be an http(s) URL"))
    return errors


def _save_attachments(opinion: Opinion, attachments: list[dict]) -> None:
    for item in attachments:
        att = Attachment(opinion=opinion, name=item["name"].strip()[:200], content_type=(item.get("content_type") or "")[:100],
                         url=(item.get("url") or "").strip())
        data = item.get("content")
        if data is not None:
            att.size = len(data)
            att.file.save(att.name, ContentFile(data), save=False)
        att.save()


def add_attachments(opinion: Opinion | int, *, attachments: Iterable[dict], actor=None, at=None) -> list[Attachment]:
    """Attach files to an open opinion (receipts, photos, documents)."""
    actor, at = _actor(actor), _now(at)
    attachments = list(attachments)
    with transaction.atomic():
        op = _lock(opinion)
        if op.status == Status.CLOSED:
            raise _err("status", "a closed opinion takes no more attachments", "illegal_transition")
        errors = _check_attachments(attachments)
        if op.attachments.count() + len(attachments) > MAX_ATTACHMENTS:
            errors.append(FieldError("attachments", f"at most {MAX_ATTACHMENTS} attachments per opinion", "too_many"))
        if errors:
            raise ServiceError(errors)
        before = set(op.attachments.values_list("pk", flat=True))
        _save_attachments(op, attachments)
        _record(op, "attach", op.status, op.status, actor, at, "", count=len(attachments))
        _changed(op.pk)
        return list(op.attachments.exclude(pk__in=before))
