"""The opinion loop as a state machine (民情收集 → 梳理研判 → 交办转办 → 跟踪督办 → 评价反馈).

Every function here is one step a person (or the beat) takes. Each runs in one
transaction, checks its guards first, raises ServiceError with field-named errors for
bad input (changing nothing), writes a Transition row (who, when, from, to, action,
note) and, after commit, sends `opinion_changed` for every opinion it touched.

States of an opinion:

    registered ─triage→ triaged ─refer→ referred ─reply→ replied ─rate/close→ closed
        │                  │  ╰─convert_to_suggestion→ converted ─(suggestion answered)→ replied
        │                  ╰─refer_to_prefecture→ referred (the other prefecture answers)
        ╰─reply(kind="explanation")→ replied            (依法疏导 is a kind of reply)
    referred/reopened ─escalate (or overdue, by the beat)→ escalated ─reply→ replied
    replied ─rate 不满意 / reopen→ reopened ─refer/reply→ …  (re-handled within 1 month)

Ids passed to these functions are looked up in the current schema (the prefecture of
the request or task); an id of another prefecture's opinion is simply not found.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.platform.province import calendar
from liaison.platform.province.models import Category, CrossReferral
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.positions.models import Position

from . import selectors
from .models import (
    AWAITING_REPLY,
    Attachment,
    Channel,
    CloseReason,
    DeadlinePolicy,
    Evaluation,
    HandlingUnit,
    JurisdictionLevel,
    Opinion,
    Outcome,
    Rater,
    Referral,
    Reply,
    ReplyKind,
    Satisfaction,
    Status,
    Suggestion,
    SuggestionStatus,
    Transition,
    UnitLevel,
    normalise_tracking_code,
)
from .signals import opinion_changed

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


def _lock(opinion: Opinion | int) -> Opinion:
    pk = opinion.pk if isinstance(opinion, Opinion) else opinion
    try:
        return Opinion.objects.select_for_update(of=("self",)).select_related("division", "category", "handling_unit").get(pk=pk)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise _err("opinion", f"no opinion with id {pk} in this prefecture", "not_found") from None


def _guard(opinion: Opinion, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if opinion.status not in allowed:
        labels = "、".join(Status(s).label for s in allowed)
        raise _err("status", f"cannot {action} an opinion that is {opinion.get_status_display()} ({opinion.status});"
                             f" allowed from: {labels}", "illegal_transition")


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
    """opinion_changed after commit, in the schema the opinion lives in (captured now)."""
    schema = connection.schema_name

    def send():
        opinion_changed.send(sender=Opinion, opinion_id=opinion_id, schema_name=schema, deleted=deleted)

    transaction.on_commit(send)


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
    try:
        with transaction.atomic():
            opinion = Opinion.objects.create(
                channel=channel, position=pos, division=div or pos.division, deputy=resolved.get("deputy"),
                citizen_name=(citizen_name or "").strip(), citizen_phone=phone, title=title, content=content,
                category=resolved.get("category"), registered_at=at, source_reference=(source_reference or "").strip(),
                idempotency_key=key, tracking_code=_unique_tracking_code(),
            )
            _save_attachments(opinion, attachments)
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


def _unique_tracking_code() -> str:
    from .models import new_tracking_code

    for _ in range(10):
        code = new_tracking_code()
        if not Opinion.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("could not draw an unused tracking code")  # pragma: no cover - 31^10 codes


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


# --- triage and routing ----------------------------------------------------------------------------


def triage(opinion: Opinion | int, *, category: Category | int | str, jurisdiction_level: str, actor=None,
           note: str = "", at: dt.datetime | None = None) -> Opinion:
    """梳理研判: decide the category and the jurisdiction level."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        _guard(op, (Status.REGISTERED, Status.TRIAGED, Status.REOPENED), "triage")
        errors = []
        try:
            cat = _resolve(Category, category, "category", by="code")
        except ServiceError as exc:
            errors += exc.errors
            cat = None
        if cat is None and not errors:
            errors.append(FieldError("category", "must be given", "required"))
        elif cat is not None and not cat.active:
            errors.append(FieldError("category", f"category {cat.name} is no longer in use", "inactive"))
        if jurisdiction_level not in JurisdictionLevel.values:
            errors.append(FieldError("jurisdiction_level", f"must be one of {', '.join(JurisdictionLevel.values)}, got {jurisdiction_level!r}"))
        if op.duplicate_of_id:
            errors.append(FieldError("opinion", f"linked as a duplicate of opinion {op.duplicate_of_id}: it is handled there", "duplicate"))
        if errors:
            raise ServiceError(errors)
        _not_before_registration(op, at)
        op.category, op.jurisdiction_level = cat, jurisdiction_level
        op.triaged_at = at
        _move(op, Status.TRIAGED, "triage", actor, at, note, fields=("category", "jurisdiction_level", "triaged_at"),
              category=cat.code, jurisdiction_level=jurisdiction_level)
    return op


def propose_route(opinion: Opinion | int, limit: int = 5) -> list[selectors.RouteProposal]:
    """Handling units proposed from level + category + place; staff confirm with `refer`."""
    op = selectors.get_opinion(opinion.pk if isinstance(opinion, Opinion) else opinion)
    return selectors.propose_route(op, limit)


def refer(opinion: Opinion | int, *, unit: HandlingUnit | int, actor=None, note: str = "",
          at: dt.datetime | None = None, due_on: dt.date | None = None) -> Referral:
    """交办: send a triaged (or reopened) opinion to a handling unit, with a deadline.

    The deadline comes from this prefecture's policy for the level (15 working days on
    the official calendar; a reopened one: 1 month), unless `due_on` is given. Sending
    a referred or escalated opinion to another unit (改派) keeps the running deadline.
    """
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        if op.duplicate_of_id:
            raise _err("opinion", f"linked as a duplicate of opinion {op.duplicate_of_id}: it is handled there", "duplicate")
        _guard(op, (Status.TRIAGED, Status.REOPENED, Status.REFERRED, Status.ESCALATED), "refer")
        errors = []
        if not op.jurisdiction_level:
            errors.append(FieldError("jurisdiction_level", "triage the opinion (decide its level) before referring it", "required"))
        elif op.jurisdiction_level == JurisdictionLevel.NOT_ACCEPTABLE:
            errors.append(FieldError("jurisdiction_level", "not acceptable here: reply with an explanation (依法疏导) instead", "not_acceptable"))
        try:
            target = _resolve(HandlingUnit, unit, "unit")
        except ServiceError as exc:
            errors += exc.errors
            target = None
        if target is None and not any(e.field == "unit" for e in errors):
            errors.append(FieldError("unit", "choose the handling unit", "required"))
        elif target is not None and not target.active:
            errors.append(FieldError("unit", f"{target.name} no longer takes referrals", "inactive"))
        if errors:
            raise ServiceError(errors)
        _not_before_registration(op, at)
        previous = _active_referral(op)
        if due_on is not None:
            _check_due(op, due_on, at)
            deadline = due_on
        elif previous is not None:
            deadline = previous.due_on
        else:
            deadline = _deadline_from_policy(_policy_level(op), at, rehandle=op.status == Status.REOPENED)
        if previous is not None:
            if previous.unit_id == target.pk:
                raise _err("unit", f"already referred to {target.name}", "unchanged")
            if previous.to_schema:
                raise _err("unit", f"referred to prefecture {previous.to_schema}; it answers there", "cross_referral")
            previous.state = Referral.State.SUPERSEDED
            previous.save(update_fields=["state"])
        referral = Referral.objects.create(opinion=op, round=op.round, unit=target, referred_at=at, due_on=deadline,
                                           original_due_on=deadline, note=note or "")
        op.handling_unit, op.due_on = target, deadline
        op.referred_at = op.referred_at or at
        action = "reroute" if previous is not None else "refer"
        _move(op, Status.REFERRED, action, actor, at, note, fields=("handling_unit", "due_on", "referred_at"),
              unit_id=target.pk, unit=target.name, due_on=deadline.isoformat())
        _notify_unit(target, subject=f"交办：{op.title}"[:200],
                     body=f"请于 {deadline:%Y-%m-%d} 前答复群众意见（{op.tracking_code}）：{op.title}\n{note}".strip(),
                     dedupe_key=_key("referral", referral.pk))
    return referral


def _check_due(op: Opinion, due_on: dt.date, at: dt.datetime) -> None:
    if not isinstance(due_on, dt.date):
        raise _err("due_on", "must be a date")
    if due_on < _day(op.registered_at):
        raise _err("due_on", f"{due_on} is before the opinion was registered ({_day(op.registered_at)})", "before_registration")
    if due_on < _day(at):
        raise _err("due_on", f"{due_on} is already past", "in_past")


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
        _guard(op, (Status.REGISTERED, Status.TRIAGED, Status.REOPENED), "refer to another prefecture")
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
            copy = Opinion.objects.create(
                channel=op.channel, position=None, division=place or root, deputy=None, title=op.title, content=op.content,
                category=op.category, registered_at=at, origin_schema=here, origin_id=op.pk, cross_referral_id=link.pk,
                tracking_code=_unique_tracking_code(),
            )
            _record(copy, "receive_from_prefecture", "", Status.REGISTERED, Actor.prefecture(here), at, note,
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


def _origin_referral(op: Opinion) -> Referral | None:
    """On the origin side: the active referral to another prefecture, if any."""
    return op.referrals.filter(state=Referral.State.ACTIVE).exclude(to_schema="").first()


def _last_cross_link(op: Opinion) -> CrossReferral | None:
    ref = op.referrals.exclude(to_schema="").exclude(cross_referral_id=None).order_by("-referred_at", "-id").first()
    return CrossReferral.objects.filter(pk=ref.cross_referral_id).first() if ref else None


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
            _close(copy, CloseReason.ORIGIN_CLOSED, Actor.prefecture(here), at, note)
        elif not close and copy.status in (Status.REPLIED, Status.CLOSED):
            _reopen(copy, Actor.prefecture(here), at, note or "转出州市群众不满意，重新办理")
    link.status = CrossReferral.Status.CLOSED if close else CrossReferral.Status.REOPENED
    link.save(update_fields=["status", "updated_at"])


# --- deadlines ------------------------------------------------------------------------------------


def extend_deadline(opinion: Opinion | int, *, new_due_on: dt.date, actor=None, note: str = "",
                    at: dt.datetime | None = None) -> Opinion:
    """An approved extension (延期) of the running deadline; `actor` is who approved it.

    A referral may be extended up to the policy's maximum (default 15 more working days);
    an opinion raised as a deputy suggestion extends the suggestion (at most 6 months)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        if not isinstance(new_due_on, dt.date):
            raise _err("new_due_on", "must be a date")
        if new_due_on < _day(op.registered_at):
            raise _err("new_due_on", f"{new_due_on} is before the opinion was registered ({_day(op.registered_at)})", "before_registration")
        if op.status == Status.CONVERTED and op.suggestion_id:
            extend_suggestion_deadline(op.suggestion_id, new_due_on=new_due_on, actor=actor, note=note, at=at)
            op.refresh_from_db()
            return op
        _guard(op, (Status.REFERRED, Status.ESCALATED, Status.REOPENED), "extend the deadline of")
        if not (note or "").strip():
            raise _err("note", "give the reason for the extension", "required")
        referral = _active_referral(op)
        current = referral.due_on if referral else op.due_on
        if current is None:
            raise _err("due_on", "this opinion has no running deadline", "no_deadline")
        if new_due_on <= current:
            raise _err("new_due_on", f"must be after the current deadline {current}", "not_later")
        policy = selectors.policy_for(_policy_level(op))
        base = referral.original_due_on if referral else current
        limit = calendar.add_working_days(base, policy.referral_extension_max_working_days)
        if new_due_on > limit:
            raise _err("new_due_on", f"at most {policy.referral_extension_max_working_days} working days beyond"
                                     f" {base}: {limit} at the latest", "too_late")
        if referral is not None:
            referral.due_on, referral.extended_at = new_due_on, at
            referral.extension_approved_by = actor.label[:128]
            referral.save(update_fields=["due_on", "extended_at", "extension_approved_by"])
        old = op.due_on
        op.due_on = new_due_on
        _move(op, op.status, "extend_deadline", actor, at, note, fields=("due_on",),
              old_due_on=old.isoformat() if old else None, new_due_on=new_due_on.isoformat())
    return op


# --- reply, delivery, rating -------------------------------------------------------------------------


def reply(opinion: Opinion | int, *, content: str, outcome: str | None = None, kind: str = ReplyKind.ANSWER,
          unit: HandlingUnit | int | None = None, actor=None, note: str = "", at: dt.datetime | None = None) -> Reply:
    """答复: record the answer (kind "answer"), or an explanation (kind "explanation",
    依法疏导: outside scope, in litigation or arbitration), which is itself a reply.

    Opinions linked as duplicates of this one get the same reply. An opinion received
    from another prefecture sends its reply back to the origin at once."""
    actor, at = _actor(actor), _now(at)
    content = (content or "").strip()
    with transaction.atomic():
        op = _lock(opinion)
        errors = []
        if not content:
            errors.append(FieldError("content", "a reply must say something", "required"))
        if kind not in (ReplyKind.ANSWER, ReplyKind.EXPLANATION):
            errors.append(FieldError("kind", "must be answer or explanation", "invalid"))
        if kind == ReplyKind.EXPLANATION:
            outcome = outcome or Outcome.D
            if outcome != Outcome.D:
                errors.append(FieldError("outcome", "an explanation (依法疏导) is outcome D", "invalid"))
        elif outcome not in Outcome.values:
            errors.append(FieldError("outcome", f"must be one of {', '.join(Outcome.values)}", "required" if not outcome else "invalid"))
        try:
            replying_unit = _resolve(HandlingUnit, unit, "unit")
        except ServiceError as exc:
            errors += exc.errors
            replying_unit = None
        if errors:
            raise ServiceError(errors)
        if op.duplicate_of_id:
            raise _err("opinion", f"linked as a duplicate of opinion {op.duplicate_of_id}: reply there", "duplicate")
        if kind == ReplyKind.EXPLANATION:
            _guard(op, (Status.REGISTERED, Status.TRIAGED, Status.REFERRED, Status.ESCALATED, Status.REOPENED), "explain")
        else:
            if op.status == Status.CONVERTED:
                raise _err("status", "raised as a deputy suggestion: it is answered through the suggestion", "illegal_transition")
            _guard(op, (Status.REFERRED, Status.ESCALATED, Status.REOPENED), "reply to")
            if _origin_referral(op) is not None:
                raise _err("status", "referred to another prefecture: its reply comes from there", "cross_referral")
        _not_before_registration(op, at)
        new_reply = _write_reply(op, content=content, outcome=outcome, kind=kind, unit=replying_unit or op.handling_unit,
                                 actor=actor, at=at, note=note)
        for dup in op.duplicates.filter(status__in=(Status.REGISTERED, Status.TRIAGED, *AWAITING_REPLY)).select_for_update():
            _write_reply(dup, content=content, outcome=outcome, kind=kind, unit=new_reply.unit, actor=actor, at=at,
                         note=f"随主件 {op.tracking_code} 答复", action="reply_via_primary")
        if op.is_copy:
            _flow_reply_to_origin(op, new_reply, at)
    return new_reply


def _write_reply(op: Opinion, *, content: str, outcome: str, kind: str, unit: HandlingUnit | None, actor: Actor,
                 at: dt.datetime, note: str = "", action: str | None = None) -> Reply:
    referral = _active_referral(op)
    new_reply = Reply.objects.create(opinion=op, referral=referral, round=op.round, kind=kind, content=content,
                                     outcome=outcome, unit=unit, replied_at=at, replied_by=actor.label[:128], due_on=op.due_on)
    if referral is not None:
        referral.state = Referral.State.ANSWERED
        referral.save(update_fields=["state"])
    fields = ["replied_at"]
    op.replied_at = at
    if kind == ReplyKind.EXPLANATION and not op.jurisdiction_level:
        op.jurisdiction_level = JurisdictionLevel.NOT_ACCEPTABLE
        fields.append("jurisdiction_level")
    _move(op, Status.REPLIED, action or ("explain" if kind == ReplyKind.EXPLANATION else "reply"), actor, at, note,
          fields=fields, reply_id=new_reply.pk, outcome=outcome, kind=kind,
          on_time=None if op.due_on is None else _day(at) <= op.due_on)
    return new_reply


def deliver(opinion: Opinion | int, *, to_citizen: bool = False, to_deputy: bool = False, actor=None, note: str = "",
            at: dt.datetime | None = None) -> Reply:
    """送达: record that the reply reached the citizen and/or the deputy (and when)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        _guard(op, (Status.REPLIED,), "deliver the reply of")
        if op.is_copy:
            raise _err("opinion", f"received from {op.origin_schema}: the reply went back there, which delivers it", "cross_referral")
        if not (to_citizen or to_deputy):
            raise _err("to_citizen", "deliver to the citizen, the deputy or both", "required")
        if to_deputy and op.deputy_id is None:
            raise _err("to_deputy", "no deputy took this opinion", "no_deputy")
        current = selectors.latest_reply(op)
        if current.replied_at > at:
            raise _err("at", "delivery cannot precede the reply", "before_reply")
        fields, whom = [], []
        if to_citizen:
            if current.delivered_to_citizen_at:
                raise _err("to_citizen", "already delivered to the citizen", "already_delivered")
            current.delivered_to_citizen_at = at
            fields.append("delivered_to_citizen_at")
            whom.append("citizen")
        if to_deputy:
            if current.delivered_to_deputy_at:
                raise _err("to_deputy", "already delivered to the deputy", "already_delivered")
            current.delivered_to_deputy_at = at
            fields.append("delivered_to_deputy_at")
            whom.append("deputy")
        current.save(update_fields=fields)
        _move(op, op.status, "deliver", actor, at, note, to=whom, reply_id=current.pk)
        if to_deputy and op.deputy is not None:
            d = op.deputy
            _notify_deputy(d, subject=f"意见答复：{op.title}"[:200], body=f"您收集的群众意见已答复：{current.content[:200]}",
                     dedupe_key=_key("delivered", current.pk, "deputy"))
    return current


def rate(*, satisfaction: str, tracking_code: str | None = None, opinion: Opinion | int | None = None,
         deputy: Deputy | int | None = None, comment: str = "", at: dt.datetime | None = None) -> Evaluation:
    """评价: the citizen (with the tracking code alone) or the deputy concerned (the one
    who took the opinion) rates the delivered reply. 不满意 reopens the opinion for
    re-handling within 1 month; once everyone it was delivered to has rated, it closes."""
    at = _now(at)
    if satisfaction not in Satisfaction.values:
        raise _err("satisfaction", f"must be one of {', '.join(Satisfaction.values)}", "required" if not satisfaction else "invalid")
    if tracking_code and deputy is not None:
        raise _err("rater", "rate either as the citizen (tracking code) or as the deputy, not both", "ambiguous")
    with transaction.atomic():
        if tracking_code:
            code = normalise_tracking_code(tracking_code)
            found = Opinion.objects.filter(tracking_code=code, origin_schema="").first()
            if found is None:
                raise _err("tracking_code", f"no opinion with tracking code {code}", "not_found")
            if opinion is not None and (opinion.pk if isinstance(opinion, Opinion) else opinion) != found.pk:
                raise _err("tracking_code", "this tracking code belongs to another opinion", "not_concerned")
            op, rater, rater_deputy, actor = _lock(found), Rater.CITIZEN, None, Actor.citizen()
        elif deputy is not None:
            if opinion is None:
                raise _err("opinion", "name the opinion the deputy rates", "required")
            op = _lock(opinion)
            rater_deputy = _resolve(Deputy, deputy, "deputy")
            if op.deputy_id != rater_deputy.pk:
                raise _err("rater", f"{rater_deputy.name} did not take this opinion and cannot rate it", "not_concerned")
            rater, actor = Rater.DEPUTY, Actor.for_deputy(rater_deputy)
        else:
            raise _err("rater", "only the citizen (with the tracking code) or the deputy concerned may rate", "required")
        _guard(op, (Status.REPLIED,), "rate")
        current = selectors.latest_reply(op)
        delivered = current.delivered_to_citizen_at if rater == Rater.CITIZEN else current.delivered_to_deputy_at
        if delivered is None:
            raise _err("reply", f"the reply has not been delivered to the {rater} yet", "not_delivered")
        if current.evaluations.filter(rater=rater).exists():
            raise _err("rater", f"the {rater} has already rated this reply", "already_rated")
        evaluation = Evaluation.objects.create(reply=current, rater=rater, deputy=rater_deputy, satisfaction=satisfaction,
                                               comment=(comment or "").strip(), rated_at=at)
        _record(op, "rate", op.status, op.status, actor, at, comment, rater=rater, satisfaction=satisfaction)
        _changed(op.pk)
        if satisfaction == Satisfaction.DISSATISFIED:
            _reopen(op, actor, at, f"{Rater(rater).label}不满意" + (f"：{comment}" if comment else ""))
        elif _everyone_rated(current):
            _close(op, CloseReason.RATED, actor, at)
    return evaluation


def _everyone_rated(current: Reply) -> bool:
    raters = set(current.evaluations.values_list("rater", flat=True))
    needed = {r for r, when in ((Rater.CITIZEN, current.delivered_to_citizen_at), (Rater.DEPUTY, current.delivered_to_deputy_at)) if when}
    return bool(needed) and needed <= raters


def _close(op: Opinion, reason: str, actor: Actor, at: dt.datetime, note: str = "") -> None:
    current = selectors.latest_reply(op)
    if op.status != Status.REPLIED or current is None or not current.delivered:
        # The loop's promise (登记必复): nothing closes without a reply that reached someone.
        raise _err("status", "an opinion closes only after its reply was delivered", "not_delivered")
    op.closed_at, op.closed_reason = at, reason
    _move(op, Status.CLOSED, "close", actor, at, note, fields=("closed_at", "closed_reason"), reason=reason)
    if not op.is_copy:
        _sync_copy(op, close=True, at=at)


def close(opinion: Opinion | int, *, actor=None, note: str = "", at: dt.datetime | None = None) -> Opinion:
    """办结 by staff: the reply was delivered and rated (none 不满意) by at least one
    party, or the rating window has passed (then it closes as unrated)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        _guard(op, (Status.REPLIED,), "close")
        current = selectors.latest_reply(op)
        if not current.delivered:
            raise _err("reply", "deliver the reply before closing", "not_delivered")
        if op.is_copy:
            raise _err("opinion", f"received from {op.origin_schema}: it closes when the origin closes it", "cross_referral")
        if current.evaluations.exists():
            _close(op, CloseReason.RATED, actor, at, note)
        elif _rating_window_over(op, current, at):
            _close(op, CloseReason.UNRATED, actor, at, note)
        else:
            raise _err("evaluation", f"awaiting a rating until {_rating_deadline(op, current)}", "awaiting_rating")
    return op


def _rating_deadline(op: Opinion, current: Reply) -> dt.date:
    delivered = [t for t in (current.delivered_to_citizen_at, current.delivered_to_deputy_at) if t]
    window = selectors.policy_for(_policy_level(op)).rating_window_days
    return _day(max(delivered)) + dt.timedelta(days=window)


def _rating_window_over(op: Opinion, current: Reply, at: dt.datetime) -> bool:
    return _day(at) > _rating_deadline(op, current)


def close_unrated(opinion: Opinion | int, *, actor=None, at: dt.datetime | None = None) -> bool:
    """Close one delivered reply nobody rated within the rating window; False if not due yet."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        if op.status != Status.REPLIED or op.is_copy:
            return False
        current = selectors.latest_reply(op)
        if current is None or not (current.delivered_to_citizen_at or current.delivered_to_deputy_at):
            return False
        if not _rating_window_over(op, current, at):
            return False
        reason = CloseReason.RATED if current.evaluations.exists() else CloseReason.UNRATED
        _close(op, reason, actor, at, "评价期限届满")
    return True


def close_all_unrated(at: dt.datetime | None = None) -> int:
    """Beat: close every opinion of this prefecture whose rating window has passed."""
    at = _now(at)
    windows = [selectors.DEFAULT_POLICY.rating_window_days, *DeadlinePolicy.objects.values_list("rating_window_days", flat=True)]
    cutoff = at - dt.timedelta(days=min(windows))  # nothing delivered after this can be due yet
    ids = list(Opinion.objects.filter(status=Status.REPLIED, origin_schema="")
               .filter(Q(replies__delivered_to_citizen_at__lte=cutoff) | Q(replies__delivered_to_deputy_at__lte=cutoff))
               .values_list("pk", flat=True).distinct())
    return sum(1 for pk in ids if close_unrated(pk, at=at))


def reopen(opinion: Opinion | int, *, actor=None, note: str = "", at: dt.datetime | None = None) -> Opinion:
    """重新办理: send a replied (or closed) opinion round again, due within 1 month."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        _guard(op, (Status.REPLIED, Status.CLOSED), "reopen")
        if not (note or "").strip():
            raise _err("note", "say why it is handled again", "required")
        if op.is_copy:
            raise _err("opinion", f"received from {op.origin_schema}: it is reopened by the origin", "cross_referral")
        _reopen(op, actor, at, note)
    return op


def _reopen(op: Opinion, actor: Actor, at: dt.datetime, note: str) -> None:
    last = op.referrals.order_by("-referred_at", "-id").first()
    op.round += 1
    deadline = _deadline_from_policy(_policy_level(op), at, rehandle=True)
    op.due_on, op.closed_at, op.closed_reason = deadline, None, ""
    _move(op, Status.REOPENED, "reopen", actor, at, note, fields=("round", "due_on", "closed_at", "closed_reason"),
          round=op.round, due_on=deadline.isoformat())
    if last is not None and (last.unit_id or last.to_schema):
        referral = Referral.objects.create(opinion=op, round=op.round, unit=last.unit, to_schema=last.to_schema,
                                           cross_referral_id=last.cross_referral_id, referred_at=at, due_on=deadline,
                                           original_due_on=deadline, note=note)
        if last.unit is not None:
            _notify_unit(last.unit, subject=f"重新办理：{op.title}"[:200],
                         body=f"群众意见（{op.tracking_code}）答复后不满意，请于 {deadline:%Y-%m-%d} 前重新办理答复。{note}",
                         dedupe_key=_key("referral", referral.pk))
    if last is not None and last.to_schema and not op.is_copy:
        _sync_copy(op, close=False, at=at)  # the reason (a rating comment) stays here


def escalate(opinion: Opinion | int, *, actor=None, note: str = "", at: dt.datetime | None = None) -> Opinion:
    """督办上提: bring an unanswered opinion to the level above (the supervising unit over
    the handling unit), by hand or by the beat once the deadline has passed."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        _guard(op, (Status.REFERRED, Status.REOPENED, Status.ESCALATED), "escalate")
        if not (note or "").strip():
            raise _err("note", "say why it is escalated", "required")
        _escalate(op, actor, at, note)
    return op


def _current_level(op: Opinion) -> str:
    last = (op.transitions.filter(action="escalate", at__gte=op.referrals.order_by("-referred_at").values("referred_at")[:1])
            .order_by("-at", "-id").first())
    if last is not None and last.data.get("to_level"):
        return last.data["to_level"]
    if op.handling_unit is not None:
        return op.handling_unit.level
    return _policy_level(op) or UnitLevel.TOWNSHIP


def _escalate(op: Opinion, actor: Actor, at: dt.datetime, note: str, dedupe: str | None = None,
              supervisors: dict | None = None) -> None:
    level = _current_level(op)
    above = selectors.level_above(level)
    if above is None or above == UnitLevel.PROVINCE:
        if op.status == Status.ESCALATED:
            raise _err("status", "already escalated to the prefecture, the highest level here", "top_level")
        above = UnitLevel.PREFECTURE
    place_id = op.handling_unit.division_id if op.handling_unit else op.division_id
    cache = supervisors if supervisors is not None else {}
    if (above, place_id) not in cache:
        cache[(above, place_id)] = selectors.supervisor_for(above, Division.objects.get(pk=place_id))
    supervisor = cache[(above, place_id)]
    subject = f"逾期督办：{op.title}"[:200] if op.due_on and op.due_on < _day(at) else f"督办：{op.title}"[:200]
    body = (f"群众意见（{op.tracking_code}）{op.title}\n承办单位：{op.handling_unit or op.origin_schema or '未交办'}"
            f"\n答复期限：{op.due_on or '-'}\n{note}")
    key = dedupe or _key("escalate", op.pk, op.round, above, f"{at:%Y%m%d%H%M%S}")
    if supervisor is not None:
        _notify_unit(supervisor, subject=subject, body=body, dedupe_key=key)
    else:
        _notify_prefecture_admins(subject=subject, body=body, dedupe_key=key)
    _move(op, Status.ESCALATED, "escalate", actor, at, note, from_level=level, to_level=above,
          supervisor_id=supervisor.pk if supervisor else None, supervisor=supervisor.name if supervisor else "州市管理员")


# --- duplicates --------------------------------------------------------------------------------------


def link_duplicate(opinion: Opinion | int, *, primary: Opinion | int, actor=None, note: str = "",
                   at: dt.datetime | None = None) -> Opinion:
    """并案: mark `opinion` as a duplicate of `primary`; it is then handled there and gets
    the primary's reply (each citizen still receives and rates their own)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        main = _lock(primary)
        while main.duplicate_of_id:  # link to the root of a chain
            main = _lock(main.duplicate_of_id)
        if main.pk == op.pk:
            raise _err("primary", "an opinion cannot duplicate itself", "same_opinion")
        _guard(op, (Status.REGISTERED, Status.TRIAGED, Status.REFERRED, Status.ESCALATED, Status.REOPENED), "link as a duplicate")
        if main.status not in (Status.REGISTERED, Status.TRIAGED, Status.REFERRED, Status.ESCALATED, Status.REOPENED, Status.CONVERTED):
            raise _err("primary", f"opinion {main.tracking_code} is already {main.get_status_display()}: answer this one directly", "not_open")
        if op.duplicate_of_id == main.pk:
            raise _err("primary", "already linked", "unchanged")
        if op.is_copy != main.is_copy or op.suggestion_id:
            raise _err("primary", "only opinions handled the same way can be linked", "incompatible")
        active = _active_referral(op)
        if active is not None:
            if active.to_schema:
                raise _err("opinion", "referred to another prefecture: it is answered there", "cross_referral")
            active.state = Referral.State.SUPERSEDED
            active.save(update_fields=["state"])
        # Its own duplicates move to the new primary with it.
        for child in op.duplicates.all():
            child.duplicate_of = main
            child.save(update_fields=["duplicate_of", "updated_at"])
            _record(child, "link_duplicate", child.status, child.status, actor, at, "随并案转至新主件", primary_id=main.pk)
            _changed(child.pk)
        op.duplicate_of = main
        op.due_on = None
        _move(op, op.status, "link_duplicate", actor, at, note, fields=("duplicate_of", "due_on"),
              primary_id=main.pk, primary=main.tracking_code)
        _record(main, "duplicate_linked", main.status, main.status, actor, at, note, duplicate_id=op.pk)
        _changed(main.pk)
    return op


# --- formal deputy suggestions ------------------------------------------------------------------------

DEPUTY_LEVEL_TO_UNIT_LEVEL = {"township": UnitLevel.TOWNSHIP, "county": UnitLevel.COUNTY, "prefecture": UnitLevel.PREFECTURE,
                              "provincial": UnitLevel.PROVINCE, "national": UnitLevel.PROVINCE}


def convert_to_suggestion(opinions: Iterable[Opinion | int], *, lead_deputy: Deputy | int, title: str, content: str,
                          co_signers: Iterable[Deputy | int] = (), level: str | None = None, actor=None, note: str = "",
                          at: dt.datetime | None = None) -> Suggestion:
    """转为代表建议: a lead deputy (with co-signers) raises one or more opinions as a
    formal deputy suggestion; the opinions then follow the suggestion."""
    actor, at = _actor(actor), _now(at)
    title, content = (title or "").strip(), (content or "").strip()
    ids = [o.pk if isinstance(o, Opinion) else o for o in opinions]
    with transaction.atomic():
        errors = []
        if not ids:
            errors.append(FieldError("opinions", "choose at least one opinion", "required"))
        if not title:
            errors.append(FieldError("title", "must not be empty", "required"))
        if not content:
            errors.append(FieldError("content", "must not be empty", "required"))
        lead = None
        try:
            lead = _resolve(Deputy, lead_deputy, "lead_deputy", by="roll_number")
        except ServiceError as exc:
            errors += exc.errors
        if lead is None and not any(e.field == "lead_deputy" for e in errors):
            errors.append(FieldError("lead_deputy", "a suggestion has a lead deputy", "required"))
        elif lead is not None and not lead.active:
            errors.append(FieldError("lead_deputy", f"{lead.name} is no longer a serving deputy", "inactive"))
        signers = []
        for i, value in enumerate(co_signers):
            try:
                d = _resolve(Deputy, value, f"co_signers.{i}", by="roll_number")
            except ServiceError as exc:
                errors += exc.errors
                continue
            if lead is not None and d.pk == lead.pk:
                errors.append(FieldError(f"co_signers.{i}", "the lead deputy is not also a co-signer", "duplicate"))
            elif not d.active:
                errors.append(FieldError(f"co_signers.{i}", f"{d.name} is no longer a serving deputy", "inactive"))
            elif d not in signers:
                signers.append(d)
        if level is not None and level not in UnitLevel.values:
            errors.append(FieldError("level", f"must be one of {', '.join(UnitLevel.values)}"))
        ops = []
        for i, pk in enumerate(ids):
            try:
                op = _lock(pk)
            except ServiceError:
                errors.append(FieldError(f"opinions.{i}", f"no opinion with id {pk} in this prefecture", "not_found"))
                continue
            if op.status not in (Status.TRIAGED, Status.REFERRED, Status.ESCALATED, Status.REOPENED):
                errors.append(FieldError(f"opinions.{i}", f"opinion {op.tracking_code} is {op.get_status_display()}: only triaged or"
                                                           " unanswered opinions become suggestions", "illegal_transition"))
            elif op.duplicate_of_id:
                errors.append(FieldError(f"opinions.{i}", f"opinion {op.tracking_code} is a duplicate: convert its primary", "duplicate"))
            elif _origin_referral(op) is not None:
                errors.append(FieldError(f"opinions.{i}", f"opinion {op.tracking_code} is handled by another prefecture", "cross_referral"))
            elif op.jurisdiction_level == JurisdictionLevel.NOT_ACCEPTABLE:
                errors.append(FieldError(f"opinions.{i}", f"opinion {op.tracking_code} is not acceptable: explain it instead", "not_acceptable"))
            else:
                ops.append(op)
        if errors:
            raise ServiceError(errors)
        for op in ops:
            _not_before_registration(op, at)
        suggestion_level = level or next((o.jurisdiction_level for o in ops if o.jurisdiction_level in UnitLevel.values),
                                         DEPUTY_LEVEL_TO_UNIT_LEVEL.get(lead.level, UnitLevel.COUNTY))
        suggestion = Suggestion.objects.create(number=_next_suggestion_number(at), title=title, content=content,
                                               level=suggestion_level, lead_deputy=lead, filed_at=at)
        suggestion.co_signers.set(signers)
        _record(None, "file_suggestion", "", SuggestionStatus.FILED, actor, at, note, suggestion=suggestion,
                opinion_ids=[o.pk for o in ops], lead_deputy=lead.name, co_signers=[d.name for d in signers])
        for op in ops:
            active = _active_referral(op)
            if active is not None:
                active.state = Referral.State.SUPERSEDED
                active.save(update_fields=["state"])
            op.suggestion, op.due_on = suggestion, None
            _move(op, Status.CONVERTED, "convert_to_suggestion", actor, at, note, fields=("suggestion", "due_on"),
                  suggestion_id=suggestion.pk, suggestion_number=suggestion.number)
    return suggestion


def _next_suggestion_number(at: dt.datetime) -> str:
    year = _day(at).year
    prefix = f"{year}-"
    last = Suggestion.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _lock_suggestion(suggestion: Suggestion | int) -> Suggestion:
    pk = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    try:
        return Suggestion.objects.select_for_update(of=("self",)).select_related("lead_deputy", "lead_unit").get(pk=pk)
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise _err("suggestion", f"no deputy suggestion with id {pk} in this prefecture", "not_found") from None


def _suggestion_guard(s: Suggestion, allowed, action: str) -> None:
    if s.status not in allowed:
        raise _err("status", f"cannot {action} a suggestion that is {s.get_status_display()} ({s.status})", "illegal_transition")


def _suggestion_move(s: Suggestion, to_status: str, action: str, actor: Actor, at: dt.datetime, note: str = "",
                     fields: Iterable[str] = (), **data) -> None:
    from_status = s.status
    s.status = to_status
    s.save(update_fields=["status", *fields])
    _record(None, action, from_status, to_status, actor, at, note, suggestion=s, **data)
    for op in s.opinions.all():  # opinions show their suggestion's progress: reindex them
        _changed(op.pk)


def _sync_opinion_deadlines(s: Suggestion) -> None:
    s.opinions.filter(status=Status.CONVERTED).update(due_on=s.due_on, updated_at=timezone.now())


def assign_suggestion(suggestion: Suggestion | int, *, lead_unit: HandlingUnit | int, co_units: Iterable[HandlingUnit | int] = (),
                      actor=None, note: str = "", at: dt.datetime | None = None) -> Suggestion:
    """交办 a deputy suggestion to a lead unit (主办) and co-handling units (协办):
    answer due within 3 months, at most 6 with an approved extension (policy per level)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        s = _lock_suggestion(suggestion)
        _suggestion_guard(s, (SuggestionStatus.FILED,), "assign")
        unit = _resolve(HandlingUnit, lead_unit, "lead_unit")
        if unit is None:
            raise _err("lead_unit", "choose the lead unit", "required")
        others = []
        for i, value in enumerate(co_units):
            u = _resolve(HandlingUnit, value, f"co_units.{i}")
            if u.pk == unit.pk:
                raise _err(f"co_units.{i}", "the lead unit is not also a co-handling unit", "duplicate")
            others.append(u)
        if at < s.filed_at:
            raise _err("at", "assignment cannot precede filing", "before_registration")
        policy = selectors.policy_for(s.level)
        s.lead_unit, s.assigned_at = unit, at
        s.due_on = calendar.add_months(_day(at), policy.suggestion_months)
        s.max_due_on = calendar.add_months(_day(at), policy.suggestion_max_months)
        s.co_units.set(others)
        _suggestion_move(s, SuggestionStatus.ASSIGNED, "assign_suggestion", actor, at, note,
                         fields=("lead_unit", "assigned_at", "due_on", "max_due_on"), lead_unit=unit.name,
                         co_units=[u.name for u in others], due_on=s.due_on.isoformat())
        _sync_opinion_deadlines(s)
        for u in [unit, *others]:
            _notify_unit(u, subject=f"代表建议交办：{s.number} {s.title}"[:200],
                         body=f"{'主办' if u == unit else '协办'}代表建议 {s.number}，请于 {s.due_on:%Y-%m-%d} 前答复。",
                         dedupe_key=_key("suggestion", s.pk, "assign", u.pk))
    return s


def extend_suggestion_deadline(suggestion: Suggestion | int, *, new_due_on: dt.date, actor=None, note: str = "",
                               at: dt.datetime | None = None) -> Suggestion:
    """Approved extension of a suggestion's deadline, never beyond its maximum (6 months)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        s = _lock_suggestion(suggestion)
        _suggestion_guard(s, (SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING), "extend")
        if not (note or "").strip():
            raise _err("note", "give the reason for the extension", "required")
        if not isinstance(new_due_on, dt.date):
            raise _err("new_due_on", "must be a date")
        if new_due_on < _day(s.filed_at):
            raise _err("new_due_on", f"{new_due_on} is before the suggestion was filed", "before_registration")
        if new_due_on <= s.due_on:
            raise _err("new_due_on", f"must be after the current deadline {s.due_on}", "not_later")
        if new_due_on > s.max_due_on:
            raise _err("new_due_on", f"at most {s.max_due_on} (the longest a suggestion may take)", "too_late")
        old = s.due_on
        s.due_on, s.extension_approved_by = new_due_on, actor.label[:128]
        _suggestion_move(s, s.status, "extend_suggestion_deadline", actor, at, note, fields=("due_on", "extension_approved_by"),
                         old_due_on=old.isoformat(), new_due_on=new_due_on.isoformat())
        _sync_opinion_deadlines(s)
    return s


def answer_suggestion(suggestion: Suggestion | int, *, content: str, outcome: str, actor=None, note: str = "",
                      at: dt.datetime | None = None) -> Suggestion:
    """The lead unit's answer; every opinion raised in the suggestion gets it as its reply."""
    actor, at = _actor(actor), _now(at)
    content = (content or "").strip()
    with transaction.atomic():
        s = _lock_suggestion(suggestion)
        errors = []
        if not content:
            errors.append(FieldError("content", "an answer must say something", "required"))
        if outcome not in Outcome.values:
            errors.append(FieldError("outcome", f"must be one of {', '.join(Outcome.values)}", "required" if not outcome else "invalid"))
        if errors:
            raise ServiceError(errors)
        _suggestion_guard(s, (SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING), "answer")
        if at < s.assigned_at:
            raise _err("at", "an answer cannot precede the assignment", "before_registration")
        s.answer, s.outcome, s.answered_at = content, outcome, at
        s.deputy_satisfaction, s.rated_at = "", None
        _suggestion_move(s, SuggestionStatus.ANSWERED, "answer_suggestion", actor, at, note,
                         fields=("answer", "outcome", "answered_at", "deputy_satisfaction", "rated_at"),
                         outcome=outcome, on_time=_day(at) <= s.due_on)
        for op in s.opinions.filter(status=Status.CONVERTED).select_for_update():
            _write_reply(op, content=content, outcome=outcome, kind=ReplyKind.SUGGESTION_ANSWER, unit=s.lead_unit,
                         actor=actor, at=at, note=f"代表建议 {s.number} 答复")
        d = s.lead_deputy
        _notify_deputy(d, subject=f"代表建议已答复：{s.number}"[:200], body=f"您领衔的代表建议《{s.title}》已答复，请评价。",
                 dedupe_key=_key("suggestion", s.pk, "answered", s.round))
    return s


def rate_suggestion(suggestion: Suggestion | int, *, deputy: Deputy | int, satisfaction: str, comment: str = "",
                    at: dt.datetime | None = None) -> Suggestion:
    """The lead deputy rates the answer; 不满意 sends it round again (二次交办, 1 month)."""
    at = _now(at)
    with transaction.atomic():
        s = _lock_suggestion(suggestion)
        if satisfaction not in Satisfaction.values:
            raise _err("satisfaction", f"must be one of {', '.join(Satisfaction.values)}", "invalid")
        d = _resolve(Deputy, deputy, "deputy")
        if d is None or d.pk != s.lead_deputy_id:
            raise _err("rater", "only the lead deputy rates the answer to a suggestion", "not_concerned")
        _suggestion_guard(s, (SuggestionStatus.ANSWERED,), "rate")
        actor = Actor.for_deputy(d)
        s.deputy_satisfaction, s.rated_at = satisfaction, at
        if satisfaction == Satisfaction.DISSATISFIED:
            s.round += 1
            s.due_on = calendar.add_months(_day(at), selectors.policy_for(s.level).rehandle_months)
            s.max_due_on = s.due_on
            _suggestion_move(s, SuggestionStatus.REHANDLING, "rate_suggestion", actor, at, comment,
                             fields=("deputy_satisfaction", "rated_at", "round", "due_on", "max_due_on"),
                             satisfaction=satisfaction, due_on=s.due_on.isoformat())
            if s.lead_unit:
                _notify_unit(s.lead_unit, subject=f"代表建议二次交办：{s.number}"[:200],
                             body=f"代表对答复不满意，请于 {s.due_on:%Y-%m-%d} 前重新办理答复。{comment}",
                             dedupe_key=_key("suggestion", s.pk, "rehandle", s.round))
        else:
            s.closed_at = at
            _suggestion_move(s, SuggestionStatus.CLOSED, "rate_suggestion", actor, at, comment,
                             fields=("deputy_satisfaction", "rated_at", "closed_at"), satisfaction=satisfaction)
    return s


# --- beat: reminders and escalations ----------------------------------------------------------------


def send_deadline_notices(today: dt.date | None = None) -> dict:
    """Beat, once a day per prefecture: remind the handling unit a few working days
    before a deadline; after it, notify the level above and mark the opinion escalated.
    Every message carries a dedupe key (opinion, round, deadline), so re-running the
    beat the same day or the next never sends a reminder twice. Returns how many
    messages this run queued."""
    from liaison.tenants.notifications.models import Notification

    today = today or timezone.localdate()
    at = timezone.now()
    sent = {"reminders": 0, "escalations": 0, "suggestion_reminders": 0, "suggestion_escalations": 0}
    remind_from: dict[tuple[str | None, dt.date], dt.date] = {}
    supervisors: dict = {}

    def remind_start(level, due):
        key = (level, due)
        if key not in remind_from:
            remind_from[key] = calendar.subtract_working_days(due, selectors.policy_for(level).remind_before_working_days)
        return remind_from[key]

    waiting = (Opinion.objects.filter(status__in=(Status.REFERRED, Status.ESCALATED, Status.REOPENED), due_on__isnull=False,
                                      duplicate_of__isnull=True)
               .select_related("handling_unit").order_by("due_on", "id"))
    sent_elsewhere = set(Referral.objects.filter(state=Referral.State.ACTIVE).exclude(to_schema="").values_list("opinion_id", flat=True))
    overdue_ids, reminders = [], []
    for op in waiting:
        if op.pk in sent_elsewhere:
            continue  # the other prefecture reminds its own units; this side sees the deadline
        if today > op.due_on:
            if op.status != Status.ESCALATED:  # an escalated one is already with the level above
                overdue_ids.append(op.pk)
        elif op.handling_unit is not None and today >= remind_start(_policy_level(op), op.due_on):
            reminders.append((op, _key("remind", op.pk, op.round, op.due_on)))
    queued = set(Notification.objects.filter(dedupe_key__in=[k for _, k in reminders]).values_list("dedupe_key", flat=True))
    for op, key in reminders:
        if key in queued:
            continue
        with transaction.atomic():
            _notify_unit(op.handling_unit, subject=f"即将到期：{op.title}"[:200],
                         body=f"群众意见（{op.tracking_code}）将于 {op.due_on:%Y-%m-%d} 到期，请按期答复。", dedupe_key=key)
        sent["reminders"] += 1
    for pk in overdue_ids:
        with transaction.atomic():
            locked = _lock(pk)
            if locked.status in (Status.REFERRED, Status.REOPENED) and locked.due_on and today > locked.due_on:
                _escalate(locked, SYSTEM, at, f"超过答复期限 {locked.due_on}，自动督办上提",
                          dedupe=_key("overdue", locked.pk, locked.round, locked.due_on), supervisors=supervisors)
                sent["escalations"] += 1
    for s in Suggestion.objects.filter(status__in=(SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING)).select_related("lead_unit__division"):
        if s.lead_unit is None or s.due_on is None:
            continue
        if today > s.due_on:
            key = _key("suggestion", s.pk, "overdue", s.round, s.due_on)
            if Notification.objects.filter(dedupe_key__startswith=key).exists():
                continue
            supervisor = selectors.supervisor_for(selectors.level_above(s.lead_unit.level) or UnitLevel.PREFECTURE,
                                                  s.lead_unit.division)
            subject, body = f"代表建议逾期：{s.number}"[:200], f"代表建议《{s.title}》已超过答复期限 {s.due_on}，请督办。"
            with transaction.atomic():
                if supervisor is not None:
                    _notify_unit(supervisor, subject=subject, body=body, dedupe_key=key)
                else:
                    _notify_prefecture_admins(subject=subject, body=body, dedupe_key=key)
            sent["suggestion_escalations"] += 1
        elif today >= remind_start(s.level, s.due_on):
            key = _key("suggestion", s.pk, "remind", s.round, s.due_on)
            if Notification.objects.filter(dedupe_key=key).exists():
                continue
            with transaction.atomic():
                _notify_unit(s.lead_unit, subject=f"代表建议即将到期：{s.number}"[:200],
                             body=f"代表建议《{s.title}》将于 {s.due_on:%Y-%m-%d} 到期，请按期答复。", dedupe_key=key)
            sent["suggestion_reminders"] += 1
    return sent
