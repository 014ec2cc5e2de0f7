"""群众点单、代表接单、部门领单: publish a citizen's request (no personal data) to the
deputies stationed in the area; one deputy claims it, one handling unit claims the
handling; releases put it back; unclaimed requests escalate to the station."""
from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.platform.accounts import acting
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.notifications import services as outbox
from liaison.tenants.opinions.models import HandlingUnit, Opinion
from liaison.tenants.positions.models import Position, StaffRole

from ..common import load, now, raise_if, required_text
from ..models import Request, RequestEvent, RequestStatus
from ..selectors import claims as sel
from .settings import current as current_settings

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d{3,4}-\d{7,8}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
OPEN = (RequestStatus.PUBLISHED, RequestStatus.ESCALATED)


def _personal_data(text: str, opinion: Opinion | None) -> bool:
    if PHONE.search(text) or ID_NUMBER.search(text):
        return True
    if opinion is not None:
        for value in (opinion.citizen_name, opinion.citizen_phone):
            if value and len(value.strip()) >= 2 and value.strip() in text:
                return True
    return False


def _event(request, action, at, deputy=None, unit=None, note=""):
    RequestEvent.objects.create(request=request, action=action, deputy=deputy, unit=unit, note=(note or "").strip(), at=at)


def publish(*, position, title: str, summary: str, opinion=None, at: dt.datetime | None = None) -> Request:
    errors: list[FieldError] = []
    title = required_text(title, "title", errors, 200)
    summary = required_text(summary, "summary", errors)
    try:
        position = load(Position, position, "position")
    except ServiceError as exc:
        errors += exc.errors
    if opinion is not None:
        try:
            opinion = load(Opinion, opinion, "opinion")
        except ServiceError as exc:
            errors += exc.errors
            opinion = None
    for field, text in (("title", title), ("summary", summary)):
        if text and _personal_data(text, opinion):
            errors.append(FieldError(field, _("公开内容不能含群众姓名、电话或身份证号"), "personal_data"))
    raise_if(errors)
    acting.require_position(position.pk)
    at = now(at)
    with transaction.atomic():
        request = Request.objects.create(title=title, summary=summary, opinion=opinion, position=position, published_at=at)
        _event(request, RequestEvent.Action.PUBLISH, at)
    return request


def claim(request, *, deputy, at: dt.datetime | None = None) -> Request:
    """代表接单: a deputy stationed in the area takes an unclaimed request."""
    with transaction.atomic():
        request = load(Request, request, "request", lock=True)
        deputy = load(Deputy, deputy, "deputy")
        acting.require_deputy_or_position(deputy.pk, request.position_id)
        if request.deputy_id is not None:
            raise ServiceError.single("request", _("该点单已由%(name)s代表接单") % {"name": request.deputy.name}, "already_claimed")
        if request.status not in OPEN:
            raise ServiceError.single("request", _("该点单当前为“%(s)s”，不能接单") % {"s": request.get_status_display()}, "illegal_transition")
        if not sel.eligible_deputies(request).filter(pk=deputy.pk).exists():
            raise ServiceError.single("deputy", _("只有进驻该片区阵地的代表可以接单"), "not_in_area")
        at = now(at)
        request.deputy, request.claimed_at, request.status = deputy, at, RequestStatus.CLAIMED
        request.save(update_fields=["deputy", "claimed_at", "status"])
        _event(request, RequestEvent.Action.CLAIM, at, deputy=deputy)
    return request


def release(request, *, deputy, note: str = "", at: dt.datetime | None = None) -> Request:
    """代表退单: the claiming deputy gives it back before a unit took the handling."""
    with transaction.atomic():
        request = load(Request, request, "request", lock=True)
        deputy = load(Deputy, deputy, "deputy")
        acting.require_deputy_or_position(deputy.pk, request.position_id)
        if request.deputy_id != deputy.pk:
            raise ServiceError.single("deputy", _("只有接单代表可以退单"), "not_claimer")
        if request.status != RequestStatus.CLAIMED:
            raise ServiceError.single("request", _("部门已领单，不能退单"), "illegal_transition")
        at = now(at)
        request.deputy, request.claimed_at, request.status = None, None, RequestStatus.PUBLISHED
        request.save(update_fields=["deputy", "claimed_at", "status"])
        _event(request, RequestEvent.Action.RELEASE, at, deputy=deputy, note=note)
    return request


def unit_claim(request, *, unit, at: dt.datetime | None = None) -> Request:
    """部门领单: a handling unit takes the handling of a request a deputy has taken."""
    with transaction.atomic():
        request = load(Request, request, "request", lock=True)
        unit = load(HandlingUnit, unit, "unit")
        acting.require_position(request.position_id)
        if request.unit_id is not None:
            raise ServiceError.single("request", _("该点单已由%(name)s领单") % {"name": request.unit.name}, "already_claimed")
        if request.status != RequestStatus.CLAIMED:
            raise ServiceError.single("request", _("须先由代表接单"), "illegal_transition")
        if not unit.active:
            raise ServiceError.single("unit", _("该单位已停用"), "inactive")
        at = now(at)
        request.unit, request.unit_claimed_at, request.status = unit, at, RequestStatus.HANDLING
        request.save(update_fields=["unit", "unit_claimed_at", "status"])
        _event(request, RequestEvent.Action.UNIT_CLAIM, at, unit=unit)
    return request


def unit_release(request, *, unit, note: str = "", at: dt.datetime | None = None) -> Request:
    with transaction.atomic():
        request = load(Request, request, "request", lock=True)
        unit = load(HandlingUnit, unit, "unit")
        acting.require_position(request.position_id)
        if request.unit_id != unit.pk or request.status != RequestStatus.HANDLING:
            raise ServiceError.single("unit", _("只有领单部门可以退单"), "not_claimer")
        at = now(at)
        request.unit, request.unit_claimed_at, request.status = None, None, RequestStatus.CLAIMED
        request.save(update_fields=["unit", "unit_claimed_at", "status"])
        _event(request, RequestEvent.Action.UNIT_RELEASE, at, unit=unit, note=note)
    return request


def close(request, *, note: str, at: dt.datetime | None = None) -> Request:
    with transaction.atomic():
        request = load(Request, request, "request", lock=True)
        acting.require_position(request.position_id)
        errors: list[FieldError] = []
        note = required_text(note, "note", errors)
        if request.status != RequestStatus.HANDLING:
            errors.append(FieldError("request", _("部门领单办理后才能办结"), "illegal_transition"))
        raise_if(errors)
        at = now(at)
        request.status, request.closed_at = RequestStatus.CLOSED, at
        request.save(update_fields=["status", "closed_at"])
        _event(request, RequestEvent.Action.CLOSE, at, note=note)
    return request


def escalate_unclaimed(now_at: dt.datetime | None = None) -> int:
    """Beat: requests still unclaimed after the prefecture's escalation time go to the
    station (status 超时未接单, a message to its head); once per request."""
    at = now(now_at)
    limit = at - dt.timedelta(hours=current_settings().claim_escalation_hours)
    count = 0
    for pk in Request.objects.filter(status=RequestStatus.PUBLISHED, escalated_at__isnull=True, published_at__lte=limit).values_list("pk", flat=True):
        with transaction.atomic():
            request = Request.objects.select_for_update().select_related("position").get(pk=pk)
            if request.status != RequestStatus.PUBLISHED or request.escalated_at:
                continue
            request.status, request.escalated_at = RequestStatus.ESCALATED, at
            request.save(update_fields=["status", "escalated_at"])
            _event(request, RequestEvent.Action.ESCALATE, at)
            head = (request.position.staff.filter(role=StaffRole.HEAD, end_on__isnull=True).first()
                    or request.position.staff.filter(end_on__isnull=True).first())
            outbox.enqueue(recipient_kind="staff", recipient_id=head.pk if head else None, address=head.name if head else request.position.name,
                           channel="console", subject=_("点单超时未接单：%(t)s") % {"t": request.title[:150]},
                           body=_("%(p)s片区的群众点单“%(t)s”发布后超过 %(h)s 小时无人接单，请站点安排代表接单。") % {
                               "p": request.position.name, "t": request.title, "h": current_settings().claim_escalation_hours},
                           dedupe_key=f"practice:request:{request.pk}:escalate")
            count += 1
    return count
