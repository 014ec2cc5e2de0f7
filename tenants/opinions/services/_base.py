"""Shared helpers of the opinion services: who acts, locking, guards, the Transition
row of every step, deadlines from the policy and notifications. Private to the package."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from django.db import connection
from django.utils import timezone

from liaison.platform.accounts import acting
from liaison.platform.province import calendar
from liaison.platform.province.models import CrossReferral
from liaison.tenants.common import changes
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies.models import Deputy

from .. import selectors
from ..models import (
    HandlingUnit,
    Opinion,
    Referral,
    Suggestion,
    Transition,
    UnitLevel,
)

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
CLOCK_SKEW = dt.timedelta(minutes=5)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")


# --- who acts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who takes a step: kept on every Transition."""

    kind: str  # Transition.ActorKind
    id: int | None = None
    label: str = ""

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(Transition.ActorKind.USER, user.pk, getattr(user, "display_name", "") or user.get_username())

    @classmethod
    def for_deputy(cls, deputy: Deputy) -> "Actor":
        return cls(Transition.ActorKind.DEPUTY, deputy.pk, deputy.name)

    @classmethod
    def citizen(cls) -> "Actor":
        return cls(Transition.ActorKind.CITIZEN, None, "群众（凭查询码）")

    @classmethod
    def prefecture(cls, schema: str) -> "Actor":
        return cls(Transition.ActorKind.PREFECTURE, None, schema)


SYSTEM = Actor(Transition.ActorKind.SYSTEM, None, "系统")


def _actor(actor) -> Actor:
    if actor is None:
        return SYSTEM
    if isinstance(actor, Actor):
        return actor
    if isinstance(actor, Deputy):
        return Actor.for_deputy(actor)
    if hasattr(actor, "get_username"):
        return Actor.for_user(actor)
    raise TypeError(f"actor must be an Actor, a User or a Deputy, got {type(actor).__name__}")


# --- helpers ------------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        return timezone.make_aware(at)
    return at


def _day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _err(field: str, message: str, code: str = "invalid") -> ServiceError:
    return ServiceError.single(field, message, code)


def _lock(opinion: Opinion | int, *, guard: bool = True) -> Opinion:
    """The opinion, locked for this step. With `guard` the caller must be allowed to act
    at its position (acting.py: staff only at their own stations); the citizen's rating
    and a duplicate's primary are looked up with guard=False."""
    pk = opinion.pk if isinstance(opinion, Opinion) else opinion
    try:
        op = Opinion.objects.select_for_update(of=("self",)).select_related("division", "category", "handling_unit").get(pk=pk)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise _err("opinion", f"no opinion with id {pk} in this prefecture", "not_found") from None
    if guard:
        acting.require_position(op.position_id)
    return op


def _not_before_registration(opinion: Opinion, at: dt.datetime, field: str = "at") -> None:
    if at < opinion.registered_at:
        raise _err(field, f"{timezone.localtime(at):%Y-%m-%d %H:%M} is before the opinion was registered"
                          f" ({timezone.localtime(opinion.registered_at):%Y-%m-%d %H:%M})", "before_registration")


def _record(opinion: Opinion | None, action: str, from_status: str, to_status: str, actor: Actor, at: dt.datetime,
            note: str = "", suggestion: Suggestion | None = None, **data) -> Transition:
    return Transition.objects.create(
        opinion=opinion, suggestion=suggestion, action=action, from_status=from_status, to_status=to_status,
        actor_kind=actor.kind, actor_id=actor.id, actor_label=actor.label[:128], note=note or "",
        data={k: v for k, v in data.items() if v is not None}, at=at,
    )


def _changed(opinion_id: int, deleted: bool = False) -> None:
    """Record the change in the current transaction, in the current schema (search and
    statistics follow once it commits: tenants/common/changes.py)."""
    changes.record(changes.OPINION, [opinion_id])


def _move(opinion: Opinion, to_status: str, action: str, actor: Actor, at: dt.datetime, note: str = "",
          fields: Iterable[str] = (), **data) -> Transition:
    from_status = opinion.status
    opinion.status = to_status
    opinion.save(update_fields=["status", "updated_at", *fields])
    _changed(opinion.pk)
    return _record(opinion, action, from_status, to_status, actor, at, note, **data)


def _resolve(model, value, field: str, *, by: str | None = None):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    try:
        if by and isinstance(value, str) and not value.isdigit():
            return model.objects.get(**{by: value})
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError):
        raise _err(field, f"no {model._meta.verbose_name} {value!r} in this prefecture", "not_found") from None


def _deadline_from_policy(level: str | None, start: dt.datetime, *, rehandle: bool = False) -> dt.date:
    policy = selectors.policy_for(level)
    if rehandle:
        return calendar.add_months(_day(start), policy.rehandle_months)
    return calendar.add_working_days(_day(start), policy.referral_working_days)


def _active_referral(opinion: Opinion) -> Referral | None:
    return opinion.referrals.filter(state=Referral.State.ACTIVE).first()


def _policy_level(opinion: Opinion) -> str | None:
    level = opinion.jurisdiction_level
    return level if level in UnitLevel.values else None


# --- notifications --------------------------------------------------------------------------------


def _enqueue(**kwargs):
    from liaison.tenants.notifications.services import enqueue

    return enqueue(**kwargs)


def _notify_unit(unit: HandlingUnit, *, subject: str, body: str, dedupe_key: str):
    channel = unit.notify_channel if unit.notify_address else "console"
    return _enqueue(recipient_kind="other", recipient_id=unit.pk, address=unit.notify_address or unit.name,
                    channel=channel, subject=subject[:200], body=body, dedupe_key=dedupe_key[:200])


def _notify_deputy(deputy: Deputy, *, subject: str, body: str, dedupe_key: str):
    # Console until the province wires an SMS gateway (notifications.backends.SmsBackend).
    return _enqueue(recipient_kind="deputy", recipient_id=deputy.pk, address=deputy.name, channel="console",
                    subject=subject[:200], body=body, dedupe_key=dedupe_key[:200])


def _notify_prefecture_admins(*, subject: str, body: str, dedupe_key: str) -> int:
    from liaison.platform.accounts.models import Membership, Role

    sent = 0
    members = Membership.objects.filter(prefecture__schema_name=connection.schema_name, role=Role.PREFECTURE_ADMIN).select_related("user")
    for m in members:
        email = m.user.email
        _enqueue(recipient_kind="user", recipient_id=m.user.pk, address=email or m.user.get_username(),
                 channel="email" if email else "console", subject=subject[:200], body=body,
                 dedupe_key=f"{dedupe_key}:user{m.user.pk}"[:200])
        sent += 1
    return sent


def _key(*parts) -> str:
    return ":".join(["opinions", connection.schema_name, *map(str, parts)])



def _unique_tracking_code() -> str:
    from ..models import new_tracking_code

    for _ in range(10):
        code = new_tracking_code()
        if not Opinion.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("could not draw an unused tracking code")  # pragma: no cover - 31^10 codes



def _origin_referral(op: Opinion) -> Referral | None:
    """On the origin side: the active referral to another prefecture, if any."""
    return op.referrals.filter(state=Referral.State.ACTIVE).exclude(to_schema="").first()


def _last_cross_link(op: Opinion) -> CrossReferral | None:
    ref = op.referrals.exclude(to_schema="").exclude(cross_referral_id=None).order_by("-referred_at", "-id").first()
    return CrossReferral.objects.filter(pk=ref.cross_referral_id).first() if ref else None
