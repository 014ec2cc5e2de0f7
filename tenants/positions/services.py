"""Writes for positions: create/update with the hierarchy rule, the status lifecycle,
the standards checklist (and the derived "meets standard" status), and staff.

Every function validates first and raises ServiceError with field-named errors; writes
happen in one transaction, so nothing partial is left behind.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.common.phones import normalise_phone, phone_error
from liaison.tenants.divisions.models import Division

from . import rules
from .models import (
    OPERATING_STATUSES,
    Position,
    PositionStatusChange,
    SpecialKind,
    Staff,
    StaffRole,
    StandardCheck,
    StandardItem,
    Status,
    Tier,
)

POSITION_FIELDS = ("code", "name", "tier", "special_kind", "field", "division", "parent", "counterpart", "address",
                   "latitude", "longitude", "opening_hours", "established_on", "online_url")
MIN_STATIONED_DEPUTIES = 3


def today() -> dt.date:
    return timezone.localdate()


# --- loading by id, refusing ids that are not in this prefecture's schema ----------------

def _obj_id(value):
    return getattr(value, "pk", value)


def load_division(value, field: str = "division") -> Division:
    pk = _obj_id(value)
    division = Division.objects.filter(pk=pk).first() if pk is not None else None
    if division is None:
        raise ServiceError.single(field, f"本州市没有编号为 {pk} 的行政区划", "not_found")
    return division


def load_position(value, field: str = "position", *, lock: bool = False) -> Position:
    pk = _obj_id(value)
    qs = Position.objects.select_related("division", "parent", "parent__division")
    if lock:
        qs = qs.select_for_update(of=("self",))
    position = qs.filter(pk=pk).first() if pk is not None else None
    if position is None:
        raise ServiceError.single(field, f"本州市没有编号为 {pk} 的阵地", "not_found")
    return position


# --- positions -------------------------------------------------------------------------------

def _clean_position_data(data: dict, instance: Position | None) -> tuple[dict, list[FieldError]]:
    """Resolve ids to rows and check every field; returns (cleaned, errors)."""
    errors: list[FieldError] = []
    cleaned = {}
    unknown = set(data) - set(POSITION_FIELDS) - {"status"}
    for name in sorted(unknown):
        errors.append(FieldError(name, "不是阵地的可写字段", "unknown_field"))
    if "status" in data:
        errors.append(FieldError("status", "建设状态请通过状态变更（change_status）办理", "use_change_status"))

    def current(name):
        return data[name] if name in data else (getattr(instance, name) if instance else None)

    for name in ("code", "name"):
        value = (current(name) or "").strip()
        if not value:
            errors.append(FieldError(name, "必填", "required"))
        cleaned[name] = value
    if cleaned["code"] and Position.objects.filter(code=cleaned["code"]).exclude(pk=getattr(instance, "pk", None)).exists():
        errors.append(FieldError("code", f"编码 {cleaned['code']} 已被其他阵地使用", "duplicate"))
    cleaned["tier"] = current("tier") or ""
    cleaned["field"] = (current("field") or "").strip()
    cleaned["special_kind"] = current("special_kind") or ""
    if cleaned["special_kind"] and cleaned["special_kind"] not in SpecialKind.values:
        errors.append(FieldError("special_kind", f"必须是 {', '.join(SpecialKind.values)} 之一", "invalid"))

    division = None
    try:
        division = load_division(data["division"]) if "division" in data else (instance.division if instance else None)
    except ServiceError as exc:
        errors.extend(exc.errors)
    if division is None and not any(e.field == "division" for e in errors):
        errors.append(FieldError("division", "必填", "required"))
    cleaned["division"] = division

    for name in ("parent", "counterpart"):
        value = data[name] if name in data else (getattr(instance, name) if instance else None)
        obj = None
        if value is not None:
            try:
                obj = load_position(value, name)
            except ServiceError as exc:
                errors.extend(exc.errors)
            if obj is not None and instance is not None and obj.pk == instance.pk:
                errors.append(FieldError(name, "不能指向阵地自身", "hierarchy"))
                obj = None
        cleaned[name] = obj
    if cleaned["counterpart"] is not None:
        taken = Position.objects.filter(counterpart=cleaned["counterpart"]).exclude(pk=getattr(instance, "pk", None))
        if taken.exists():
            errors.append(FieldError("counterpart", f"“{cleaned['counterpart'].name}”已有对应的网上阵地", "duplicate"))

    if cleaned["tier"] in Tier.values:
        errors.extend(rules.hierarchy_errors(tier=cleaned["tier"], division=division, parent=cleaned["parent"],
                                             counterpart=cleaned["counterpart"], field=cleaned["field"],
                                             special_kind=cleaned["special_kind"]))
    else:
        errors.append(FieldError("tier", f"必须是 {', '.join(Tier.values)} 之一", "invalid"))

    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = current(name)
        if value in (None, ""):
            cleaned[name] = None
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors.append(FieldError(name, "必须是数字", "invalid"))
            continue
        if not -bound <= number <= bound:
            errors.append(FieldError(name, f"必须在 -{bound} 到 {bound} 之间", "out_of_range"))
        cleaned[name] = number.quantize(Decimal("0.000001"))
    if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
        errors.append(FieldError("longitude" if cleaned.get("latitude") is not None else "latitude", "经纬度须同时填写", "required"))

    established_on = current("established_on")
    if established_on and established_on > today():
        errors.append(FieldError("established_on", "建成日期不能晚于今天", "in_future"))
    cleaned["established_on"] = established_on or None
    for name in ("address", "opening_hours", "online_url"):
        cleaned[name] = (current(name) or "").strip()
    return cleaned, errors


def validate_position(data: dict, instance: Position | None = None) -> list[FieldError]:
    """Errors the given create/update data would raise (for forms that validate before saving)."""
    cleaned, errors = _clean_position_data(data, instance)
    if instance is not None and instance.pk and not errors:
        errors = rules.child_errors(_apply(instance, cleaned, copy=True), _children(instance))
    return errors


def _children(position: Position):
    return list(Position.objects.filter(parent=position).select_related("division"))


def _apply(position: Position, cleaned: dict, copy: bool = False) -> Position:
    if copy:
        position = Position(pk=position.pk, **{f: getattr(position, f) for f in ("status", "status_since")})
    for name, value in cleaned.items():
        setattr(position, name, value)
    return position


@transaction.atomic
def create_position(*, status: str = Status.PLANNED, status_on: dt.date | None = None, **data) -> Position:
    """Create a position (status defaults to planned; give status/status_on to record an existing one)."""
    cleaned, errors = _clean_position_data(data, None)
    if status not in (Status.PLANNED, Status.BUILDING, Status.OPEN):
        errors.append(FieldError("status", "新建阵地的状态只能是规划中、建设中或已运行；“达标”由标准清单自动判定", "invalid"))
    status_on = status_on or today()
    if status_on > today():
        errors.append(FieldError("status_on", "状态日期不能晚于今天", "in_future"))
    if errors:
        raise ServiceError(errors)
    position = Position(**cleaned, status=status, status_since=status_on)
    if status == Status.OPEN and position.established_on is None:
        position.established_on = status_on
    position.save()
    PositionStatusChange.objects.create(position=position, from_status="", to_status=status, changed_on=status_on, note="创建")
    return position


@transaction.atomic
def update_position(position, **data) -> Position:
    position = load_position(position, lock=True)
    cleaned, errors = _clean_position_data(data, position)
    if errors:
        raise ServiceError(errors)
    if position.tier != cleaned["tier"] and position.stationings.exists() and cleaned["tier"] == Tier.ONLINE:
        raise ServiceError.single("tier", "已有进站代表的实体阵地不能改为网上阵地", "hierarchy")
    _apply(position, cleaned)
    errors = rules.child_errors(position, _children(position))
    if errors:
        raise ServiceError(errors)
    position.save()
    refresh_standard_status(position)
    return position


# --- status lifecycle ----------------------------------------------------------------------

# Manual transitions. "standard" is never typed in: it follows from the checklist.
MANUAL_TRANSITIONS = {
    Status.PLANNED: {Status.BUILDING, Status.OPEN, Status.CLOSED},
    Status.BUILDING: {Status.OPEN, Status.CLOSED},
    Status.OPEN: {Status.CLOSED},
    Status.STANDARD: {Status.CLOSED},
    Status.CLOSED: {Status.BUILDING, Status.OPEN},
}
STATUS_NAMES = dict(Status.choices)


@transaction.atomic
def change_status(position, to_status: str, *, on: dt.date | None = None, note: str = "") -> Position:
    """Move a position along planned → building → open (→ standard, derived); close or reopen it."""
    position = load_position(position, lock=True)
    on = on or today()
    errors = []
    if to_status not in Status.values:
        errors.append(FieldError("to_status", f"必须是 {', '.join(Status.values)} 之一", "invalid"))
    elif to_status == Status.STANDARD:
        errors.append(FieldError("to_status", "“达标”不能手工设置：所有标准项达标（站还须有不少于3名进站代表）后自动判定", "derived"))
    elif to_status not in MANUAL_TRANSITIONS[position.status]:
        errors.append(FieldError("to_status", f"不能从“{STATUS_NAMES[position.status]}”变更为“{STATUS_NAMES[to_status]}”", "invalid_transition"))
    if on > today():
        errors.append(FieldError("on", "变更日期不能晚于今天", "in_future"))
    last = position.status_history.order_by("-changed_on", "-id").first()
    if last and on < last.changed_on:
        errors.append(FieldError("on", f"变更日期不能早于上一次状态变更（{last.changed_on}）", "out_of_order"))
    if errors:
        raise ServiceError(errors)
    _record_status(position, to_status, on, note)
    if to_status == Status.OPEN:
        if position.established_on is None:
            position.established_on = on
            position.save(update_fields=["established_on"])
        refresh_standard_status(position, on=on)
    return position


def _record_status(position: Position, to_status: str, on: dt.date, note: str, derived: bool = False) -> None:
    PositionStatusChange.objects.create(position=position, from_status=position.status, to_status=to_status, changed_on=on,
                                        note=note, derived=derived)
    position.status = to_status
    position.status_since = on
    position.save(update_fields=["status", "status_since", "updated_at"])


# --- standards checklist ---------------------------------------------------------------------

@transaction.atomic
def ensure_checklist() -> int:
    """Initialise this prefecture's checklist from the province template (once; returns items copied)."""
    if StandardItem.objects.exists():
        return 0
    from liaison.platform.roster.models import StandardTemplateItem

    items = [StandardItem(code=t.code, name=t.name, description=t.description, order=t.order, active=t.active, from_template=True)
             for t in StandardTemplateItem.objects.filter(active=True)]
    StandardItem.objects.bulk_create(items)
    return len(items)


@transaction.atomic
def save_checklist_item(*, code: str, name: str, description: str = "", order: int = 0, active: bool = True) -> StandardItem:
    """Add or edit one item of this prefecture's checklist; re-derives every position's status."""
    ensure_checklist()
    errors = []
    code = (code or "").strip()
    if not code:
        errors.append(FieldError("code", "必填", "required"))
    if not (name or "").strip():
        errors.append(FieldError("name", "必填", "required"))
    if errors:
        raise ServiceError(errors)
    item, _ = StandardItem.objects.update_or_create(code=code, defaults={"name": name.strip(), "description": description,
                                                                         "order": order, "active": active})
    refresh_all_standard_statuses()
    return item


@transaction.atomic
def record_check(position, item, *, met: bool, checked_on: dt.date | None = None, evidence_note: str = "",
                 evidence_photo=None) -> StandardCheck:
    """Record one position's result for one checklist item; the position's status is re-derived."""
    ensure_checklist()
    errors = []
    try:
        position = load_position(position, lock=True)
    except ServiceError as exc:
        errors.extend(exc.errors)
        position = None
    item_obj = StandardItem.objects.filter(pk=_obj_id(item)).first() if not isinstance(item, str) else StandardItem.objects.filter(code=item).first()
    if item_obj is None:
        errors.append(FieldError("item", f"本州市标准清单中没有标准项 {item}", "not_found"))
    elif not item_obj.active:
        errors.append(FieldError("item", f"标准项“{item_obj.name}”已停用", "inactive"))
    if position is not None and position.tier == Tier.ONLINE:
        errors.append(FieldError("position", "网上阵地不适用实体阵地标准清单", "not_applicable"))
    checked_on = checked_on or today()
    if checked_on > today():
        errors.append(FieldError("checked_on", "核查日期不能晚于今天", "in_future"))
    if met and not (evidence_note or "").strip() and not evidence_photo:
        errors.append(FieldError("evidence_note", "认定达标须提供佐证说明或照片", "required"))
    if evidence_photo and not str(getattr(evidence_photo, "name", "")).lower().endswith((".jpg", ".jpeg", ".png", ".webp", ".gif")):
        errors.append(FieldError("evidence_photo", "佐证照片须为 jpg、png、webp 或 gif 图片", "invalid"))
    if errors:
        raise ServiceError(errors)
    check, _ = StandardCheck.objects.get_or_create(position=position, item=item_obj,
                                                   defaults={"met": met, "checked_on": checked_on, "evidence_note": evidence_note})
    check.met = met
    check.checked_on = checked_on
    check.evidence_note = evidence_note
    if evidence_photo:
        check.evidence_photo = evidence_photo
    check.save()
    refresh_standard_status(position, on=checked_on)
    return check


def refresh_standard_status(position, on: dt.date | None = None) -> Position:
    """Derive open ⇄ standard from the checklist (and stationed deputies for stations)."""
    from .selectors import standard_assessment

    position = position if isinstance(position, Position) else load_position(position)
    if position.status not in OPERATING_STATUSES:
        return position
    meets = standard_assessment(position).meets_standard
    target = Status.STANDARD if meets else Status.OPEN
    if target != position.status:
        on = max(on or today(), position.status_since or on or today())
        _record_status(position, target, on, "标准清单全部达标" if meets else "标准清单或进站代表不再达标", derived=True)
    return position


def refresh_all_standard_statuses() -> int:
    changed = 0
    for position in Position.objects.filter(status__in=OPERATING_STATUSES).select_related("division"):
        before = position.status
        if refresh_standard_status(position).status != before:
            changed += 1
    return changed


# --- staff -----------------------------------------------------------------------------------

@transaction.atomic
def add_staff(position, *, role: str, name: str, start_on: dt.date | None = None, end_on: dt.date | None = None,
              phone: str = "", email: str = "", deputy=None) -> Staff:
    errors = []
    try:
        position = load_position(position, lock=True)
    except ServiceError as exc:
        errors.extend(exc.errors)
        position = None
    if role not in StaffRole.values:
        errors.append(FieldError("role", f"必须是 {', '.join(StaffRole.values)} 之一", "invalid"))
    if not (name or "").strip():
        errors.append(FieldError("name", "必填", "required"))
    start_on = start_on or today()
    if end_on and end_on < start_on:
        errors.append(FieldError("end_on", "离任日期不能早于任职日期", "out_of_order"))
    deputy_obj = None
    if deputy is not None:
        from liaison.tenants.deputies.models import Deputy

        deputy_obj = Deputy.objects.filter(pk=_obj_id(deputy)).first()
        if deputy_obj is None:
            errors.append(FieldError("deputy", f"本州市没有编号为 {_obj_id(deputy)} 的代表", "not_found"))
    if email and "@" not in email:
        errors.append(FieldError("email", "不是有效的电子邮箱", "invalid"))
    if (bad_phone := phone_error(phone, "phone")) is not None:
        errors.append(bad_phone)
    if position is not None and role == StaffRole.HEAD and end_on is None and position.staff.filter(role=StaffRole.HEAD, end_on__isnull=True).exists():
        errors.append(FieldError("role", f"“{position.name}”已有在任站长，请先办理离任", "duplicate"))
    if errors:
        raise ServiceError(errors)
    try:
        with transaction.atomic():
            return Staff.objects.create(position=position, role=role, name=name.strip(), start_on=start_on, end_on=end_on,
                                        phone=normalise_phone(phone), email=email, deputy=deputy_obj)
    except IntegrityError:  # a concurrent twin got there first (staff_one_current_head)
        raise ServiceError.single("role", f"“{position.name}”已有在任站长，请先办理离任", "duplicate") from None


@transaction.atomic
def end_staff(staff, *, end_on: dt.date | None = None) -> Staff:
    staff_obj = Staff.objects.select_for_update().filter(pk=_obj_id(staff)).first()
    if staff_obj is None:
        raise ServiceError.single("staff", f"本州市没有编号为 {_obj_id(staff)} 的工作人员", "not_found")
    end_on = end_on or today()
    if end_on < staff_obj.start_on:
        raise ServiceError.single("end_on", "离任日期不能早于任职日期", "out_of_order")
    staff_obj.end_on = end_on
    staff_obj.save(update_fields=["end_on"])
    return staff_obj
