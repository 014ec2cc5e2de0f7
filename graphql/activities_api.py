"""Activities: annual plans, events (reception days and others) with scheduled deputies,
sign-ins and receptions (visitors are personal data). Writes through
liaison.tenants.activities.services; sign-in is also open to the deputy themselves."""
from __future__ import annotations

import graphene
from django.db.models import F

from liaison.graphql import loaders, permissions
from liaison.graphql.common import (
    FieldErrorType,
    ServiceMutation,
    choice_label,
    enum_from,
    field_errors,
    mutation_permissions,
    personal,
    pk_of,
    pks_of,
    plain,
)
from liaison.graphql.positions_api import DeputyType, PositionType, _within
from liaison.graphql.relay import ModelObjectType, Node, apply_order, connection_args, connection_for, local_pk, paginate
from liaison.platform.accounts.principal import Op
from liaison.tenants.activities import models as am
from liaison.tenants.activities import selectors as activity_selectors
from liaison.tenants.activities import services as activity_services
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.positions.models import Position

EventKind = enum_from(am.EventKind, "EventKind")
EventStatus = enum_from(am.EventStatus, "EventStatus")
SignInMethod = enum_from(am.SignIn.Method, "SignInMethod")


class AnnualPlanType(ModelObjectType):
    model = am.AnnualPlan

    class Meta:
        name = "AnnualPlan"
        interfaces = (Node,)

    year = graphene.Int(required=True)
    title = graphene.String(required=True)
    content = graphene.String(required=True)
    reception_days_planned = graphene.Int(required=True)
    other_activities_planned = graphene.Int(required=True)
    position = graphene.Field(PositionType, required=True)

    def resolve_position(root, info):
        return loaders.related(info, root, "position", Position)


class VisitorType(graphene.ObjectType):
    class Meta:
        name = "Visitor"
        description = "A person received (personal data: masked without the personal-data permission)."

    name = graphene.String(required=True)
    phone = graphene.String(required=True)
    address = graphene.String(required=True)
    matter = graphene.String(required=True)

    def resolve_name(root, info):
        return personal(info, root.name, "name")

    def resolve_phone(root, info):
        return personal(info, root.phone, "phone")

    def resolve_address(root, info):
        return personal(info, root.address, "text")


class ReceptionType(ModelObjectType):
    model = am.Reception

    class Meta:
        name = "Reception"
        interfaces = (Node,)

    people_received = graphene.Int(required=True)
    summary = graphene.String(required=True)
    recorded_at = graphene.DateTime(required=True)
    deputy = graphene.Field(DeputyType)
    visitors = graphene.List(graphene.NonNull(VisitorType), required=True)

    def resolve_deputy(root, info):
        return loaders.related(info, root, "deputy", Deputy)

    def resolve_visitors(root, info):
        return loaders.children(info, root, "reception.visitors",
                                lambda ids: am.Visitor.objects.filter(reception_id__in=ids).order_by("reception_id", "id"),
                                "reception_id")


class SignInType(ModelObjectType):
    model = am.SignIn

    class Meta:
        name = "SignIn"
        interfaces = (Node,)

    signed_at = graphene.DateTime(required=True)
    method = graphene.Field(SignInMethod, required=True)
    deputy = graphene.Field(DeputyType, required=True)

    def resolve_deputy(root, info):
        return loaders.related(info, root, "deputy", Deputy)


class EventType(ModelObjectType):
    model = am.Event

    class Meta:
        name = "Event"
        interfaces = (Node,)
        description = "An activity at a position: reception day (接待日), visit, inspection, survey, training, campaign, report."

    kind = graphene.Field(EventKind, required=True)
    kind_label = graphene.String(required=True)
    title = graphene.String(required=True)
    starts_at = graphene.DateTime(required=True)
    ends_at = graphene.DateTime(required=True)
    place = graphene.String(required=True)
    description = graphene.String(required=True)
    status = graphene.Field(EventStatus, required=True)
    status_label = graphene.String(required=True)
    announced_at = graphene.DateTime()
    position = graphene.Field(PositionType, required=True)
    plan = graphene.Field(AnnualPlanType)
    scheduled_deputies = graphene.List(graphene.NonNull(DeputyType), required=True)
    sign_ins = graphene.List(graphene.NonNull(SignInType), required=True)
    receptions = graphene.List(graphene.NonNull(ReceptionType), required=True)

    def resolve_kind_label(root, info):
        return choice_label(am.EventKind, root.kind)

    def resolve_status_label(root, info):
        return choice_label(am.EventStatus, root.status)

    def resolve_position(root, info):
        return loaders.related(info, root, "position", Position)

    def resolve_plan(root, info):
        return loaders.related(info, root, "plan", am.AnnualPlan)

    def resolve_scheduled_deputies(root, info):
        def fetch(ids):
            return (Deputy.objects.filter(schedulings__event_id__in=ids)
                    .annotate(_event_id=F("schedulings__event_id"))
                    .order_by("_event_id", "roll_number"))
        return loaders.children(info, root, "event.deputies", fetch, "_event_id")

    def resolve_sign_ins(root, info):
        return loaders.children(info, root, "event.sign_ins",
                                lambda ids: am.SignIn.objects.filter(event_id__in=ids).order_by("event_id", "signed_at"), "event_id")

    def resolve_receptions(root, info):
        return loaders.children(info, root, "event.receptions",
                                lambda ids: am.Reception.objects.filter(event_id__in=ids).order_by("event_id", "recorded_at"),
                                "event_id")


class EventFilter(graphene.InputObjectType):
    kind = graphene.List(graphene.NonNull(EventKind))
    status = graphene.List(graphene.NonNull(EventStatus))
    position = graphene.ID()
    within = graphene.ID(description="Events at positions in this division or below.")
    starts_after = graphene.DateTime()
    starts_before = graphene.DateTime()
    deputy = graphene.ID(description="Events this deputy is scheduled for.")


class EventOrder(graphene.Enum):
    STARTS_AT = "starts_at"
    STARTS_AT_DESC = "-starts_at"


EVENT_ORDER = {"starts_at": ("starts_at",), "-starts_at": ("-starts_at",)}

EventConnection = connection_for(EventType)


class ActivitiesQuery(graphene.ObjectType):
    events = graphene.relay.ConnectionField(EventConnection, **connection_args(EventFilter, EventOrder))
    annual_plans = graphene.List(graphene.NonNull(AnnualPlanType), required=True, position=graphene.ID(required=True),
                                 description="A position's annual activity plans, latest year first.")

    def resolve_events(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        division = _within(f["within"]) if f.get("within") is not None else None
        position = None
        if f.get("position") is not None:
            position = local_pk(f["position"], "Position") or -1
        qs = activity_selectors.events(position=position, division=division, start=f.get("starts_after"),
                                       end=f.get("starts_before"))
        if f.get("kind"):
            qs = qs.filter(kind__in=[plain(k) for k in f["kind"]])
        if f.get("status"):
            qs = qs.filter(status__in=[plain(s) for s in f["status"]])
        if f.get("deputy") is not None:
            qs = qs.filter(scheduled__deputy_id=local_pk(f["deputy"], "Deputy") or -1)
        qs = apply_order(qs, order_by, EVENT_ORDER) if order_by else qs.order_by("-starts_at", "-id")
        return paginate(qs, info, EventConnection, **kwargs)

    def resolve_annual_plans(root, info, position):
        pk = local_pk(position, "Position")
        return loaders.mark_batch(am.AnnualPlan.objects.filter(position_id=pk or -1).order_by("-year"))


# --- mutations -------------------------------------------------------------------------------------

class SavePlan(ServiceMutation):
    """Create or replace a position's annual activity plan (年度活动计划)."""

    op = Op.MANAGE
    plan = graphene.Field(AnnualPlanType)

    class Input:
        position = graphene.ID(required=True)
        year = graphene.Int(required=True)
        title = graphene.String(required=True)
        content = graphene.String()
        reception_days_planned = graphene.Int()
        other_activities_planned = graphene.Int()

    @classmethod
    def perform(cls, root, info, position, year, title, content="", reception_days_planned=0, other_activities_planned=0, **_):
        plan = activity_services.save_plan(pk_of(position, "Position", "position"), year, title=title, content=content or "",
                                           reception_days_planned=reception_days_planned or 0,
                                           other_activities_planned=other_activities_planned or 0)
        return {"plan": plan}


class EventFields:
    kind = EventKind()
    title = graphene.String()
    starts_at = graphene.DateTime()
    ends_at = graphene.DateTime()
    place = graphene.String()
    description = graphene.String()
    plan = graphene.ID()
    deputies = graphene.List(graphene.NonNull(graphene.ID), description="Scheduled deputies (the full list).")


def _event_data(inp: dict) -> dict:
    data = {}
    for name in ("title", "starts_at", "ends_at", "place", "description"):
        if name in inp:
            data[name] = inp[name]
    if "kind" in inp:
        data["kind"] = plain(inp["kind"])
    if "plan" in inp:
        data["plan"] = pk_of(inp["plan"], "AnnualPlan", "plan")
    return data


class ScheduleEvent(ServiceMutation):
    """Plan an event at a position with the deputies scheduled for it (status PLANNED)."""

    op = Op.MANAGE
    event = graphene.Field(EventType)

    class Input(EventFields):
        position = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, position, deputies=None, **inp):
        event = activity_services.schedule_event(pk_of(position, "Position", "position"),
                                                 deputies=pks_of(deputies, "Deputy", "deputies"), **_event_data(inp))
        return {"event": event}


class UpdateEvent(ServiceMutation):
    op = Op.MANAGE
    event = graphene.Field(EventType)

    class Input(EventFields):
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, id, deputies=None, **inp):  # noqa: A002
        event = activity_services.update_event(pk_of(id, "Event", "id"),
                                               deputies=None if deputies is None else pks_of(deputies, "Deputy", "deputies"),
                                               **_event_data(inp))
        return {"event": event}


class AnnounceEvent(ServiceMutation):
    """Publish an event; a reception day announced less than 3 days ahead is announced
    with a warning (in `warnings`, not `errors`). Scheduled deputies are notified."""

    op = Op.MANAGE
    event = graphene.Field(EventType)
    warnings = graphene.List(graphene.NonNull(FieldErrorType), required=True)
    notified = graphene.Int(description="Deputies notified.")

    class Input:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, id, **_):  # noqa: A002
        result = activity_services.announce_event(pk_of(id, "Event", "id"))
        return {"event": result.event, "warnings": field_errors(result.warnings), "notified": result.notified}

    @classmethod
    def mutate_and_get_payload(cls, root, info, **data):
        payload = super().mutate_and_get_payload(root, info, **data)
        if payload.warnings is None:
            payload.warnings = []
        return payload


class CancelEvent(ServiceMutation):
    op = Op.MANAGE
    event = graphene.Field(EventType)

    class Input:
        id = graphene.ID(required=True)
        reason = graphene.String()

    @classmethod
    def perform(cls, root, info, id, reason="", **_):  # noqa: A002
        return {"event": activity_services.cancel_event(pk_of(id, "Event", "id"), reason=reason or "")}


class SignIn(ServiceMutation):
    """签到: a scheduled deputy attended. Staff of the position record it; a deputy may sign
    themselves in (method SELF or QR)."""

    op = Op.ATTEND
    sign_in = graphene.Field(SignInType)

    class Input:
        event = graphene.ID(required=True)
        deputy = graphene.ID(required=True)
        at = graphene.DateTime()
        method = SignInMethod()

    @classmethod
    def perform(cls, root, info, event, deputy, at=None, method=None, **_):
        event_pk = pk_of(event, "Event", "event")
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        _guard_event(info, event_pk, deputy_pk)
        record = activity_services.sign_in(event_pk, deputy_pk, at=at, method=plain(method) or am.SignIn.Method.STAFF)
        return {"sign_in": record}


class VisitorInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    phone = graphene.String()
    address = graphene.String()
    matter = graphene.String()


class RecordReception(ServiceMutation):
    """Record what a reception day produced: people received and, where they agreed, who."""

    op = Op.HANDLE
    reception = graphene.Field(ReceptionType)

    class Input:
        event = graphene.ID(required=True)
        people_received = graphene.Int(required=True)
        deputy = graphene.ID()
        summary = graphene.String()
        visitors = graphene.List(graphene.NonNull(VisitorInput))
        recorded_at = graphene.DateTime()

    @classmethod
    def perform(cls, root, info, event, people_received, deputy=None, summary="", visitors=None, recorded_at=None, **_):
        event_pk = pk_of(event, "Event", "event")
        _guard_event(info, event_pk, None)
        visitors = [{k: v for k, v in dict(v).items() if v is not None} for v in (visitors or [])]
        reception = activity_services.record_reception(event_pk, people_received=people_received,
                                                       deputy=pk_of(deputy, "Deputy", "deputy"), summary=summary or "",
                                                       visitors=visitors, recorded_at=recorded_at)
        return {"reception": reception}


def _guard_event(info, event_pk: int | None, deputy_pk: int | None) -> None:
    """Object-level permission: staff only at their own positions; a deputy only for themselves."""
    p = permissions.principal(info)
    schema = permissions.schema_name()
    position_id = am.Event.objects.filter(pk=event_pk).values_list("position_id", flat=True).first()
    if position_id is None:
        return  # the service reports `event: not_found`
    if p.may_act_on_position(schema, position_id):
        return
    if deputy_pk is not None and p.may_act_as_deputy(schema, deputy_pk):
        return
    raise permissions.forbidden(f"无权为此活动办理 (forbidden: {p.label} may not act on this event's position"
                                + (" or for this deputy)" if deputy_pk is not None else ")"))


class ActivitiesMutation(graphene.ObjectType):
    save_plan = SavePlan.Field()
    schedule_event = ScheduleEvent.Field()
    update_event = UpdateEvent.Field()
    announce_event = AnnounceEvent.Field()
    cancel_event = CancelEvent.Field()
    sign_in = SignIn.Field()
    record_reception = RecordReception.Field()


ROOT_PERMISSIONS = {
    "Query.events": Op.READ,
    "Query.annualPlans": Op.READ,
    **mutation_permissions(ActivitiesMutation),
}

PREFECTURE_HOST_ONLY = {"Query.events", "Query.annualPlans"}
