"""Position mutations: create and edit positions, their status, checklist and staff."""
from __future__ import annotations

import graphene

from liaison.graphql.core.enums import plain
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.core.relay import pk_of
from liaison.graphql.positions.types import ChecklistItemType, PositionStatus, PositionType, SpecialKind, StaffRole, StaffType, PositionTier
from liaison.platform.accounts.principal import Op
from liaison.tenants.positions import models as pm
from liaison.tenants.positions import services as position_services


def _position_data(inp: dict) -> dict:
    """Input (camelCase → snake_case by graphene; IDs → pks) to the service's field names."""
    data = {}
    simple = ("code", "name", "field", "address", "opening_hours", "established_on", "online_url")
    for name in simple:
        if name in inp:
            data[name] = inp[name] if inp[name] is not None else ""
    if "established_on" in inp:
        data["established_on"] = inp["established_on"]
    for name in ("tier", "special_kind"):
        if name in inp:
            data[name] = plain(inp[name]) or ""
    for name in ("latitude", "longitude"):
        if name in inp:
            data[name] = inp[name]
    if "division" in inp:
        data["division"] = pk_of(inp["division"], "Division", "division")
    for name in ("parent", "counterpart"):
        if name in inp:
            data[name] = pk_of(inp[name], "Position", name)
    return data


class PositionFields:
    code = graphene.String()
    name = graphene.String()
    tier = PositionTier()
    special_kind = SpecialKind()
    field = graphene.String()
    division = graphene.ID()
    parent = graphene.ID()
    counterpart = graphene.ID()
    address = graphene.String()
    latitude = graphene.Float()
    longitude = graphene.Float()
    opening_hours = graphene.String()
    established_on = graphene.Date()
    online_url = graphene.String()


class CreatePosition(ServiceMutation):
    """Create a position (the hierarchy rule of 家、站、室 is checked by the service)."""

    op = Op.MANAGE
    position = graphene.Field(PositionType)

    class Input(PositionFields):
        status = PositionStatus(description="PLANNED (default), BUILDING or OPEN.")
        status_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, **inp):
        extra = {}
        if inp.get("status"):
            extra["status"] = plain(inp["status"])
        if inp.get("status_on"):
            extra["status_on"] = inp["status_on"]
        position = position_services.create_position(**_position_data(inp), **extra)
        return {"position": position}


class UpdatePosition(ServiceMutation):
    """Edit a position's details (status changes go through changePositionStatus)."""

    op = Op.MANAGE
    position = graphene.Field(PositionType)

    class Input(PositionFields):
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, id, **inp):  # noqa: A002
        pk = pk_of(id, "Position", "id")
        return {"position": position_services.update_position(pk, **_position_data(inp))}


class ChangePositionStatus(ServiceMutation):
    """Move a position along planned → building → open, close or reopen it (STANDARD is derived)."""

    op = Op.MANAGE
    position = graphene.Field(PositionType)

    class Input:
        id = graphene.ID(required=True)
        to_status = PositionStatus(required=True)
        on = graphene.Date()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, to_status, on=None, note="", **_):  # noqa: A002
        pk = pk_of(id, "Position", "id")
        return {"position": position_services.change_status(pk, plain(to_status), on=on, note=note or "")}


class SaveChecklistItem(ServiceMutation):
    """Add or edit one item of this prefecture's standards checklist (by code)."""

    op = Op.MANAGE
    item = graphene.Field(ChecklistItemType)

    class Input:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        description = graphene.String()
        order = graphene.Int()
        active = graphene.Boolean()

    @classmethod
    def perform(cls, root, info, code, name, description="", order=0, active=True, **_):
        item = position_services.save_checklist_item(code=code, name=name, description=description or "",
                                                     order=order or 0, active=True if active is None else active)
        return {"item": item}


class RecordStandardCheck(ServiceMutation):
    """Record a position's result for one checklist item; its status is re-derived."""

    op = Op.MANAGE
    position = graphene.Field(PositionType)

    class Input:
        position = graphene.ID(required=True)
        item_code = graphene.String(required=True)
        met = graphene.Boolean(required=True)
        checked_on = graphene.Date()
        evidence_note = graphene.String()

    error_fields = {"item": "itemCode"}

    @classmethod
    def perform(cls, root, info, position, item_code, met, checked_on=None, evidence_note="", **_):
        pk = pk_of(position, "Position", "position")
        check = position_services.record_check(pk, item_code, met=met, checked_on=checked_on, evidence_note=evidence_note or "")
        return {"position": pm.Position.objects.get(pk=check.position_id)}


class AddStaff(ServiceMutation):
    """Add a staff member to a position (a deputy may hold the role)."""

    op = Op.MANAGE
    staff = graphene.Field(StaffType)

    class Input:
        position = graphene.ID(required=True)
        role = StaffRole(required=True)
        name = graphene.String(required=True)
        start_on = graphene.Date()
        end_on = graphene.Date()
        phone = graphene.String()
        email = graphene.String()
        deputy = graphene.ID()

    @classmethod
    def perform(cls, root, info, position, role, name, start_on=None, end_on=None, phone="", email="", deputy=None, **_):
        staff = position_services.add_staff(pk_of(position, "Position", "position"), role=plain(role), name=name,
                                            start_on=start_on, end_on=end_on, phone=phone or "", email=email or "",
                                            deputy=pk_of(deputy, "Deputy", "deputy"))
        return {"staff": staff}


class EndStaff(ServiceMutation):
    """A staff member leaves the position (default: today)."""

    op = Op.MANAGE
    staff = graphene.Field(StaffType)

    class Input:
        id = graphene.ID(required=True)
        end_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, id, end_on=None, **_):  # noqa: A002
        return {"staff": position_services.end_staff(pk_of(id, "Staff", "id"), end_on=end_on)}


class Mutation(graphene.ObjectType):
    create_position = CreatePosition.Field()
    update_position = UpdatePosition.Field()
    change_position_status = ChangePositionStatus.Field()
    save_checklist_item = SaveChecklistItem.Field()
    record_standard_check = RecordStandardCheck.Field()
    add_staff = AddStaff.Field()
    end_staff = EndStaff.Field()
