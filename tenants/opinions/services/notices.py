"""Beat: reminders before a deadline, escalations after it."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liaison.platform.province import calendar

from .. import selectors
from ..models import (
    Opinion,
    Referral,
    Status,
    Suggestion,
    SuggestionStatus,
    UnitLevel,
)
from ._base import (
    SYSTEM,
    _key,
    _lock,
    _notify_prefecture_admins,
    _notify_unit,
    _policy_level,
)
from .handling import _escalate

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
