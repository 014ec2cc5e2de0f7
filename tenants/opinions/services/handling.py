"""Handling an opinion: 研判, 交办/改派, 延期, 答复, 送达, 评价, 办结, 重新办理, 督办上提."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from liaison.platform.accounts import acting
from liaison.platform.province import calendar
from liaison.platform.province.models import Category
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division

from .. import selectors
from ..models import (
    AWAITING_REPLY,
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
    UnitLevel,
    normalise_tracking_code,
)
from ..workflow import guard
from . import cross_prefecture, suggestions
from ._base import (
    Actor,
    _active_referral,
    _actor,
    _changed,
    _day,
    _deadline_from_policy,
    _err,
    _key,
    _lock,
    _move,
    _not_before_registration,
    _notify_deputy,
    _notify_prefecture_admins,
    _notify_unit,
    _now,
    _origin_referral,
    _policy_level,
    _record,
    _resolve,
)

# --- triage and routing ----------------------------------------------------------------------------


def triage(opinion: Opinion | int, *, category: Category | int | str, jurisdiction_level: str, actor=None,
           note: str = "", at: dt.datetime | None = None) -> Opinion:
    """梳理研判: decide the category and the jurisdiction level."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        guard(op, "triage")
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
        guard(op, "refer")
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
            suggestions.extend_suggestion_deadline(op.suggestion_id, new_due_on=new_due_on, actor=actor, note=note, at=at)
            op.refresh_from_db()
            return op
        guard(op, "extend_deadline")
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
            guard(op, "explain")
        else:
            if op.status == Status.CONVERTED:
                raise _err("status", "raised as a deputy suggestion: it is answered through the suggestion", "illegal_transition")
            guard(op, "reply")
            if _origin_referral(op) is not None:
                raise _err("status", "referred to another prefecture: its reply comes from there", "cross_referral")
        _not_before_registration(op, at)
        new_reply = _write_reply(op, content=content, outcome=outcome, kind=kind, unit=replying_unit or op.handling_unit,
                                 actor=actor, at=at, note=note)
        for dup in op.duplicates.filter(status__in=(Status.REGISTERED, Status.TRIAGED, *AWAITING_REPLY)).select_for_update():
            _write_reply(dup, content=content, outcome=outcome, kind=kind, unit=new_reply.unit, actor=actor, at=at,
                         note=f"随主件 {op.tracking_code} 答复", action="reply_via_primary")
        if op.is_copy:
            cross_prefecture._flow_reply_to_origin(op, new_reply, at)
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
        guard(op, "deliver")
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
            op, rater, rater_deputy, actor = _lock(found, guard=False), Rater.CITIZEN, None, Actor.citizen()
        elif deputy is not None:
            if opinion is None:
                raise _err("opinion", "name the opinion the deputy rates", "required")
            op = _lock(opinion, guard=False)
            rater_deputy = _resolve(Deputy, deputy, "deputy")
            acting.require_deputy_or_position(rater_deputy.pk, op.position_id)
            if op.deputy_id != rater_deputy.pk:
                raise _err("rater", f"{rater_deputy.name} did not take this opinion and cannot rate it", "not_concerned")
            rater, actor = Rater.DEPUTY, Actor.for_deputy(rater_deputy)
        else:
            raise _err("rater", "only the citizen (with the tracking code) or the deputy concerned may rate", "required")
        guard(op, "rate")
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
        cross_prefecture._sync_copy(op, close=True, at=at)


def close(opinion: Opinion | int, *, actor=None, note: str = "", at: dt.datetime | None = None) -> Opinion:
    """办结 by staff: the reply was delivered and rated (none 不满意) by at least one
    party, or the rating window has passed (then it closes as unrated)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        guard(op, "close")
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
        guard(op, "reopen")
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
        cross_prefecture._sync_copy(op, close=False, at=at)  # the reason (a rating comment) stays here


def escalate(opinion: Opinion | int, *, actor=None, note: str = "", at: dt.datetime | None = None) -> Opinion:
    """督办上提: bring an unanswered opinion to the level above (the supervising unit over
    the handling unit), by hand or by the beat once the deadline has passed."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        guard(op, "escalate")
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
