"""The `positions` connection's filter and order."""
from __future__ import annotations

import django_filters
import graphene
from django.db.models import Q

from liaison.graphql.core.filters import TextFilter, ValuesFilter
from liaison.graphql.positions.types import PositionStatus, PositionTier
from liaison.tenants.positions import models as pm


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


class PositionFilterSet(django_filters.FilterSet):
    """`within` is not here: positions.selectors.positions(division=…) takes it."""

    tier = ValuesFilter()
    status = ValuesFilter()
    search = TextFilter(method="filter_search")
    field = TextFilter()

    class Meta:
        model = pm.Position
        fields: list[str] = []

    def filter_search(self, qs, name, value):
        return qs.filter(Q(name__contains=value) | Q(code__contains=value) | Q(address__contains=value))
