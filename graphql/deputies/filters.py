"""The `deputies` connection's filter and order."""
from __future__ import annotations

import django_filters
import graphene
from django.db.models import Q

from liaison.graphql.core.filters import TextFilter, ValuesFilter
from liaison.graphql.core.relay import local_pk
from liaison.graphql.deputies.types import DeputyLevel
from liaison.graphql.divisions.filters import within_q
from liaison.tenants.deputies import models as dm
from liaison.tenants.deputies import selectors as deputy_selectors


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


class DeputyFilterSet(django_filters.FilterSet):
    """`active` and `on_roll` are not here: deputies.selectors.deputies(…) takes them."""

    level = ValuesFilter()
    within = django_filters.CharFilter(method="filter_within")
    stationed_at = django_filters.CharFilter(method="filter_stationed_at")
    search = TextFilter(method="filter_search")

    class Meta:
        model = dm.Deputy
        fields: list[str] = []

    def filter_within(self, qs, name, value):
        return qs.filter(within_q(value, "constituency"))

    def filter_stationed_at(self, qs, name, value):
        pk = local_pk(value, "Position")
        if not pk:
            return qs.none()
        return qs.filter(pk__in=deputy_selectors.current_stationings().filter(position_id=pk).values("deputy"))

    def filter_search(self, qs, name, value):
        return qs.filter(Q(name__contains=value) | Q(roll_number__contains=value))
