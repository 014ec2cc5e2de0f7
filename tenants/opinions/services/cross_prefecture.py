"""跨州市转办: refer a matter to another prefecture; its reply flows back, and the
copy there follows the origin's closing and reopening."""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django_tenants.utils import schema_context

from liaison.platform.accounts.masking import scrub_text
from liaison.platform.province.models import CrossReferral
from liaison.tenants.divisions.models import Division

from ..models import (
    AWAITING_REPLY,
    CloseReason,
    HandlingUnit,
    Opinion,
    Referral,
    Reply,
    ReplyKind,
    Status,
    UnitLevel,
)
from ..workflow import guard
from . import handling
from ._base import (
    Actor,
    _active_referral,
    _actor,
    _changed,
    _deadline_from_policy,
    _err,
    _key,
    _last_cross_link,
    _lock,
    _move,
    _not_before_registration,
    _notify_prefecture_admins,
    _notify_unit,
    _now,
    _origin_referral,
    _policy_level,
    _record,
    _unique_tracking_code,
)

# --- cross-prefecture referral ---------------------------------------------------------------------


def refer_to_prefecture(opinion: Opinion | int, *, prefecture: str, actor=None, note: str = "",
                        at: dt.datetime | None = None, division_code: str | None = None) -> CrossReferral:
    """转办 to another prefecture: a matter raised here that belongs there.

    The receiving prefecture gets its own copy in its queue (title, content, category,
    channel, dates; no citizen name or phone, no deputy, no internal notes), tagged with
    the origin; a public CrossReferral row links the two. This side keeps its opinion,
    the history and the deadline, and receives the reply when the other side answers.
    """
    from liaison.tenants.registry.models import Prefecture

    actor, at = _actor(actor), _now(at)
    here = connection.schema_name
    with transaction.atomic():
        op = _lock(opinion)
        guard(op, "refer_to_prefecture")
        target = Prefecture.objects.filter(slug=prefecture).first() or Prefecture.objects.filter(schema_name=prefecture).first()
        if target is None:
            raise _err("prefecture", f"no prefecture {prefecture!r}", "not_found")
        if target.schema_name == here:
            raise _err("prefecture", "that is this prefecture: refer to one of its own units instead", "same_prefecture")
        if op.is_copy:
            raise _err("opinion", f"received from {op.origin_schema}: refer it back there rather than on to a third prefecture", "cross_referral")
        if op.duplicate_of_id:
            raise _err("opinion", f"linked as a duplicate of opinion {op.duplicate_of_id}: it is handled there", "duplicate")
        _not_before_registration(op, at)
        previous = _active_referral(op)
        if previous is not None:
            previous.state = Referral.State.SUPERSEDED
            previous.save(update_fields=["state"])
        level = _policy_level(op)
        deadline = _deadline_from_policy(level, at, rehandle=op.status == Status.REOPENED)
        link = CrossReferral.objects.create(from_schema=here, from_id=op.pk, to_schema=target.schema_name)
        Referral.objects.create(opinion=op, round=op.round, to_schema=target.schema_name, cross_referral_id=link.pk,
                                referred_at=at, due_on=deadline, original_due_on=deadline, note=note or "")
        op.handling_unit, op.due_on = None, deadline
        op.referred_at = op.referred_at or at
        _move(op, Status.REFERRED, "refer_to_prefecture", actor, at, note, fields=("handling_unit", "due_on", "referred_at"),
              to_schema=target.schema_name, cross_referral_id=link.pk, due_on=deadline.isoformat())
        with schema_context(target.schema_name):
            root = Division.objects.filter(level=Division.Level.PREFECTURE).order_by("code").first()
            place = Division.objects.filter(code=division_code).first() if division_code else None
            # What crosses carries no personal data, even where it was typed into the text.
            def clean(text: str) -> str:
                return scrub_text(text, names=[op.citizen_name], phones=[op.citizen_phone])

            copy = Opinion.objects.create(
                channel=op.channel, position=None, division=place or root, deputy=None, title=clean(op.title),
                content=clean(op.content),
                category=op.category, registered_at=at, origin_schema=here, origin_id=op.pk, cross_referral_id=link.pk,
                tracking_code=_unique_tracking_code(),
            )
            _record(copy, "receive_from_prefecture", "", Status.REGISTERED, Actor.prefecture(here), at, clean(note or ""),
                    from_schema=here, cross_referral_id=link.pk)
            _changed(copy.pk)
            supervisor = HandlingUnit.objects.filter(active=True, supervises=True, level=UnitLevel.PREFECTURE).first()
            subject, body = f"外州市转来意见：{copy.title}"[:200], f"{here} 转来群众意见，请研判交办：{copy.title}"
            if supervisor is not None:
                _notify_unit(supervisor, subject=subject, body=body, dedupe_key=_key("received", copy.pk))
            else:
                _notify_prefecture_admins(subject=subject, body=body, dedupe_key=_key("received", copy.pk))
        link.to_id = copy.pk
        link.save(update_fields=["to_id", "updated_at"])
    return link



def _flow_reply_to_origin(copy: Opinion, reply: Reply, at: dt.datetime) -> None:
    """The receiving prefecture answered: the answer goes back to the origin's opinion."""
    here = connection.schema_name
    link = CrossReferral.objects.select_for_update().filter(pk=copy.cross_referral_id).first()
    with schema_context(copy.origin_schema):
        origin = Opinion.objects.select_for_update().filter(pk=copy.origin_id).first()
        if origin is None or origin.status not in AWAITING_REPLY:
            return  # the origin closed or withdrew it meanwhile: nothing to deliver
        referral = _origin_referral(origin)
        Reply.objects.create(opinion=origin, referral=referral, round=origin.round, kind=ReplyKind.FROM_PREFECTURE,
                             content=reply.content, outcome=reply.outcome, from_schema=here, replied_at=at,
                             replied_by=here, due_on=origin.due_on)
        if referral is not None:
            referral.state = Referral.State.ANSWERED
            referral.save(update_fields=["state"])
        origin.replied_at = at
        _move(origin, Status.REPLIED, "reply_from_prefecture", Actor.prefecture(here), at, "", fields=("replied_at",),
              from_schema=here, outcome=reply.outcome)
    reply.delivered_to_origin_at = at
    reply.save(update_fields=["delivered_to_origin_at"])
    if link is not None:
        link.status = CrossReferral.Status.REPLIED
        link.save(update_fields=["status", "updated_at"])


def _sync_copy(origin: Opinion, *, close: bool, at: dt.datetime, note: str = "") -> None:
    """Origin closed or reopened: the receiving prefecture's copy follows."""
    link = _last_cross_link(origin)
    if link is None or link.to_id is None:
        return
    here = connection.schema_name
    with schema_context(link.to_schema):
        copy = Opinion.objects.select_for_update().filter(pk=link.to_id).first()
        if copy is None:
            return
        if close and copy.status == Status.REPLIED:
            handling._close(copy, CloseReason.ORIGIN_CLOSED, Actor.prefecture(here), at, note)
        elif not close and copy.status in (Status.REPLIED, Status.CLOSED):
            handling._reopen(copy, Actor.prefecture(here), at, note or "转出州市群众不满意，重新办理")
    link.status = CrossReferral.Status.CLOSED if close else CrossReferral.Status.REOPENED
    link.save(update_fields=["status", "updated_at"])
