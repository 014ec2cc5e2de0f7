"""Closing-period suggestions: a monthly cut-off (定时间), scores on urgency, breadth and
importance (定标准), three review stages in order (定程序), assignment to the handling
body (定主体). Dissatisfied answers go to 复核 and 二次交办 through the opinion loop's
re-handling of deputy suggestions (opinions.services.rate_suggestion)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import services as opinion_services
from liaison.tenants.opinions.models import HandlingUnit, Suggestion, SuggestionStatus, UnitLevel

from ..common import local_day, load, now, raise_if, required_text
from ..models import ClosingSuggestion, ReviewDecision, ReviewStage, ReviewStatus
from ..models.review import STAGE_ORDER
from .settings import current as current_settings

SCORES = ("urgency", "breadth", "importance")


def review_month(submitted_at: dt.datetime, cutoff_day: int) -> dt.date:
    """The month a submission is reviewed in: its own up to the cut-off day, else the next."""
    day = local_day(submitted_at)
    first = day.replace(day=1)
    if day.day <= cutoff_day:
        return first
    return (first + dt.timedelta(days=32)).replace(day=1)


def submit(*, title: str, content: str, township, lead_deputy, at: dt.datetime | None = None) -> ClosingSuggestion:
    errors: list[FieldError] = []
    title = required_text(title, "title", errors, 200)
    content = required_text(content, "content", errors)
    try:
        township = load(Division, township, "township")
        if township.level != Division.Level.TOWNSHIP:
            errors.append(FieldError("township", _("须为乡镇（街道）"), "invalid"))
    except ServiceError as exc:
        errors += exc.errors
    try:
        lead_deputy = load(Deputy, lead_deputy, "lead_deputy")
        if not lead_deputy.active:
            errors.append(FieldError("lead_deputy", _("该代表已不在任"), "inactive"))
    except ServiceError as exc:
        errors += exc.errors
    raise_if(errors)
    at = now(at)
    return ClosingSuggestion.objects.create(title=title, content=content, township=township, lead_deputy=lead_deputy, submitted_at=at,
                                            review_month=review_month(at, current_settings().review_cutoff_day))


def score(item, *, urgency: int, breadth: int, importance: int) -> ClosingSuggestion:
    """紧迫性、广泛性、重要性, each 1–5; before the first stage is decided."""
    with transaction.atomic():
        item = load(ClosingSuggestion, item, "item", lock=True)
        errors: list[FieldError] = []
        values = {"urgency": urgency, "breadth": breadth, "importance": importance}
        for key, value in values.items():
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                errors.append(FieldError(key, _("评分须为 1 至 5 的整数"), "out_of_range"))
        if item.status not in (ReviewStatus.SUBMITTED,):
            errors.append(FieldError("item", _("只能在初审前评分"), "illegal_transition"))
        raise_if(errors)
        for key, value in values.items():
            setattr(item, key, value)
        item.save(update_fields=list(values))
    return item


def decide(item, *, stage: str, decision: str, note: str = "", actor: str = "", at: dt.datetime | None = None) -> ClosingSuggestion:
    """One stage's decision, strictly in the order 初审 → 联审 → 主任会议审查. A rejection
    goes back to the township with its reasons (resubmit starts the review again)."""
    with transaction.atomic():
        item = load(ClosingSuggestion, item, "item", lock=True)
        errors: list[FieldError] = []
        if stage not in [s.value for s in STAGE_ORDER]:
            errors.append(FieldError("stage", _("审查环节须为初审、联审或主任会议审查"), "invalid"))
        elif item.status not in (ReviewStatus.SUBMITTED, ReviewStatus.IN_REVIEW):
            errors.append(FieldError("stage", _("该建议当前为“%(status)s”，不在审查中") % {"status": item.get_status_display()},
                                     "out_of_order"))
        elif stage != item.stage:
            errors.append(FieldError("stage", _("须先完成“%(next)s”") % {"next": item.get_stage_display()}, "out_of_order"))
        if decision not in ReviewDecision.Decision.values:
            errors.append(FieldError("decision", _("决定须为通过或退回"), "invalid"))
        note = (note or "").strip()
        if decision == ReviewDecision.Decision.REJECT and not note:
            errors.append(FieldError("note", _("退回须写明理由"), "required"))
        if decision == ReviewDecision.Decision.APPROVE and stage == ReviewStage.INITIAL:
            for key in SCORES:
                if getattr(item, key) is None:
                    errors.append(FieldError(key, _("初审通过前须评分"), "required"))
        raise_if(errors)
        ReviewDecision.objects.create(item=item, stage=stage, decision=decision, note=note, decided_at=now(at), decided_by=actor[:128])
        if decision == ReviewDecision.Decision.REJECT:
            item.status, item.stage, item.returned_reason = ReviewStatus.RETURNED, ReviewStage.INITIAL, note
        else:
            nxt = STAGE_ORDER.index(stage) + 1
            if nxt < len(STAGE_ORDER):
                item.status, item.stage = ReviewStatus.IN_REVIEW, STAGE_ORDER[nxt]
            else:
                item.status = ReviewStatus.APPROVED
        item.save(update_fields=["status", "stage", "returned_reason"])
    return item


def resubmit(item, *, title: str | None = None, content: str | None = None, at: dt.datetime | None = None) -> ClosingSuggestion:
    """A returned suggestion, revised, enters the review again (the cut-off decides its month)."""
    with transaction.atomic():
        item = load(ClosingSuggestion, item, "item", lock=True)
        errors: list[FieldError] = []
        if item.status != ReviewStatus.RETURNED:
            errors.append(FieldError("item", _("只有被退回的建议可以重新提交"), "illegal_transition"))
        if title is not None:
            item.title = required_text(title, "title", errors, 200)
        if content is not None:
            item.content = required_text(content, "content", errors)
        raise_if(errors)
        at = now(at)
        item.status, item.stage, item.submitted_at = ReviewStatus.SUBMITTED, ReviewStage.INITIAL, at
        item.review_month = review_month(at, current_settings().review_cutoff_day)
        item.urgency = item.breadth = item.importance = None
        item.save()
    return item


def assign(item, *, lead_unit, actor=None, at: dt.datetime | None = None) -> ClosingSuggestion:
    """After 主任会议审查: filed as a deputy suggestion (代表建议) and assigned to the handling
    body (一府两院 or a township) by the opinion loop, which runs its deadlines, answer,
    rating and 二次交办."""
    with transaction.atomic():
        item = load(ClosingSuggestion, item, "item", lock=True)
        if item.status != ReviewStatus.APPROVED:
            raise ServiceError.single("item", _("须经主任会议审查通过后交办"), "out_of_order")
        unit = load(HandlingUnit, lead_unit, "lead_unit")
        at = now(at)
        level = unit.level if unit.level in UnitLevel.values else UnitLevel.COUNTY
        count = Suggestion.objects.filter(number__startswith=f"BH{local_day(at).year}-").count()
        s = Suggestion.objects.create(number=f"BH{local_day(at).year}-{count + 1:04d}", title=item.title, content=item.content,
                                      level=level, lead_deputy=item.lead_deputy, filed_at=at)
        s = opinion_services.assign_suggestion(s, lead_unit=unit, actor=actor, at=at, note=_("闭会期间代表建议经主任会议审查后交办"))
        item.suggestion, item.status = s, ReviewStatus.ASSIGNED
        item.save(update_fields=["suggestion", "status"])
    return item


def recheck(item, *, note: str, actor: str = "", at: dt.datetime | None = None) -> ClosingSuggestion:
    """复核: the office reviews a dissatisfied answer before it goes out again (二次交办 with
    the re-handling deadline the opinion loop set when the deputy was dissatisfied)."""
    with transaction.atomic():
        item = load(ClosingSuggestion, item, "item", lock=True)
        errors: list[FieldError] = []
        if item.suggestion_id is None or item.suggestion.status != SuggestionStatus.REHANDLING:
            errors.append(FieldError("item", _("只有代表不满意、重新办理中的建议需要复核"), "out_of_order"))
        note = required_text(note, "note", errors)
        raise_if(errors)
        ReviewDecision.objects.create(item=item, stage=ReviewStage.RECHECK, decision=ReviewDecision.Decision.APPROVE, note=note,
                                      decided_at=now(at), decided_by=actor[:128])
    return item
