"""Filters and orders of the `opinions`, `suggestions` and `handlingUnits` connections."""
from __future__ import annotations

import django_filters
import graphene
from django.db.models import F, Q

from liaison.graphql.core.filters import GlobalIDFilter, TextFilter, ValuesFilter
from liaison.graphql.divisions.filters import within_q
from liaison.graphql.opinions.types import OpinionChannel, OpinionStatus, SuggestionStatus, UnitLevel
from liaison.tenants.opinions import models as om


class OpinionFilter(graphene.InputObjectType):
    status = graphene.List(graphene.NonNull(OpinionStatus))
    channel = graphene.List(graphene.NonNull(OpinionChannel))
    category = graphene.String(description="Category code.")
    position = graphene.ID()
    within = graphene.ID(description="Opinions of this division or below.")
    handling_unit = graphene.ID()
    deputy = graphene.ID(description="Collected by this deputy.")
    overdue = graphene.Boolean()
    open = graphene.Boolean(description="Not closed yet.")
    registered_after = graphene.DateTime()
    registered_before = graphene.DateTime()
    received_from_other_prefectures = graphene.Boolean(
                                                       description="外州市转来 (copies referred from other prefectures: true; only this prefecture's own: false).")
    search = graphene.String(description="Title or content contains.")
    tracking_code = graphene.String(description="Exact tracking code (needs the personal-data permission).")


class OpinionOrder(graphene.Enum):
    REGISTERED_AT = "registered_at"
    REGISTERED_AT_DESC = "-registered_at"
    DUE_ON = "due_on"
    STATUS = "status"


OPINION_ORDER = {"registered_at": ("registered_at",), "-registered_at": ("-registered_at",),
                 "due_on": (F("due_on").asc(nulls_last=True),), "status": ("status", "-registered_at")}


class SuggestionFilter(graphene.InputObjectType):
    status = graphene.List(graphene.NonNull(SuggestionStatus))
    level = graphene.List(graphene.NonNull(UnitLevel))
    lead_deputy = graphene.ID()
    lead_unit = graphene.ID()


class HandlingUnitFilter(graphene.InputObjectType):
    level = graphene.List(graphene.NonNull(UnitLevel))
    within = graphene.ID()
    active = graphene.Boolean()
    search = graphene.String()


class OpinionFilterSet(django_filters.FilterSet):
    """`within`, `open` and `receivedFromOtherPrefectures` are not here: opinions.selectors.queue(…)
    takes them; `trackingCode` needs a permission check first (the resolver does it)."""

    status = ValuesFilter()
    channel = ValuesFilter()
    category = TextFilter(field_name="category__code")
    position = GlobalIDFilter("Position", field_name="position_id")
    handling_unit = GlobalIDFilter("HandlingUnit", field_name="handling_unit_id")
    deputy = GlobalIDFilter("Deputy", field_name="deputy_id")
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    open = django_filters.BooleanFilter(method="filter_open")
    registered_after = django_filters.DateTimeFilter(field_name="registered_at", lookup_expr="gte")
    registered_before = django_filters.DateTimeFilter(field_name="registered_at", lookup_expr="lt")
    search = TextFilter(method="filter_search")

    class Meta:
        model = om.Opinion
        fields: list[str] = []

    def filter_open(self, qs, name, value):
        return qs.filter(status=om.Status.CLOSED) if value is False else qs

    def filter_search(self, qs, name, value):
        return qs.filter(Q(title__contains=value) | Q(content__contains=value))


class SuggestionFilterSet(django_filters.FilterSet):
    status = ValuesFilter()
    level = ValuesFilter()
    lead_deputy = GlobalIDFilter("Deputy", field_name="lead_deputy_id")
    lead_unit = GlobalIDFilter("HandlingUnit", field_name="lead_unit_id")

    class Meta:
        model = om.Suggestion
        fields: list[str] = []


class HandlingUnitFilterSet(django_filters.FilterSet):
    level = ValuesFilter()
    within = django_filters.CharFilter(method="filter_within")
    active = django_filters.BooleanFilter()
    search = TextFilter(field_name="name", lookup_expr="contains")

    class Meta:
        model = om.HandlingUnit
        fields: list[str] = []

    def filter_within(self, qs, name, value):
        return qs.filter(within_q(value, "division"))
