"""Activities: the `events` connection and a position's annual plans."""
from __future__ import annotations

import graphene

from liaison.graphql.activities.filters import EVENT_ORDER, EventFilter, EventFilterSet, EventOrder
from liaison.graphql.activities.types import AnnualPlanType, EventConnection
from liaison.graphql.core import loaders
from liaison.graphql.core.fields import root_field
from liaison.graphql.core.filters import apply
from liaison.graphql.core.relay import apply_order, connection_args, local_pk, paginate
from liaison.graphql.divisions.filters import subtree
from liaison.platform.accounts.principal import Op
from liaison.tenants.activities import models as am
from liaison.tenants.activities import selectors as activity_selectors


class Query(graphene.ObjectType):
    events = root_field(Op.READ, graphene.relay.ConnectionField(
        EventConnection, **connection_args(EventFilter, EventOrder),
        description="活动 (events at this prefecture's positions: reception days and others; latest first)."),
        prefecture_only=True)
    annual_plans = root_field(Op.READ, graphene.List(
        graphene.NonNull(AnnualPlanType), required=True, position=graphene.ID(required=True),
        description="A position's annual activity plans, latest year first."), prefecture_only=True)

    def resolve_events(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        division = subtree(f["within"]) if f.get("within") is not None else None
        position = None
        if f.get("position") is not None:
            position = local_pk(f["position"], "Position") or -1
        qs = activity_selectors.events(position=position, division=division, start=f.get("starts_after"),
                                       end=f.get("starts_before"))
        qs = apply(EventFilterSet, qs, f)
        qs = apply_order(qs, order_by, EVENT_ORDER) if order_by else qs.order_by("-starts_at", "-id")
        return paginate(qs, info, EventConnection, **kwargs)

    def resolve_annual_plans(root, info, position):
        pk = local_pk(position, "Position")
        return loaders.mark_batch(am.AnnualPlan.objects.filter(position_id=pk or -1).order_by("-year"))
