"""Memberships as a product feature: who holds which role where. One service for the
`liaison member` command and the admin (and the workbench's account page).

    save_membership(username=, role=, prefecture=, positions=, deputy=, actor=) -> (Membership, created)
    remove_membership(username=, role=, prefecture=, actor=) -> None
    list_memberships(prefecture=None, username=None) -> QuerySet

Rules (errors are field-named `ServiceError`s; nothing is written when any fails):
- province roles (省级监测/省级管理员) have no prefecture; every other role has one;
- station staff may be limited to positions of that prefecture (by code; none = every
  position); only station staff have positions;
- a deputy membership names that prefecture's deputy (by 代表证号), and only deputies do;
- `actor` (a Principal; None = the operator at the command line) must manage the scope:
  province administrators manage everything, a prefecture administrator only their own
  prefecture's memberships, and never province roles or their own.
The user's `is_staff` follows the roles (`sync_staff_flag`): only administrators and
province roles use the admin; station staff and deputies log in to the workbench.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from liaison.tenants.common.errors import FieldError, ServiceError

from .models import PROVINCE_ROLES, Membership, Role, User
from .principal import Principal

ADMIN_ROLES = frozenset({Role.PREFECTURE_ADMIN, *PROVINCE_ROLES})


def _prefecture(value):
    from liaison.tenants.registry.models import Prefecture

    if value is None or value == "":
        return None
    if isinstance(value, Prefecture):
        return value
    return Prefecture.objects.filter(slug=str(value).strip()).first() or False


def may_manage(actor: Principal | None, prefecture, role: str) -> bool:
    """May `actor` grant or remove `role` in `prefecture` (None = province-wide)?"""
    if actor is None:  # the command line: the operator of the installation
        return True
    if Role.PROVINCE_ADMIN in actor.province_roles:
        return True
    if prefecture is None or role in PROVINCE_ROLES:
        return False
    return Role.PREFECTURE_ADMIN in actor.prefecture_roles.get(prefecture.schema_name, ())


def _resolve_positions(prefecture, codes: Iterable, errors: list[FieldError]) -> list[int]:
    from liaison.tenants.positions.models import Position

    wanted = [str(c).strip() for c in codes if str(c).strip()]
    if not wanted:
        return []
    with schema_context(prefecture.schema_name):
        found = dict(Position.objects.filter(code__in=wanted).values_list("code", "pk"))
    missing = [c for c in wanted if c not in found]
    if missing:
        errors.append(FieldError("positions", _("%(prefecture)s没有这些阵地编码：%(codes)s")
                                 % {"prefecture": prefecture.name, "codes": "、".join(missing)}, "not_found"))
    return sorted({found[c] for c in wanted if c in found})


def _resolve_deputy(prefecture, roll_number, errors: list[FieldError]) -> int | None:
    from liaison.tenants.deputies.models import Deputy

    with schema_context(prefecture.schema_name):
        pk = Deputy.objects.filter(roll_number=str(roll_number).strip()).values_list("pk", flat=True).first()
    if pk is None:
        errors.append(FieldError("deputy", _("%(prefecture)s代表名册中没有代表证号 %(roll)s")
                                 % {"prefecture": prefecture.name, "roll": roll_number}, "not_found"))
    return pk


def _check(username, role, prefecture_value, positions, deputy, actor):
    errors: list[FieldError] = []
    user = User.objects.filter(username=(username or "").strip()).first() if username else None
    if not (username or "").strip():
        errors.append(FieldError("user", _("请填写用户名"), "required"))
    elif user is None:
        errors.append(FieldError("user", _("没有用户名为 %(username)s 的用户") % {"username": username}, "not_found"))
    if role not in Role.values:
        errors.append(FieldError("role", _("角色须为以下之一：%(roles)s") % {"roles": "、".join(str(label) for label in Role.labels)}))
    prefecture = _prefecture(prefecture_value)
    if prefecture is False:
        errors.append(FieldError("prefecture", _("没有这个州市：%(slug)s") % {"slug": prefecture_value}, "not_found"))
        prefecture = None
        bad_prefecture = True
    else:
        bad_prefecture = False
    if role in PROVINCE_ROLES and prefecture is not None:
        errors.append(FieldError("prefecture", _("省级角色不属于某个州市，请不要填写州市")))
    elif role in Role.values and role not in PROVINCE_ROLES and prefecture is None and not bad_prefecture:
        errors.append(FieldError("prefecture", _("该角色须指定州市"), "required"))
    positions = list(positions or [])
    if positions and role != Role.STATION_STAFF:
        errors.append(FieldError("positions", _("只有站点工作人员可以限定阵地")))
    if deputy not in (None, "") and role != Role.DEPUTY:
        errors.append(FieldError("deputy", _("只有代表角色可以关联代表")))
    if role == Role.DEPUTY and deputy in (None, "") and prefecture is not None:
        errors.append(FieldError("deputy", _("代表角色须填写代表证号"), "required"))
    position_ids: list[int] = []
    deputy_id = None
    if prefecture is not None and not errors:
        if role == Role.STATION_STAFF:
            position_ids = _resolve_positions(prefecture, positions, errors)
        if role == Role.DEPUTY:
            deputy_id = _resolve_deputy(prefecture, deputy, errors)
    if role in Role.values and not bad_prefecture and not may_manage(actor, prefecture, role):
        errors.append(FieldError("prefecture" if prefecture is not None else "role",
                                 _("无权管理该州市或该角色的成员资格"), "forbidden"))
    if actor is not None and user is not None and actor.user_id == user.pk and Role.PROVINCE_ADMIN not in actor.province_roles:
        errors.append(FieldError("user", _("不能修改自己的成员资格"), "forbidden"))
    if errors:
        raise ServiceError(errors)
    return user, prefecture, position_ids, deputy_id


def validate_membership(*, username: str, role: str, prefecture=None, positions: Iterable = (), deputy=None,
                        actor: Principal | None = None) -> None:
    """Raise the ServiceError `save_membership` would raise; write nothing."""
    _check(username, role, prefecture, positions, deputy, actor)


def save_membership(*, username: str, role: str, prefecture=None, positions: Iterable = (), deputy=None,
                    actor: Principal | None = None) -> tuple[Membership, bool]:
    """Grant `role` to the user (or update the positions / deputy of that grant)."""
    with transaction.atomic():
        user, prefecture, position_ids, deputy_id = _check(username, role, prefecture, positions, deputy, actor)
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, prefecture=prefecture, role=role, defaults={"position_ids": position_ids, "deputy_id": deputy_id})
        if not created and (membership.position_ids != position_ids or membership.deputy_id != deputy_id):
            membership.position_ids, membership.deputy_id = position_ids, deputy_id
            membership.save(update_fields=["position_ids", "deputy_id"])
        sync_staff_flag(user)
    return membership, created


def remove_membership(*, username: str, role: str, prefecture=None, actor: Principal | None = None) -> None:
    with transaction.atomic():
        errors: list[FieldError] = []
        pref = _prefecture(prefecture)
        if pref is False:
            raise ServiceError.single("prefecture", _("没有这个州市：%(slug)s") % {"slug": prefecture}, "not_found")
        if not may_manage(actor, pref, role):
            raise ServiceError.single("prefecture" if pref is not None else "role", _("无权管理该州市或该角色的成员资格"), "forbidden")
        membership = Membership.objects.select_for_update().filter(user__username=username, prefecture=pref, role=role).first()
        if membership is None:
            errors.append(FieldError("user", _("%(username)s 没有这个成员资格") % {"username": username}, "not_found"))
            raise ServiceError(errors)
        if actor is not None and actor.user_id == membership.user_id and Role.PROVINCE_ADMIN not in actor.province_roles:
            raise ServiceError.single("user", _("不能修改自己的成员资格"), "forbidden")
        user = membership.user
        membership.delete()
        sync_staff_flag(user)


def delete_membership(membership: Membership, *, actor: Principal | None = None) -> None:
    remove_membership(username=membership.user.username, role=membership.role, prefecture=membership.prefecture, actor=actor)


def list_memberships(*, prefecture=None, username: str | None = None):
    qs = Membership.objects.select_related("user", "prefecture").order_by("prefecture__slug", "user__username", "role")
    if prefecture is not None:
        pref = _prefecture(prefecture)
        if pref is False:
            raise ServiceError.single("prefecture", _("没有这个州市：%(slug)s") % {"slug": prefecture}, "not_found")
        qs = qs.filter(prefecture=pref)
    if username:
        qs = qs.filter(user__username=username)
    return qs


def describe(membership: Membership) -> dict:
    """Positions by code and the deputy by roll number, read from the prefecture's schema."""
    positions: list[str] = []
    deputy = None
    if membership.prefecture_id and (membership.position_ids or membership.deputy_id):
        from liaison.tenants.deputies.models import Deputy
        from liaison.tenants.positions.models import Position

        with schema_context(membership.prefecture.schema_name):
            positions = sorted(Position.objects.filter(pk__in=membership.position_ids or []).values_list("code", flat=True))
            if membership.deputy_id:
                deputy = Deputy.objects.filter(pk=membership.deputy_id).values_list("roll_number", flat=True).first()
    return {"user": membership.user.username, "prefecture": membership.prefecture.slug if membership.prefecture_id else None,
            "role": membership.role, "role_label": str(membership.get_role_display()), "positions": positions, "deputy": deputy}


def sync_staff_flag(user: User) -> None:
    """is_staff mirrors the roles that use the admin (administrators, province roles)."""
    wanted = user.is_superuser or user.memberships.filter(role__in=list(ADMIN_ROLES)).exists()
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])
