"""Writes for deputies: the roll, province-wide identities, stationing.

Provincial and national deputies have one identity in the public schema
(roster.ProvinceDeputy). The prefecture where they are on the roll creates them with
`create_deputy` (which creates or links the identity); any other prefecture brings them
in with `bring_in_province_deputy` (a local row with on_roll=False, contact details
copied, ID number never copied) and stations them like anyone else.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.divisions.models import Division

from .models import Deputy, Level, Stationing, StationingBasis

PROVINCE_WIDE = (Level.NATIONAL, Level.PROVINCIAL)
DEPUTY_FIELDS = ("roll_number", "name", "level", "constituency", "gender", "ethnicity", "occupation", "phone", "id_number",
                 "email", "bio", "active")


def today() -> dt.date:
    return timezone.localdate()


def _obj_id(value):
    return getattr(value, "pk", value)


def load_deputy(value, field: str = "deputy", *, lock: bool = False) -> Deputy:
    pk = _obj_id(value)
    qs = Deputy.objects.select_for_update() if lock else Deputy.objects.all()
    deputy = qs.filter(pk=pk).first() if pk is not None else None
    if deputy is None:
        raise ServiceError.single(field, f"本州市没有编号为 {pk} 的代表", "not_found")
    return deputy


def _current_prefecture():
    from liaison.tenants.registry.models import Prefecture

    return Prefecture.objects.filter(schema_name=connection.schema_name).first()


def _clean(data: dict, instance: Deputy | None) -> tuple[dict, list[FieldError]]:
    errors: list[FieldError] = []
    cleaned: dict = {}
    for name in sorted(set(data) - set(DEPUTY_FIELDS) - {"identity"}):
        errors.append(FieldError(name, "不是代表的可写字段", "unknown_field"))

    def current(name, default=""):
        if name in data:
            return data[name]
        return getattr(instance, name) if instance is not None else default

    for name in ("roll_number", "name"):
        value = (current(name) or "").strip()
        if not value:
            errors.append(FieldError(name, "必填", "required"))
        cleaned[name] = value
    if cleaned["roll_number"] and Deputy.objects.filter(roll_number=cleaned["roll_number"]).exclude(pk=getattr(instance, "pk", None)).exists():
        errors.append(FieldError("roll_number", f"代表证号 {cleaned['roll_number']} 已存在", "duplicate"))
    level = current("level")
    if level not in Level.values:
        errors.append(FieldError("level", f"必须是 {', '.join(Level.values)} 之一", "invalid"))
    cleaned["level"] = level
    on_roll = instance.on_roll if instance is not None else True
    constituency = current("constituency", None)
    if constituency is None:
        if on_roll:
            errors.append(FieldError("constituency", "本州市名册上的代表必须有选区", "required"))
        cleaned["constituency"] = None
    else:
        division = Division.objects.filter(pk=_obj_id(constituency)).first()
        if division is None:
            errors.append(FieldError("constituency", f"本州市没有编号为 {_obj_id(constituency)} 的行政区划", "not_found"))
        cleaned["constituency"] = division
    if instance is not None and not instance.on_roll and "level" in data and level not in PROVINCE_WIDE:
        errors.append(FieldError("level", "外州市进站的代表只能是省级或全国人大代表", "invalid"))
    if instance is not None and instance.identity_id and "level" in data and level != instance.level:
        errors.append(FieldError("level", "省级及以上代表的层级由全省代表身份决定，请在省级名册修改", "province_wide"))
    email = (current("email") or "").strip()
    if email and "@" not in email:
        errors.append(FieldError("email", "不是有效的电子邮箱", "invalid"))
    cleaned["email"] = email
    for name in ("gender", "ethnicity", "occupation", "phone", "id_number", "bio"):
        cleaned[name] = (current(name) or "").strip()
    cleaned["active"] = bool(current("active", True))
    return cleaned, errors


def validate_deputy(data: dict, instance: Deputy | None = None) -> list[FieldError]:
    return _clean(data, instance)[1]


def _link_identity(deputy: Deputy, identity) -> None:
    """Create or link the province-wide identity of a provincial/national deputy on this roll."""
    from liaison.platform.roster.models import ProvinceDeputy

    if identity is not None:
        ident = ProvinceDeputy.objects.filter(pk=_obj_id(identity)).first()
        if ident is None:
            raise ServiceError.single("identity", f"全省名册中没有编号为 {_obj_id(identity)} 的代表", "not_found")
        if ident.level != deputy.level:
            raise ServiceError.single("level", f"全省名册中该代表为{ident.get_level_display()}", "province_wide")
    else:
        ident = ProvinceDeputy.objects.filter(id_number=deputy.id_number).first() if deputy.id_number else None
        if ident is None:
            prefecture = _current_prefecture()
            code = f"{prefecture.code if prefecture else connection.schema_name}-{deputy.roll_number}"
            if ProvinceDeputy.objects.filter(code=code).exists():
                raise ServiceError.single("roll_number", f"全省名册中已有编号 {code}", "duplicate")
            ident = ProvinceDeputy.objects.create(code=code, name=deputy.name, level=deputy.level, home_prefecture=prefecture,
                                                  gender=deputy.gender, ethnicity=deputy.ethnicity, occupation=deputy.occupation,
                                                  phone=deputy.phone, email=deputy.email, id_number=deputy.id_number)
    if Deputy.objects.filter(identity=ident).exclude(pk=deputy.pk).exists():
        raise ServiceError.single("identity", f"本州市已有“{ident.name}”的代表记录", "duplicate")
    deputy.identity = ident
    deputy.save(update_fields=["identity"])


@transaction.atomic
def create_deputy(*, identity=None, **data) -> Deputy:
    """Put a deputy on this prefecture's roll. Provincial/national deputies get (or link) their province-wide identity."""
    cleaned, errors = _clean(data, None)
    if identity is not None and cleaned.get("level") not in PROVINCE_WIDE:
        errors.append(FieldError("identity", "只有省级及以上代表有全省代表身份", "invalid"))
    if errors:
        raise ServiceError(errors)
    deputy = Deputy.objects.create(**cleaned, on_roll=True)
    if deputy.level in PROVINCE_WIDE:
        _link_identity(deputy, identity)
    return deputy


@transaction.atomic
def update_deputy(deputy, **data) -> Deputy:
    deputy = load_deputy(deputy, lock=True)
    cleaned, errors = _clean(data, deputy)
    if errors:
        raise ServiceError(errors)
    for name, value in cleaned.items():
        setattr(deputy, name, value)
    deputy.save()
    if deputy.identity_id and deputy.on_roll:
        # the home prefecture keeps the province-wide identity's public details current
        from liaison.platform.roster.models import ProvinceDeputy

        ProvinceDeputy.objects.filter(pk=deputy.identity_id).update(
            name=deputy.name, gender=deputy.gender, ethnicity=deputy.ethnicity, occupation=deputy.occupation,
            phone=deputy.phone, email=deputy.email, active=deputy.active)
    return deputy


@transaction.atomic
def bring_in_province_deputy(identity) -> Deputy:
    """The local record, in this prefecture, of a provincial/national deputy from the province-wide roster.

    Returns the existing row when there is one (idempotent). Contact details are copied so
    the prefecture can remind the deputy; the ID number is not.
    """
    from liaison.platform.roster.models import ProvinceDeputy

    ident = ProvinceDeputy.objects.filter(pk=_obj_id(identity)).first()
    if ident is None:
        raise ServiceError.single("identity", f"全省名册中没有编号为 {_obj_id(identity)} 的代表", "not_found")
    if not ident.active:
        raise ServiceError.single("identity", f"“{ident.name}”已不在任", "inactive")
    existing = Deputy.objects.filter(identity=ident).first()
    if existing is not None:
        return existing
    if Deputy.objects.filter(roll_number=ident.code).exists():
        raise ServiceError.single("identity", f"本州市已有代表证号为 {ident.code} 的代表", "duplicate")
    return Deputy.objects.create(roll_number=ident.code, name=ident.name, level=ident.level, constituency=None, on_roll=False,
                                 identity=ident, gender=ident.gender, ethnicity=ident.ethnicity, occupation=ident.occupation,
                                 phone=ident.phone, email=ident.email)


# --- stationing (进站) -------------------------------------------------------------------------

def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    far = dt.date.max
    return a_start <= (b_end or far) and b_start <= (a_end or far)


@transaction.atomic
def station_deputy(deputy, position, *, start_on: dt.date | None = None, end_on: dt.date | None = None,
                   basis: str = StationingBasis.AREA, note: str = "") -> Stationing:
    """Station a deputy at a position for a period (by area, or by field at a professional station)."""
    from liaison.tenants.positions.models import PHYSICAL_TIERS, Status, Tier
    from liaison.tenants.positions.services import load_position, refresh_standard_status

    errors: list[FieldError] = []
    deputy_obj = position_obj = None
    try:
        deputy_obj = load_deputy(deputy, lock=True)
    except ServiceError as exc:
        errors.extend(exc.errors)
    try:
        position_obj = load_position(position)
    except ServiceError as exc:
        errors.extend(exc.errors)
    start_on = start_on or today()
    if end_on is not None and end_on < start_on:
        errors.append(FieldError("end_on", "离站日期不能早于进站日期", "out_of_order"))
    if basis not in StationingBasis.values:
        errors.append(FieldError("basis", f"必须是 {', '.join(StationingBasis.values)} 之一", "invalid"))
    if deputy_obj is not None and not deputy_obj.active:
        errors.append(FieldError("deputy", f"“{deputy_obj.name}”已不在任", "inactive"))
    if position_obj is not None:
        if position_obj.tier not in PHYSICAL_TIERS:
            errors.append(FieldError("position", "代表只能进驻实体阵地（网上阵地不设进站代表）", "not_applicable"))
        if position_obj.status == Status.CLOSED:
            errors.append(FieldError("position", f"“{position_obj.name}”已关闭", "closed"))
        if basis == StationingBasis.FIELD and position_obj.tier != Tier.PROFESSIONAL:
            errors.append(FieldError("basis", "按专业领域进站只适用于专业代表工作站", "invalid"))
    if deputy_obj is not None and position_obj is not None and not errors:
        for other in Stationing.objects.filter(deputy=deputy_obj, position=position_obj):
            if _overlaps(start_on, end_on, other.start_on, other.end_on):
                until = other.end_on or "至今"
                errors.append(FieldError("start_on", f"“{deputy_obj.name}”在{other.start_on}—{until}已进驻“{position_obj.name}”，时间段重叠",
                                         "overlap"))
                break
    if errors:
        raise ServiceError(errors)
    stationing = Stationing.objects.create(deputy=deputy_obj, position=position_obj, basis=basis, start_on=start_on, end_on=end_on,
                                           note=note)
    refresh_standard_status(position_obj)
    return stationing


@transaction.atomic
def end_stationing(stationing, *, end_on: dt.date | None = None) -> Stationing:
    from liaison.tenants.positions.services import refresh_standard_status

    obj = Stationing.objects.select_for_update().filter(pk=_obj_id(stationing)).first()
    if obj is None:
        raise ServiceError.single("stationing", f"本州市没有编号为 {_obj_id(stationing)} 的进站记录", "not_found")
    end_on = end_on or today()
    if end_on < obj.start_on:
        raise ServiceError.single("end_on", "离站日期不能早于进站日期", "out_of_order")
    if obj.end_on is not None and obj.end_on < end_on:
        raise ServiceError.single("end_on", f"该进站记录已于 {obj.end_on} 结束", "already_ended")
    obj.end_on = end_on
    obj.save(update_fields=["end_on"])
    refresh_standard_status(obj.position)
    return obj


# --- points scheme ------------------------------------------------------------------------------

@transaction.atomic
def set_points_rule(metric: str, points, *, cap_per_year=None, active: bool = True):
    from decimal import Decimal, InvalidOperation

    from .models import Metric, PointsRule

    errors = []
    if metric not in Metric.values:
        errors.append(FieldError("metric", f"必须是 {', '.join(Metric.values)} 之一", "invalid"))
    try:
        points = Decimal(str(points))
    except (InvalidOperation, ValueError):
        errors.append(FieldError("points", "必须是数字", "invalid"))
    if cap_per_year is not None:
        try:
            cap_per_year = Decimal(str(cap_per_year))
            if cap_per_year < 0:
                errors.append(FieldError("cap_per_year", "不能为负数", "invalid"))
        except (InvalidOperation, ValueError):
            errors.append(FieldError("cap_per_year", "必须是数字", "invalid"))
    if errors:
        raise ServiceError(errors)
    rule, _ = PointsRule.objects.update_or_create(metric=metric, defaults={"points": points, "cap_per_year": cap_per_year,
                                                                           "active": active})
    return rule
