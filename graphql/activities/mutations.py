"""Activity mutations: plans, events, sign-ins and receptions. Sign-in is also open to
the deputy themselves; staff act only at their own positions."""
from __future__ import annotations

import graphene

from liaison.graphql.activities.types import AnnualPlanType, EventKind, EventType, ReceptionType, SignInMethod, SignInType
from liaison.graphql.core import permissions
from liaison.graphql.core.enums import plain
from liaison.graphql.core.errors import FieldErrorType, field_errors, forbidden
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.core.relay import pk_of, pks_of
from liaison.platform.accounts.principal import Op
from liaison.tenants.activities import models as am
from liaison.tenants.activities import services as activity_services


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
    """Edit an event (not one that was held or cancelled); `deputies`, when given, is the full new list."""

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
    """取消: cancel an event; scheduled deputies are told, with the reason."""

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
        guard_event(info, event_pk, deputy_pk)
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
        guard_event(info, event_pk, None)
        visitors = [{k: v for k, v in dict(v).items() if v is not None} for v in (visitors or [])]
        reception = activity_services.record_reception(event_pk, people_received=people_received,
                                                       deputy=pk_of(deputy, "Deputy", "deputy"), summary=summary or "",
                                                       visitors=visitors, recorded_at=recorded_at)
        return {"reception": reception}


def guard_event(info, event_pk: int | None, deputy_pk: int | None) -> None:
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
    raise forbidden(f"无权为此活动办理 (forbidden: {p.label} may not act on this event's position"
                                + (" or for this deputy)" if deputy_pk is not None else ")"))


class Mutation(graphene.ObjectType):
    save_plan = SavePlan.Field()
    schedule_event = ScheduleEvent.Field()
    update_event = UpdateEvent.Field()
    announce_event = AnnounceEvent.Field()
    cancel_event = CancelEvent.Field()
    sign_in = SignIn.Field()
    record_reception = RecordReception.Field()
