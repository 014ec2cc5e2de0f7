"""Positions (家、站、室): their checklist, staff, stationed deputies and status history,
and the coverage of 两个必建."""
from __future__ import annotations

import datetime as dt

import graphene
from django.db.models import Q

from liaison.graphql.core import loaders
from liaison.graphql.core.enums import choice_label, enum_from, enum_value
from liaison.graphql.core.fields import related_field
from liaison.graphql.core.personal import personal
from liaison.graphql.core.relay import ModelObjectType, Node, connection_for
from liaison.graphql.divisions.types import DivisionType
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.positions import models as pm
from liaison.tenants.positions import selectors as position_selectors

DEPUTY = "liaison.graphql.deputies.types.DeputyType"
STATIONING = "liaison.graphql.deputies.types.StationingType"

PositionTier = enum_from(pm.Tier, "PositionTier", "家、站、室 and their kin.")
PositionStatus = enum_from(pm.Status, "PositionStatus", "Construction status; STANDARD is derived from the checklist.")
SpecialKind = enum_from(pm.SpecialKind, "SpecialKind", "特色阵地类型 (kind of a special position).")
StaffRole = enum_from(pm.StaffRole, "StaffRole", "工作人员岗位 (role of a staff member).")


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


class ChecklistItemType(ModelObjectType):
    model = pm.StandardItem

    class Meta:
        name = "ChecklistItem"
        interfaces = (Node,)
        description = "One item of this prefecture's standards checklist (七有…)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    order = graphene.Int(required=True)
    active = graphene.Boolean(required=True)
    from_template = graphene.Boolean(required=True)


class ChecklistEntryType(graphene.ObjectType):
    class Meta:
        name = "ChecklistEntry"
        description = "A position against one checklist item."

    item = graphene.Field(ChecklistItemType, required=True)
    met = graphene.Boolean(required=True)
    checked_on = graphene.Date()
    evidence_note = graphene.String()


class StaffType(ModelObjectType):
    """阵地工作人员 (a staff member of a position; contact details are personal data)."""

    model = pm.Staff

    class Meta:
        name = "Staff"
        interfaces = (Node,)

    role = graphene.Field(StaffRole, required=True)
    role_label = graphene.String(required=True)
    name = graphene.String(required=True, description="Public (posted on the position's notice board).")
    phone = graphene.String(description="Masked without the personal-data permission.")
    email = graphene.String(description="Masked without the personal-data permission.")
    start_on = graphene.Date(required=True)
    end_on = graphene.Date()
    deputy = related_field(DEPUTY)
    position = related_field(lambda: PositionType, required=True)

    def resolve_role_label(root, info):
        return choice_label(pm.StaffRole, root.role)

    def resolve_phone(root, info):
        return personal(info, root.phone, "phone")

    def resolve_email(root, info):
        return personal(info, root.email, "email")


class StatusChangeType(graphene.ObjectType):
    class Meta:
        description = "建设状态变更 (one change of a position's status)."
        name = "PositionStatusChange"

    from_status = graphene.Field(PositionStatus)
    to_status = graphene.Field(PositionStatus, required=True)
    changed_on = graphene.Date(required=True)
    note = graphene.String(required=True)
    derived = graphene.Boolean(required=True, description="Set by the checklist rule, not by hand.")

    def resolve_from_status(root, info):
        return enum_value(root.from_status)


class PositionType(ModelObjectType):
    model = pm.Position

    class Meta:
        name = "Position"
        interfaces = (Node,)
        description = "A deputy activity position: home (家), station (站), office (室), online, professional or special."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    tier = graphene.Field(PositionTier, required=True)
    tier_label = graphene.String(required=True)
    special_kind = graphene.Field(SpecialKind)
    field = graphene.String(required=True, description="Field of a professional station (旅游、生态…).")
    status = graphene.Field(PositionStatus, required=True)
    status_label = graphene.String(required=True)
    status_since = graphene.Date()
    address = graphene.String(required=True)
    latitude = graphene.Float()
    longitude = graphene.Float()
    opening_hours = graphene.String(required=True)
    established_on = graphene.Date()
    online_url = graphene.String(required=True)
    public_url = graphene.String(required=True, description="Where the position's QR code points.")
    division = related_field(DivisionType, required=True)
    parent = related_field(lambda: PositionType)
    counterpart = related_field(lambda: PositionType, description="Online positions: the physical one they pair with.")
    children = graphene.List(graphene.NonNull(lambda: PositionType), required=True,
                             description='下级阵地 (positions directly below this one).')
    checklist = graphene.List(graphene.NonNull(ChecklistEntryType), required=True,
                              description="This prefecture's active checklist, with this position's result per item.")
    staff = graphene.List(graphene.NonNull(StaffType), required=True,
                          current=graphene.Boolean(default_value=True, description="Only staff in office today."))
    stationed_deputies = graphene.List(graphene.NonNull(STATIONING), required=True,
                                       description="Deputies stationed here today (进站代表).")
    status_history = graphene.List(graphene.NonNull(StatusChangeType), required=True,
                                   description='建设状态变更 (status changes, oldest first).')

    def resolve_tier_label(root, info):
        return choice_label(pm.Tier, root.tier)

    def resolve_special_kind(root, info):
        return enum_value(root.special_kind)

    def resolve_status_label(root, info):
        return choice_label(pm.Status, root.status)

    def resolve_latitude(root, info):
        return float(root.latitude) if root.latitude is not None else None

    def resolve_longitude(root, info):
        return float(root.longitude) if root.longitude is not None else None

    def resolve_public_url(root, info):
        loaders.prefetch(info, root, "online_counterpart")
        return position_selectors.public_url(root)

    def resolve_children(root, info):
        return loaders.children(info, root, "position.children",
                                lambda ids: pm.Position.objects.filter(parent_id__in=ids).order_by("code"), "parent_id")

    def resolve_checklist(root, info):
        cache = info.context.__dict__.setdefault("liaison_loaders", {})
        if "checklist" not in cache:
            cache["checklist"] = [i for i in position_selectors.checklist() if i.active]
        checks = loaders.children(info, root, "position.checks",
                                  lambda ids: pm.StandardCheck.objects.filter(position_id__in=ids), "position_id")
        by_item = {c.item_id: c for c in checks}
        entries = []
        # Until a prefecture first edits its checklist, the items are the province template
        # (no pk): no position has a check against them yet.
        for item in cache["checklist"]:
            check = by_item.get(item.pk) if item.pk else None
            entries.append(ChecklistEntryType(item=item, met=bool(check and check.met),
                                              checked_on=check.checked_on if check else None,
                                              evidence_note=check.evidence_note if check else None))
        return entries

    def resolve_staff(root, info, current=True):
        key = f"position.staff.{bool(current)}"

        def fetch(ids):
            qs = pm.Staff.objects.filter(position_id__in=ids).order_by("position_id", "role", "name")
            if current:
                qs = qs.filter(Q(end_on__isnull=True) | Q(end_on__gte=today()))
            return qs
        return loaders.children(info, root, key, fetch, "position_id")

    def resolve_stationed_deputies(root, info):
        return loaders.children(
            info, root, "position.stationings",
            lambda ids: deputy_selectors.current_stationings().filter(position_id__in=ids).order_by("position_id", "start_on", "id"),
            "position_id")

    def resolve_status_history(root, info):
        return loaders.children(info, root, "position.history",
                                lambda ids: pm.PositionStatusChange.objects.filter(position_id__in=ids)
                                .order_by("position_id", "changed_on", "id"), "position_id")


class CoverageType(graphene.ObjectType):
    class Meta:
        name = "TwoMustsCoverage"
        description = ("两个必建 for a division's subtree: every township an operating station; every village or "
                       "community with 3 or more deputies an operating office.")

    division_name = graphene.String(required=True)
    townships_total = graphene.Int(required=True, description='乡镇（街道）数 (townships in the subtree).')
    townships_with_station = graphene.Int(required=True, description='有运行中联络站的乡镇数 (townships with an operating station).')
    villages_requiring_office = graphene.Int(required=True,
                                             description='须建联络室的村（社区）数 (villages/communities with 3 or more deputies).')
    villages_with_office = graphene.Int(required=True, description='已建联络室的村（社区）数 (of those, with an operating office).')
    station_rate = graphene.Float(description='联络站覆盖率 (townshipsWithStation / townshipsTotal; null when there are none).')
    office_rate = graphene.Float(
                                 description='联络室覆盖率 (villagesWithOffice / villagesRequiringOffice; null when none is required).')
    complete = graphene.Boolean(required=True, description='两个必建已完成 (both rates are 100%).')


PositionConnection = connection_for(PositionType)
