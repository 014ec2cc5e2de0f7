"""Activities: annual plans, events (reception days and others) with scheduled deputies,
sign-ins and receptions (visitors are personal data)."""
from __future__ import annotations

import graphene
from django.db.models import F

from liaison.graphql.core import loaders
from liaison.graphql.core.enums import choice_label, enum_from
from liaison.graphql.core.fields import related_field
from liaison.graphql.core.personal import personal
from liaison.graphql.core.relay import ModelObjectType, Node, connection_for
from liaison.graphql.deputies.types import DeputyType
from liaison.graphql.positions.types import PositionType
from liaison.tenants.activities import models as am
from liaison.tenants.deputies.models import Deputy

EventKind = enum_from(am.EventKind, "EventKind", "活动类型 (kind of event).")
EventStatus = enum_from(am.EventStatus, "EventStatus", "活动状态 (planned → announced → held, or cancelled).")
SignInMethod = enum_from(am.SignIn.Method, "SignInMethod", "签到方式 (how a sign-in was recorded).")


class AnnualPlanType(ModelObjectType):
    """年度活动计划 (a position's plan of activities for a year)."""

    model = am.AnnualPlan

    class Meta:
        name = "AnnualPlan"
        interfaces = (Node,)

    year = graphene.Int(required=True)
    title = graphene.String(required=True)
    content = graphene.String(required=True)
    reception_days_planned = graphene.Int(required=True)
    other_activities_planned = graphene.Int(required=True)
    position = related_field(PositionType, required=True)


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
    """接待记录 (what a reception produced: people received and, where they agreed, who)."""

    model = am.Reception

    class Meta:
        name = "Reception"
        interfaces = (Node,)

    people_received = graphene.Int(required=True)
    summary = graphene.String(required=True)
    recorded_at = graphene.DateTime(required=True)
    deputy = related_field(DeputyType)
    visitors = graphene.List(graphene.NonNull(VisitorType), required=True)

    def resolve_visitors(root, info):
        return loaders.children(info, root, "reception.visitors",
                                lambda ids: am.Visitor.objects.filter(reception_id__in=ids).order_by("reception_id", "id"),
                                "reception_id")


class SignInType(ModelObjectType):
    """签到 (a deputy's attendance at an event)."""

    model = am.SignIn

    class Meta:
        name = "SignIn"
        interfaces = (Node,)

    signed_at = graphene.DateTime(required=True)
    method = graphene.Field(SignInMethod, required=True)
    deputy = related_field(DeputyType, required=True)


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
    position = related_field(PositionType, required=True)
    plan = related_field(AnnualPlanType)
    scheduled_deputies = graphene.List(graphene.NonNull(DeputyType), required=True,
                                       description='安排参加的代表 (deputies scheduled for it).')
    sign_ins = graphene.List(graphene.NonNull(SignInType), required=True, description='签到 (sign-ins).')
    receptions = graphene.List(graphene.NonNull(ReceptionType), required=True,
                               description='接待记录 (receptions recorded at it).')

    def resolve_kind_label(root, info):
        return choice_label(am.EventKind, root.kind)

    def resolve_status_label(root, info):
        return choice_label(am.EventStatus, root.status)

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


EventConnection = connection_for(EventType)
