"""Divisions, positions (checklist, staff, stationed deputies, status history) and deputies
(public profile; private fields masked without the personal-data permission).

Reads go through liaison.tenants.*.selectors, writes through the services.
"""
from __future__ import annotations

import datetime as dt

import graphene
from django.db.models import Q

from liaison.graphql import loaders
from liaison.graphql.common import (
    ServiceMutation,
    choice_label,
    enum_from,
    enum_value,
    mutation_permissions,
    personal,
    pk_of,
    plain,
)
from liaison.graphql.relay import (
    ModelObjectType,
    Node,
    NotFound,
    apply_order,
    connection_args,
    connection_for,
    local_pk,
    paginate,
)
from liaison.platform.accounts.principal import Op
from liaison.tenants.deputies import models as dm
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.divisions.models import Division
from liaison.tenants.positions import models as pm
from liaison.tenants.positions import selectors as position_selectors
from liaison.tenants.positions import services as position_services

# --- enums ---------------------------------------------------------------------------------------

DivisionLevel = enum_from(Division.Level, "DivisionLevel", "Level of an administrative division.")
PositionTier = enum_from(pm.Tier, "PositionTier", "家、站、室 and their kin.")
PositionStatus = enum_from(pm.Status, "PositionStatus", "Construction status; STANDARD is derived from the checklist.")
SpecialKind = enum_from(pm.SpecialKind, "SpecialKind")
StaffRole = enum_from(pm.StaffRole, "StaffRole")
DeputyLevel = enum_from(dm.Level, "DeputyLevel")
StationingBasis = enum_from(dm.StationingBasis, "StationingBasis")


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


# --- divisions -----------------------------------------------------------------------------------

class DivisionType(ModelObjectType):
    model = Division

    class Meta:
        name = "Division"
        interfaces = (Node,)
        description = "An administrative division of this prefecture (州市 → 县 → 乡镇 → 村/社区)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Field(DivisionLevel, required=True)
    level_label = graphene.String(required=True)
    is_community = graphene.Boolean(required=True)
    parent = graphene.Field(lambda: DivisionType)
    children = graphene.List(graphene.NonNull(lambda: DivisionType), required=True,
                             description="Divisions directly below (bounded: a county's townships, a township's villages).")

    def resolve_level_label(root, info):
        return choice_label(Division.Level, root.level)

    def resolve_parent(root, info):
        return loaders.related(info, root, "parent", Division)

    def resolve_children(root, info):
        return loaders.children(info, root, "division.children",
                                lambda ids: Division.objects.filter(parent_id__in=ids).order_by("code"), "parent_id")


class DivisionFilter(graphene.InputObjectType):
    level = DivisionLevel()
    parent = graphene.ID(description="Direct children of this division.")
    within = graphene.ID(description="This division and everything below it.")
    search = graphene.String(description="Name or code contains.")


class DivisionOrder(graphene.Enum):
    CODE = "code"
    NAME = "name"


DIVISION_ORDER = {"code": ("code",), "name": ("name",)}


def _division_or_none(global_id):
    """The division of a global ID on this host, or None (unknown, or another prefecture's)."""
    if not global_id:
        return None
    pk = local_pk(global_id, "Division")
    return Division.objects.filter(pk=pk).first() if pk else None


def _within(global_id):
    """The division for a subtree filter; a foreign/unknown ID matches nothing."""
    division = _division_or_none(global_id)
    return division if division is not None else Division(pk=-1, path="~not-found~", code="", name="")


# --- positions -----------------------------------------------------------------------------------

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
    deputy = graphene.Field(lambda: DeputyType)
    position = graphene.Field(lambda: PositionType, required=True)

    def resolve_role_label(root, info):
        return choice_label(pm.StaffRole, root.role)

    def resolve_phone(root, info):
        return personal(info, root.phone, "phone")

    def resolve_email(root, info):
        return personal(info, root.email, "email")

    def resolve_deputy(root, info):
        return loaders.related(info, root, "deputy", dm.Deputy)

    def resolve_position(root, info):
        return loaders.related(info, root, "position", pm.Position)


class StationingType(ModelObjectType):
    model = dm.Stationing

    class Meta:
        name = "Stationing"
        interfaces = (Node,)
        description = "A deputy stationed at a position (进站) for a period."

    deputy = graphene.Field(lambda: DeputyType, required=True)
    position = graphene.Field(lambda: PositionType, required=True)
    basis = graphene.Field(StationingBasis, required=True)
    start_on = graphene.Date(required=True)
    end_on = graphene.Date()
    note = graphene.String(required=True)

    def resolve_deputy(root, info):
        return loaders.related(info, root, "deputy", dm.Deputy)

    def resolve_position(root, info):
        return loaders.related(info, root, "position", pm.Position)


class StatusChangeType(graphene.ObjectType):
    class Meta:
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
    division = graphene.Field(DivisionType, required=True)
    parent = graphene.Field(lambda: PositionType)
    counterpart = graphene.Field(lambda: PositionType, description="Online positions: the physical one they pair with.")
    children = graphene.List(graphene.NonNull(lambda: PositionType), required=True)
    checklist = graphene.List(graphene.NonNull(ChecklistEntryType), required=True,
                              description="This prefecture's active checklist, with this position's result per item.")
    staff = graphene.List(graphene.NonNull(StaffType), required=True,
                          current=graphene.Boolean(default_value=True, description="Only staff in office today."))
    stationed_deputies = graphene.List(graphene.NonNull(StationingType), required=True,
                                       description="Deputies stationed here today (进站代表).")
    status_history = graphene.List(graphene.NonNull(StatusChangeType), required=True)

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

    def resolve_division(root, info):
        return loaders.related(info, root, "division", Division)

    def resolve_parent(root, info):
        return loaders.related(info, root, "parent", pm.Position)

    def resolve_counterpart(root, info):
        return loaders.related(info, root, "counterpart", pm.Position)

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


class PositionFilter(graphene.InputObjectType):
    tier = graphene.List(graphene.NonNull(PositionTier))
    status = graphene.List(graphene.NonNull(PositionStatus))
    within = graphene.ID(description="Positions in this division or anywhere below it.")
    search = graphene.String(description="Name, code or address contains.")
    field = graphene.String(description="Professional stations of this field.")


class PositionOrder(graphene.Enum):
    CODE = "code"
    NAME = "name"
    TIER = "tier"
    STATUS = "status"
    ESTABLISHED_ON = "established_on"
    ESTABLISHED_ON_DESC = "-established_on"
    UPDATED_AT_DESC = "-updated_at"


POSITION_ORDER = {"code": ("code",), "name": ("name",), "tier": ("tier", "code"), "status": ("status", "code"),
                  "established_on": ("established_on",), "-established_on": ("-established_on",),
                  "-updated_at": ("-updated_at",)}


# --- deputies ------------------------------------------------------------------------------------

class PerformanceType(graphene.ObjectType):
    class Meta:
        name = "PerformanceRecord"
        description = "A deputy's record (履职档案) for one year, derived from what was recorded."

    year = graphene.Int(required=True)
    duty_days = graphene.Int(required=True, description="Sign-ins at reception days.")
    receptions = graphene.Int(required=True)
    people_received = graphene.Int(required=True)
    opinions = graphene.Int(required=True, description="Opinions the deputy collected.")
    suggestions = graphene.Int(required=True, description="Deputy suggestions the deputy led.")
    suggestions_cosigned = graphene.Int(required=True)
    activities = graphene.JSONString(required=True, description="Sign-ins at other events, by kind.")
    points = graphene.Float(description="Total under this prefecture's points scheme; null when it has none.")

    def resolve_points(root, info):
        return float(root.points) if root.points is not None else None


class DeputyType(ModelObjectType):
    model = dm.Deputy

    class Meta:
        name = "Deputy"
        interfaces = (Node,)
        description = ("A deputy on this prefecture's roll, or a provincial/national deputy stationed here. "
                       "Phone, e-mail and ID number are masked without the personal-data permission.")

    roll_number = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Field(DeputyLevel, required=True)
    level_label = graphene.String(required=True)
    constituency = graphene.Field(DivisionType)
    gender = graphene.String(required=True)
    ethnicity = graphene.String(required=True)
    occupation = graphene.String(required=True)
    bio = graphene.String(required=True)
    active = graphene.Boolean(required=True)
    on_roll = graphene.Boolean(required=True, description="False: a provincial/national deputy of another prefecture stationed here.")
    profile_url = graphene.String(required=True, description="The public profile the deputy QR code (代表码) points to.")
    phone = graphene.String(description="Private: masked without the personal-data permission.")
    email = graphene.String(description="Private: masked without the personal-data permission.")
    id_number = graphene.String(description="Private: masked without the personal-data permission.")
    stationings = graphene.List(graphene.NonNull(StationingType), required=True, description="Where the deputy is stationed today.")
    performance = graphene.Field(PerformanceType, required=True, year=graphene.Int(description="Default: this year."))

    def resolve_level_label(root, info):
        return choice_label(dm.Level, root.level)

    def resolve_constituency(root, info):
        return loaders.related(info, root, "constituency", Division)

    def resolve_profile_url(root, info):
        return deputy_selectors.profile_url(root)

    def resolve_phone(root, info):
        return personal(info, root.phone, "phone")

    def resolve_email(root, info):
        return personal(info, root.email, "email")

    def resolve_id_number(root, info):
        return personal(info, root.id_number, "id_number")

    def resolve_stationings(root, info):
        return loaders.children(
            info, root, "deputy.stationings",
            lambda ids: deputy_selectors.current_stationings().filter(deputy_id__in=ids).order_by("deputy_id", "start_on", "id"),
            "deputy_id")

    def resolve_performance(root, info, year=None):
        year = year or today().year
        return loaders.value(info, root, f"deputy.performance.{year}",
                             lambda ids: deputy_selectors.performance_records(year, ids))


class DeputyFilter(graphene.InputObjectType):
    level = graphene.List(graphene.NonNull(DeputyLevel))
    active = graphene.Boolean(description="Default: serving deputies only; false for former ones, null for all.")
    on_roll = graphene.Boolean()
    within = graphene.ID(description="Constituency in this division or anywhere below it.")
    stationed_at = graphene.ID(description="Stationed at this position today.")
    search = graphene.String(description="Name or roll number contains.")


class DeputyOrder(graphene.Enum):
    ROLL_NUMBER = "roll_number"
    NAME = "name"
    LEVEL = "level"


DEPUTY_ORDER = {"roll_number": ("roll_number",), "name": ("name",), "level": ("level", "roll_number")}


class CoverageType(graphene.ObjectType):
    class Meta:
        name = "TwoMustsCoverage"
        description = ("两个必建 for a division's subtree: every township an operating station; every village or "
                       "community with 3 or more deputies an operating office.")

    division_name = graphene.String(required=True)
    townships_total = graphene.Int(required=True)
    townships_with_station = graphene.Int(required=True)
    villages_requiring_office = graphene.Int(required=True)
    villages_with_office = graphene.Int(required=True)
    station_rate = graphene.Float()
    office_rate = graphene.Float()
    complete = graphene.Boolean(required=True)


DivisionConnection = connection_for(DivisionType)
PositionConnection = connection_for(PositionType)
DeputyConnection = connection_for(DeputyType)


class PositionsQuery(graphene.ObjectType):
    divisions = graphene.relay.ConnectionField(DivisionConnection, **connection_args(DivisionFilter, DivisionOrder))
    positions = graphene.relay.ConnectionField(PositionConnection, **connection_args(PositionFilter, PositionOrder))
    deputies = graphene.relay.ConnectionField(DeputyConnection, **connection_args(DeputyFilter, DeputyOrder))
    position_by_code = graphene.Field(PositionType, code=graphene.String(required=True),
                                      description="A position by its code (as printed next to its QR code).")
    checklist = graphene.List(graphene.NonNull(ChecklistItemType), required=True,
                              include_inactive=graphene.Boolean(default_value=False),
                              description="This prefecture's standards checklist.")
    coverage = graphene.Field(CoverageType, required=True, division=graphene.ID(description="Default: the whole prefecture."),
                              description="Coverage of 两个必建 (positions.selectors.coverage_two_musts).")
    points_rules = graphene.List(graphene.NonNull(lambda: PointsRuleType), required=True,
                                 description="This prefecture's points scheme for the performance record (empty: none).")

    def resolve_points_rules(root, info):
        return list(dm.PointsRule.objects.order_by("metric"))

    def resolve_divisions(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        qs = Division.objects.all()
        f = filter or {}
        if f.get("level"):
            qs = qs.filter(level=plain(f["level"]))
        if f.get("parent") is not None:
            parent = _division_or_none(f["parent"])
            qs = qs.filter(parent=parent) if parent else qs.none()
        if f.get("within") is not None:
            d = _within(f["within"])
            qs = qs.filter(Q(pk=d.pk) | Q(path__startswith=d.path + "/"))
        if f.get("search"):
            qs = qs.filter(Q(name__contains=f["search"]) | Q(code__startswith=f["search"]))
        qs = apply_order(qs, order_by, DIVISION_ORDER) if order_by else qs.order_by("code")
        return paginate(qs, info, DivisionConnection, **kwargs)

    def resolve_positions(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        division = _within(f["within"]) if f.get("within") is not None else None
        qs = position_selectors.positions(division=division)
        if f.get("tier"):
            qs = qs.filter(tier__in=[plain(t) for t in f["tier"]])
        if f.get("status"):
            qs = qs.filter(status__in=[plain(s) for s in f["status"]])
        if f.get("search"):
            s = f["search"]
            qs = qs.filter(Q(name__contains=s) | Q(code__contains=s) | Q(address__contains=s))
        if f.get("field"):
            qs = qs.filter(field=f["field"])
        qs = apply_order(qs, order_by, POSITION_ORDER) if order_by else qs.order_by("code")
        return paginate(qs, info, PositionConnection, **kwargs)

    def resolve_deputies(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        active = f.get("active", True) if "active" in f else True
        qs = deputy_selectors.deputies(active=active, on_roll=f.get("on_roll"))
        if f.get("level"):
            qs = qs.filter(level__in=[plain(v) for v in f["level"]])
        if f.get("within") is not None:
            d = _within(f["within"])
            qs = qs.filter(Q(constituency_id=d.pk) | Q(constituency__path__startswith=d.path + "/"))
        if f.get("stationed_at") is not None:
            pk = local_pk(f["stationed_at"], "Position")
            qs = qs.filter(pk__in=deputy_selectors.current_stationings().filter(position_id=pk).values("deputy")) if pk else qs.none()
        if f.get("search"):
            qs = qs.filter(Q(name__contains=f["search"]) | Q(roll_number__contains=f["search"]))
        qs = apply_order(qs, order_by, DEPUTY_ORDER) if order_by else qs.order_by("roll_number")
        return paginate(qs, info, DeputyConnection, **kwargs)

    def resolve_position_by_code(root, info, code):
        obj = pm.Position.objects.filter(code=code.strip()).first()
        return loaders.mark_batch([obj])[0] if obj else None

    def resolve_checklist(root, info, include_inactive=False):
        items = position_selectors.checklist(active_only=not include_inactive)
        return loaders.mark_batch(items)

    def resolve_coverage(root, info, division=None):
        d = None
        if division is not None:
            d = _division_or_none(division)
            if d is None:
                raise NotFound("区划")
        return position_selectors.coverage_two_musts(d)


# --- mutations -------------------------------------------------------------------------------------

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
    op = Op.MANAGE
    staff = graphene.Field(StaffType)

    class Input:
        id = graphene.ID(required=True)
        end_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, id, end_on=None, **_):  # noqa: A002
        return {"staff": position_services.end_staff(pk_of(id, "Staff", "id"), end_on=end_on)}


class DeputyFields:
    roll_number = graphene.String()
    name = graphene.String()
    level = DeputyLevel()
    constituency = graphene.ID()
    gender = graphene.String()
    ethnicity = graphene.String()
    occupation = graphene.String()
    phone = graphene.String()
    id_number = graphene.String()
    email = graphene.String()
    bio = graphene.String()
    active = graphene.Boolean()


def _deputy_data(inp: dict) -> dict:
    data = {}
    for name in ("roll_number", "name", "gender", "ethnicity", "occupation", "phone", "id_number", "email", "bio", "active"):
        if name in inp:
            data[name] = inp[name] if inp[name] is not None or name == "active" else ""
    if "level" in inp:
        data["level"] = plain(inp["level"])
    if "constituency" in inp:
        data["constituency"] = pk_of(inp["constituency"], "Division", "constituency")
    return data


class CreateDeputy(ServiceMutation):
    """Put a deputy on this prefecture's roll."""

    op = Op.MANAGE
    deputy = graphene.Field(DeputyType)

    class Input(DeputyFields):
        pass

    @classmethod
    def perform(cls, root, info, **inp):
        return {"deputy": deputy_services.create_deputy(**_deputy_data(inp))}


class UpdateDeputy(ServiceMutation):
    op = Op.MANAGE
    deputy = graphene.Field(DeputyType)

    class Input(DeputyFields):
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, id, **inp):  # noqa: A002
        return {"deputy": deputy_services.update_deputy(pk_of(id, "Deputy", "id"), **_deputy_data(inp))}


class StationDeputy(ServiceMutation):
    """Station a deputy at a position (进站), by area or by field."""

    op = Op.MANAGE
    stationing = graphene.Field(StationingType)

    class Input:
        deputy = graphene.ID(required=True)
        position = graphene.ID(required=True)
        start_on = graphene.Date()
        end_on = graphene.Date()
        basis = StationingBasis()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, deputy, position, start_on=None, end_on=None, basis=None, note="", **_):
        stationing = deputy_services.station_deputy(
            pk_of(deputy, "Deputy", "deputy"), pk_of(position, "Position", "position"), start_on=start_on, end_on=end_on,
            basis=plain(basis) or dm.StationingBasis.AREA, note=note or "")
        return {"stationing": stationing}


class EndStationing(ServiceMutation):
    op = Op.MANAGE
    stationing = graphene.Field(StationingType)

    class Input:
        id = graphene.ID(required=True)
        end_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, id, end_on=None, **_):  # noqa: A002
        return {"stationing": deputy_services.end_stationing(pk_of(id, "Stationing", "id"), end_on=end_on)}


class BringInProvinceDeputy(ServiceMutation):
    """Bring a provincial or national deputy of the province-wide roster into this
    prefecture (a local record, to station them here); returns the existing one if any."""

    op = Op.MANAGE
    deputy = graphene.Field(DeputyType)

    class Input:
        roster_code = graphene.String(required=True, description="The deputy's province-wide roster code.")

    error_fields = {"identity": "rosterCode"}

    @classmethod
    def perform(cls, root, info, roster_code, **_):
        from liaison.platform.roster.models import ProvinceDeputy
        from liaison.tenants.common.errors import ServiceError

        identity = ProvinceDeputy.objects.filter(code=roster_code.strip()).values_list("pk", flat=True).first()
        if identity is None:
            raise ServiceError.single("identity", f"全省名册中没有编号为 {roster_code} 的代表", "not_found")
        return {"deputy": deputy_services.bring_in_province_deputy(identity)}


PointsMetric = enum_from(dm.Metric, "PointsMetric")


class PointsRuleType(graphene.ObjectType):
    class Meta:
        name = "PointsRule"

    metric = graphene.Field(PointsMetric, required=True)
    points = graphene.Float(required=True)
    cap_per_year = graphene.Float()
    active = graphene.Boolean(required=True)

    def resolve_points(root, info):
        return float(root.points)

    def resolve_cap_per_year(root, info):
        return float(root.cap_per_year) if root.cap_per_year is not None else None


class SetPointsRule(ServiceMutation):
    """This prefecture's points scheme for the performance record (积分制): points per unit of a metric."""

    op = Op.MANAGE
    rule = graphene.Field(PointsRuleType)

    class Input:
        metric = PointsMetric(required=True)
        points = graphene.Float(required=True)
        cap_per_year = graphene.Float()
        active = graphene.Boolean()

    @classmethod
    def perform(cls, root, info, metric, points, cap_per_year=None, active=True, **_):
        rule = deputy_services.set_points_rule(plain(metric), points, cap_per_year=cap_per_year,
                                               active=True if active is None else active)
        return {"rule": rule}


class PositionsMutation(graphene.ObjectType):
    create_position = CreatePosition.Field()
    update_position = UpdatePosition.Field()
    change_position_status = ChangePositionStatus.Field()
    save_checklist_item = SaveChecklistItem.Field()
    record_standard_check = RecordStandardCheck.Field()
    add_staff = AddStaff.Field()
    end_staff = EndStaff.Field()
    create_deputy = CreateDeputy.Field()
    update_deputy = UpdateDeputy.Field()
    station_deputy = StationDeputy.Field()
    end_stationing = EndStationing.Field()
    bring_in_province_deputy = BringInProvinceDeputy.Field()
    set_points_rule = SetPointsRule.Field()


ROOT_PERMISSIONS = {
    "Query.divisions": Op.READ,
    "Query.positions": Op.READ,
    "Query.deputies": Op.READ,
    "Query.positionByCode": Op.READ,
    "Query.checklist": Op.READ,
    "Query.coverage": Op.READ,
    "Query.pointsRules": Op.READ,
    **mutation_permissions(PositionsMutation),
}

PREFECTURE_HOST_ONLY = {"Query.divisions", "Query.positions", "Query.deputies", "Query.positionByCode", "Query.checklist", "Query.coverage", "Query.pointsRules"}
