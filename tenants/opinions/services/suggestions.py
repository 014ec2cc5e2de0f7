"""Formal deputy suggestions (代表建议): raise opinions as one, assign, extend, answer, rate."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from liaison.platform.accounts import acting
from liaison.platform.province import calendar
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy

from .. import selectors, workflow
from ..models import (
    HandlingUnit,
    JurisdictionLevel,
    Opinion,
    Outcome,
    Referral,
    ReplyKind,
    Satisfaction,
    Status,
    Suggestion,
    SuggestionStatus,
    UnitLevel,
)
from ..workflow import guard
from . import handling
from ._base import (
    Actor,
    _active_referral,
    _actor,
    _changed,
    _day,
    _err,
    _key,
    _lock,
    _move,
    _not_before_registration,
    _notify_deputy,
    _notify_unit,
    _now,
    _origin_referral,
    _record,
    _resolve,
)

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
            if not workflow.action("convert_to_suggestion").starts_from(op.status):
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


def _lock_suggestion(suggestion: Suggestion | int, *, guard: bool = True) -> Suggestion:
    """The suggestion, locked. With `guard` the caller must be allowed to act at the
    positions of every opinion it was raised from (acting.py)."""
    pk = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    try:
        s = Suggestion.objects.select_for_update(of=("self",)).select_related("lead_deputy", "lead_unit").get(pk=pk)
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise _err("suggestion", f"no deputy suggestion with id {pk} in this prefecture", "not_found") from None
    if guard:
        acting.require_positions(s.opinions.values_list("position_id", flat=True))
    return s


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
        guard(s, "assign_suggestion")
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
        guard(s, "extend_suggestion_deadline")
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
        guard(s, "answer_suggestion")
        if at < s.assigned_at:
            raise _err("at", "an answer cannot precede the assignment", "before_registration")
        s.answer, s.outcome, s.answered_at = content, outcome, at
        s.deputy_satisfaction, s.rated_at = "", None
        _suggestion_move(s, SuggestionStatus.ANSWERED, "answer_suggestion", actor, at, note,
                         fields=("answer", "outcome", "answered_at", "deputy_satisfaction", "rated_at"),
                         outcome=outcome, on_time=_day(at) <= s.due_on)
        for op in s.opinions.filter(status=Status.CONVERTED).select_for_update():
            handling._write_reply(op, content=content, outcome=outcome, kind=ReplyKind.SUGGESTION_ANSWER, unit=s.lead_unit,
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
        s = _lock_suggestion(suggestion, guard=False)
        if satisfaction not in Satisfaction.values:
            raise _err("satisfaction", f"must be one of {', '.join(Satisfaction.values)}", "invalid")
        d = _resolve(Deputy, deputy, "deputy")
        if d is None or d.pk != s.lead_deputy_id:
            raise _err("rater", "only the lead deputy rates the answer to a suggestion", "not_concerned")
        if not acting.may_act_as_deputy(d.pk):
            acting.require_positions(s.opinions.values_list("position_id", flat=True))
        guard(s, "rate_suggestion")
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
