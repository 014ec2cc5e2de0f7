"""The `events` connection's filter and order."""
from __future__ import annotations

import django_filters
import graphene

from liaison.graphql.activities.types import EventKind, EventStatus
from liaison.graphql.core.filters import GlobalIDFilter, ValuesFilter
from liaison.tenants.activities import models as am


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


class EventFilterSet(django_filters.FilterSet):
    """`position`, `within` and the dates are not here: activities.selectors.events(…) takes them."""

    kind = ValuesFilter()
    status = ValuesFilter()
    deputy = GlobalIDFilter("Deputy", field_name="scheduled__deputy_id")

    class Meta:
        model = am.Event
        fields: list[str] = []
