"""Writes for activities: annual plans, events and who is scheduled, announcement (with
the 3-day warning), reminders through the notification outbox, sign-in, receptions.

Functions validate first and raise ServiceError with field-named errors; each runs in
one transaction. `announce_event` returns warnings instead of refusing a late notice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.platform.accounts import acting
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.common.phones import normalise_phone, phone_error
from liaison.tenants.deputies.models import Deputy

from .models import AnnualPlan, Event, EventKind, EventStatus, Reception, ScheduledDeputy, SignIn, Visitor

SHANGHAI = ZoneInfo("Asia/Shanghai")
ANNOUNCE_DAYS_BEFORE = 3
REMINDER_DAYS_BEFORE = (3, 1)
SIGN_IN_EARLY = dt.timedelta(hours=2)
EVENT_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "description", "plan")


def _obj_id(value):
    return getattr(value, "pk", value)


def load_event(value, field: str = "event", *, lock: bool = False) -> Event:
    pk = _obj_id(value)
    qs = Event.objects.select_related("position")
    if lock:
        qs = qs.select_for_update(of=("self",))
    event = qs.filter(pk=pk).first() if pk is not None else None
    if event is None:
        raise ServiceError.single(field, f"本州市没有编号为 {pk} 的活动", "not_found")
    return event


def _load_deputies(ids, field: str = "deputies") -> tuple[list[Deputy], list[FieldError]]:
    ids = [_obj_id(i) for i in (ids or [])]
    found = {d.pk: d for d in Deputy.objects.filter(pk__in=ids)}
    errors = []
    missing = [str(i) for i in ids if i not in found]
    if missing:
        errors.append(FieldError(field, f"本州市没有编号为 {', '.join(missing)} 的代表", "not_found"))
    inactive = [d.name for d in found.values() if not d.active]
    if inactive:
        errors.append(FieldError(field, f"{'、'.join(inactive)} 已不在任", "inactive"))
    return list(dict.fromkeys(found[i] for i in ids if i in found)), errors


# --- annual plans -------------------------------------------------------------------------------

@transaction.atomic
def save_plan(position, year: int, *, title: str, content: str = "", reception_days_planned: int = 0,
              other_activities_planned: int = 0) -> AnnualPlan:
    from liaison.tenants.positions.services import load_position

    errors = []
    try:
        position = load_position(position)
    except ServiceError as exc:
        errors.extend(exc.errors)
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year + 1:
        errors.append(FieldError("year", "年度须在 2000 年至明年之间", "out_of_range"))
    if not (title or "").strip():
        errors.append(FieldError("title", "必填", "required"))
    for name, value in (("reception_days_planned", reception_days_planned), ("other_activities_planned", other_activities_planned)):
        if not isinstance(value, int) or value < 0:
            errors.append(FieldError(name, "须为不小于 0 的整数", "invalid"))
    if errors:
        raise ServiceError(errors)
    plan, _ = AnnualPlan.objects.update_or_create(position=position, year=year, defaults={
        "title": title.strip(), "content": content, "reception_days_planned": reception_days_planned,
        "other_activities_planned": other_activities_planned})
    return plan


# --- events ----------------------------------------------------------------------------------------

def _clean_event(data: dict, position, instance: Event | None) -> tuple[dict, list[FieldError]]:
    errors: list[FieldError] = []
    cleaned: dict = {}
    for name in sorted(set(data) - set(EVENT_FIELDS)):
        errors.append(FieldError(name, "不是活动的可写字段", "unknown_field"))

    def current(name, default=None):
        return data[name] if name in data else (getattr(instance, name) if instance is not None else default)

    kind = current("kind")
    if kind not in EventKind.values:
        errors.append(FieldError("kind", f"必须是 {', '.join(EventKind.values)} 之一", "invalid"))
    cleaned["kind"] = kind
    title = (current("title") or "").strip()
    if not title and kind in EventKind.values and position is not None:
        title = f"{position.name}{EventKind(kind).label}"
    if not title and position is not None:  # (with no position, the position error says it all)
        errors.append(FieldError("title", "必填", "required"))
    cleaned["title"] = title
    starts_at, ends_at = current("starts_at"), current("ends_at")
    if not isinstance(starts_at, dt.datetime):
        errors.append(FieldError("starts_at", "必填（日期和时间）", "required"))
    if not isinstance(ends_at, dt.datetime):
        errors.append(FieldError("ends_at", "必填（日期和时间）", "required"))
    if isinstance(starts_at, dt.datetime) and isinstance(ends_at, dt.datetime):
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        if timezone.is_naive(ends_at):
            ends_at = timezone.make_aware(ends_at)
        if ends_at <= starts_at:
            errors.append(FieldError("ends_at", "结束时间必须晚于开始时间", "out_of_order"))
    cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
    cleaned["place"] = (current("place") or "").strip() or (position.address if position is not None else "")
    cleaned["description"] = current("description") or ""
    plan = current("plan")
    if plan is not None:
        plan_obj = AnnualPlan.objects.filter(pk=_obj_id(plan)).first()
        if plan_obj is None:
            errors.append(FieldError("plan", f"本州市没有编号为 {_obj_id(plan)} 的年度计划", "not_found"))
        elif position is not None and plan_obj.position_id != position.pk:
            errors.append(FieldError("plan", "年度计划属于其他阵地", "mismatch"))
        elif isinstance(starts_at, dt.datetime) and plan_obj.year != timezone.localtime(starts_at).year:
            errors.append(FieldError("plan", f"活动日期不在计划年度 {plan_obj.year} 内", "mismatch"))
        plan = plan_obj
    cleaned["plan"] = plan
    return cleaned, errors


def validate_event(position, data: dict, deputies=None, instance: Event | None = None) -> list[FieldError]:
    from liaison.tenants.positions.services import load_position

    errors = []
    try:
        position = load_position(position)
    except ServiceError as exc:
        errors.extend(exc.errors)
        position = None
    errors.extend(_clean_event(data, position, instance)[1])
    if deputies is not None:
        errors.extend(_load_deputies(deputies)[1])
    return errors


@transaction.atomic
def schedule_event(position, *, deputies=(), **data) -> Event:
    """Plan an event at a position with the deputies scheduled for it (status: planned)."""
    from liaison.tenants.positions.models import Status, Tier
    from liaison.tenants.positions.services import load_position

    errors = []
    try:
        position = load_position(position)
    except ServiceError as exc:
        errors.extend(exc.errors)
        position = None
    else:
        acting.require_position(position.pk)
    cleaned, more = _clean_event(data, position, None)
    errors.extend(more)
    deputy_objs, more = _load_deputies(deputies)
    errors.extend(more)
    if position is not None and position.status == Status.CLOSED:
        errors.append(FieldError("position", f"“{position.name}”已关闭", "closed"))
    if position is not None and cleaned.get("kind") == EventKind.RECEPTION_DAY and position.tier == Tier.ONLINE:
        errors.append(FieldError("position", "接待日须安排在实体阵地", "not_applicable"))
    if errors:
        raise ServiceError(errors)
    event = Event.objects.create(position=position, **cleaned)
    ScheduledDeputy.objects.bulk_create([ScheduledDeputy(event=event, deputy=d) for d in deputy_objs])
    return event


def schedule_reception_day(position, *, starts_at: dt.datetime, ends_at: dt.datetime, deputies=(), **data) -> Event:
    return schedule_event(position, kind=EventKind.RECEPTION_DAY, starts_at=starts_at, ends_at=ends_at, deputies=deputies, **data)


@transaction.atomic
def update_event(event, *, deputies=None, **data) -> Event:
    """Change an event's details and (when given) the full list of scheduled deputies."""
    event = load_event(event, lock=True)
    acting.require_position(event.position_id)
    errors = []
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED) and (set(data) & {"starts_at", "ends_at", "kind"}):
        errors.append(FieldError("status", f"活动{event.get_status_display()}，不能再修改时间或类型", "locked"))
    cleaned, more = _clean_event(data, event.position, event)
    errors.extend(more)
    deputy_objs = None
    if deputies is not None:
        deputy_objs, more = _load_deputies(deputies)
        errors.extend(more)
        signed = set(event.sign_ins.values_list("deputy_id", flat=True))
        dropped = [d for d in event.deputies.all() if d.pk in signed and d not in deputy_objs]
        if dropped:
            errors.append(FieldError("deputies", f"{'、'.join(d.name for d in dropped)} 已签到，不能取消安排", "signed_in"))
    if errors:
        raise ServiceError(errors)
    for name, value in cleaned.items():
        setattr(event, name, value)
    event.save()
    if deputy_objs is not None:
        keep = {d.pk for d in deputy_objs}
        ScheduledDeputy.objects.filter(event=event).exclude(deputy_id__in=keep).delete()
        existing = set(ScheduledDeputy.objects.filter(event=event).values_list("deputy_id", flat=True))
        ScheduledDeputy.objects.bulk_create([ScheduledDeputy(event=event, deputy=d) for d in deputy_objs if d.pk not in existing])
    return event


@dataclass
class AnnounceResult:
    event: Event
    warnings: list[FieldError] = field(default_factory=list)
    notified: int = 0


@transaction.atomic
def announce_event(event, *, at: dt.datetime | None = None) -> AnnounceResult:
    """Publish an event. A reception day announced less than 3 days ahead is announced
    anyway, with a warning. Scheduled deputies are told through the outbox."""
    event = load_event(event, lock=True)
    acting.require_position(event.position_id)
    at = at or timezone.now()
    errors = []
    if event.status == EventStatus.CANCELLED:
        errors.append(FieldError("status", "活动已取消，不能公告", "cancelled"))
    elif event.status != EventStatus.PLANNED:
        errors.append(FieldError("status", f"活动{event.get_status_display()}，无需再次公告", "already_announced"))
    if event.starts_at <= at:
        errors.append(FieldError("starts_at", "活动已开始或已过，不能再公告", "in_past"))
    if errors:
        raise ServiceError(errors)
    warnings = []
    lead = event.starts_at - at
    if event.kind == EventKind.RECEPTION_DAY and lead < dt.timedelta(days=ANNOUNCE_DAYS_BEFORE):
        hours = int(lead.total_seconds() // 3600)
        warnings.append(FieldError("starts_at", f"接待日应至少提前 {ANNOUNCE_DAYS_BEFORE} 天公告，本次仅提前 {hours // 24} 天 {hours % 24} 小时",
                                   "late_announcement"))
    event.status = EventStatus.ANNOUNCED
    event.announced_at = at
    event.save(update_fields=["status", "announced_at", "updated_at"])
    notified = 0
    for deputy in event.deputies.all():
        notified += _notify(event, deputy, "announce", f"活动安排：{event.title}", _message(event, deputy, "您已被安排参加以下活动"))
    return AnnounceResult(event=event, warnings=warnings, notified=notified)


@transaction.atomic
def cancel_event(event, *, reason: str = "") -> Event:
    event = load_event(event, lock=True)
    acting.require_position(event.position_id)
    if event.status == EventStatus.HELD or event.sign_ins.exists():
        raise ServiceError.single("status", "已有代表签到的活动不能取消", "held")
    if event.status == EventStatus.CANCELLED:
        return event
    was_announced = event.status == EventStatus.ANNOUNCED
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    if was_announced:
        for deputy in event.deputies.all():
            _notify(event, deputy, "cancel", f"活动取消：{event.title}", _message(event, deputy, f"以下活动已取消。{reason}".strip()))
    return event


def _message(event: Event, deputy: Deputy, lead: str) -> str:
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    return (f"{deputy.name}代表：{lead}\n"
            f"{event.get_kind_display()}：{event.title}\n"
            f"时间：{start:%Y-%m-%d %H:%M}—{end:%H:%M}\n"
            f"地点：{event.place or event.position.name}\n"
            f"阵地：{event.position.name}")


def _notify_key(event: Event, deputy_id: int, purpose: str) -> str:
    stamp = timezone.localtime(event.starts_at).strftime("%Y%m%d%H%M")
    return f"event:{event.pk}:{stamp}:deputy:{deputy_id}:{purpose}"


def _notify(event: Event, deputy: Deputy, purpose: str, subject: str, body: str, known_keys: set[str] | None = None) -> bool:
    """Queue one message to a deputy about an event; False when it was queued before (same
    event, same start time, same purpose). Rescheduling an event makes new keys.
    `known_keys`: keys already in the outbox, when the caller looked them up in bulk."""
    from liaison.tenants.deputies.selectors import contact_for
    from liaison.tenants.notifications.models import Notification
    from liaison.tenants.notifications.services import enqueue

    key = _notify_key(event, deputy.pk, purpose)
    if key in known_keys if known_keys is not None else Notification.objects.filter(dedupe_key=key).exists():
        return False
    channel, address = contact_for(deputy)
    enqueue(recipient_kind="deputy", recipient_id=deputy.pk, address=address, channel=channel, subject=subject,
            body=body, dedupe_key=key)
    return True


def due_reminder(event: Event, now: dt.datetime) -> int | None:
    """Which reminder (3 or 1 days before) is due now for this event, if any: the latest one whose time has come."""
    if event.status != EventStatus.ANNOUNCED or now >= event.starts_at:
        return None
    due = [days for days in REMINDER_DAYS_BEFORE if now >= event.starts_at - dt.timedelta(days=days)]
    return min(due) if due else None


def _duplicate_reception(deputy) -> FieldError:
    """One reception record per reception day and deputy (or one for the day as a whole):
    a second would count the same people twice in the performance record."""
    if deputy is None:
        return FieldError("event", _("该接待日已登记过接待记录，请修改原记录"), "duplicate")
    return FieldError("deputy", _("“%(name)s”在该接待日的接待记录已登记过，请修改原记录") % {"name": deputy.name}, "duplicate")


def days_ahead_label(starts_at: dt.datetime, now: dt.datetime) -> str:
    """“明天”, “3 天后” …: calendar days in Asia/Shanghai, whatever reminder is sent (an
    event 1 day 22 hours away on the evening before is the day after tomorrow)."""
    ahead = (timezone.localdate(starts_at, SHANGHAI) - timezone.localdate(now, SHANGHAI)).days
    if ahead <= 0:
        return _("今天")
    if ahead == 1:
        return _("明天")
    return _("%(days)s 天后") % {"days": ahead}


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Queue the due reminder for every scheduled deputy of every announced event (idempotent:
    each reminder has its own dedupe key, so running this every few minutes sends each once)."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=max(REMINDER_DAYS_BEFORE))
    queued = 0
    events = (Event.objects.filter(status=EventStatus.ANNOUNCED, starts_at__gt=now, starts_at__lte=horizon)
              .select_related("position").prefetch_related("deputies"))
    due = [(event, days) for event in events if (days := due_reminder(event, now)) is not None]
    from liaison.tenants.notifications.models import Notification

    wanted = [_notify_key(event, d.pk, f"remind{days}d") for event, days in due for d in event.deputies.all()]
    known = set(Notification.objects.filter(dedupe_key__in=wanted).values_list("dedupe_key", flat=True)) if wanted else set()
    for event, days in due:
        with transaction.atomic():
            before = days_ahead_label(event.starts_at, now)
            for deputy in event.deputies.all():
                queued += _notify(event, deputy, f"remind{days}d", f"{before}活动提醒：{event.title}",
                                  _message(event, deputy, f"提醒：您{before}有以下活动安排"), known_keys=known)
    return queued


# --- sign-in and receptions -------------------------------------------------------------------------

@transaction.atomic
def sign_in(event, deputy, *, at: dt.datetime | None = None, method: str = SignIn.Method.STAFF) -> SignIn:
    """Record that a scheduled deputy attended (签到). Unscheduled deputies are refused."""
    errors = []
    event_obj = deputy_obj = None
    try:
        event_obj = load_event(event, lock=True)
    except ServiceError as exc:
        errors.extend(exc.errors)
    deputy_obj = Deputy.objects.filter(pk=_obj_id(deputy)).first()
    if deputy_obj is None:
        errors.append(FieldError("deputy", f"本州市没有编号为 {_obj_id(deputy)} 的代表", "not_found"))
    at = at or timezone.now()
    if method not in SignIn.Method.values:
        errors.append(FieldError("method", f"必须是 {', '.join(SignIn.Method.values)} 之一", "invalid"))
    if event_obj is not None and deputy_obj is not None:
        acting.require_deputy_or_position(deputy_obj.pk, event_obj.position_id)
        if event_obj.status == EventStatus.CANCELLED:
            errors.append(FieldError("event", "活动已取消", "cancelled"))
        elif not ScheduledDeputy.objects.filter(event=event_obj, deputy=deputy_obj).exists():
            errors.append(FieldError("deputy", f"“{deputy_obj.name}”未被安排参加“{event_obj.title}”，不能签到", "not_scheduled"))
        elif SignIn.objects.filter(event=event_obj, deputy=deputy_obj).exists():
            errors.append(FieldError("deputy", f"“{deputy_obj.name}”已签到", "already_signed_in"))
        if not event_obj.starts_at - SIGN_IN_EARLY <= at <= event_obj.ends_at:
            start = timezone.localtime(event_obj.starts_at)
            errors.append(FieldError("signed_at", f"签到时间须在活动开始前 2 小时（{start - SIGN_IN_EARLY:%m-%d %H:%M}）至结束之间",
                                     "out_of_range"))
    if errors:
        raise ServiceError(errors)
    record = SignIn.objects.create(event=event_obj, deputy=deputy_obj, signed_at=at, method=method)
    _mark_held(event_obj)
    return record


def _mark_held(event: Event) -> None:
    if event.status in (EventStatus.PLANNED, EventStatus.ANNOUNCED):
        event.status = EventStatus.HELD
        event.save(update_fields=["status", "updated_at"])


@transaction.atomic
def record_reception(event, *, people_received: int, deputy=None, summary: str = "", visitors=(),
                     recorded_at: dt.datetime | None = None) -> Reception:
    """Record what a reception day produced: the number of people received and, where they
    agreed, who they were (personal data: name, phone, address, matter)."""
    errors = []
    event_obj = None
    try:
        event_obj = load_event(event, lock=True)
    except ServiceError as exc:
        errors.extend(exc.errors)
    else:
        acting.require_position(event_obj.position_id)
    recorded_at = recorded_at or timezone.now()
    deputy_obj = None
    if deputy is not None:
        deputy_obj = Deputy.objects.filter(pk=_obj_id(deputy)).first()
        if deputy_obj is None:
            errors.append(FieldError("deputy", f"本州市没有编号为 {_obj_id(deputy)} 的代表", "not_found"))
    if not isinstance(people_received, int) or isinstance(people_received, bool) or people_received < 0:
        errors.append(FieldError("people_received", "须为不小于 0 的整数", "invalid"))
    visitors = list(visitors or [])
    for index, visitor in enumerate(visitors):
        if not (visitor.get("name") or "").strip():
            errors.append(FieldError(f"visitors.{index}.name", "来访群众姓名必填（不愿留名的只计人次）", "required"))
        if (bad_phone := phone_error(visitor.get("phone") or "", f"visitors.{index}.phone")) is not None:
            errors.append(bad_phone)
        unknown = set(visitor) - {"name", "phone", "address", "matter"}
        if unknown:
            errors.append(FieldError(f"visitors.{index}", f"未知字段 {', '.join(sorted(unknown))}", "unknown_field"))
    if isinstance(people_received, int) and 0 <= people_received < len(visitors):
        errors.append(FieldError("people_received", f"接待人次（{people_received}）不能少于登记的来访群众人数（{len(visitors)}）",
                                 "inconsistent"))
    if event_obj is not None:
        if event_obj.kind != EventKind.RECEPTION_DAY:
            errors.append(FieldError("event", "接待记录只能登记在接待日活动上", "not_reception_day"))
        if event_obj.status == EventStatus.CANCELLED:
            errors.append(FieldError("event", "活动已取消", "cancelled"))
        if event_obj.starts_at > recorded_at:
            errors.append(FieldError("event", "接待日尚未开始，不能登记接待记录", "not_started"))
        if deputy_obj is not None and not ScheduledDeputy.objects.filter(event=event_obj, deputy=deputy_obj).exists():
            errors.append(FieldError("deputy", f"“{deputy_obj.name}”未被安排参加该接待日", "not_scheduled"))
        if Reception.objects.filter(event=event_obj, deputy=deputy_obj).exists():
            errors.append(_duplicate_reception(deputy_obj))
    if errors:
        raise ServiceError(errors)
    try:
        with transaction.atomic():
            reception = Reception.objects.create(event=event_obj, deputy=deputy_obj, people_received=people_received,
                                                 summary=summary, recorded_at=recorded_at)
    except IntegrityError:  # a concurrent twin (reception_once_per_deputy)
        raise ServiceError([_duplicate_reception(deputy_obj)]) from None
    Visitor.objects.bulk_create([Visitor(reception=reception, name=v["name"].strip(), phone=normalise_phone(v.get("phone") or ""),
                                         address=v.get("address", ""), matter=v.get("matter", "")) for v in visitors])
    _mark_held(event_obj)
    return reception
