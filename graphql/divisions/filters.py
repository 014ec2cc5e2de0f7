"""Filtering by division: the `DivisionFilter` input, and `subtree`/`division_or_none`,
which other domains use for their `within` filters."""
from __future__ import annotations

import django_filters
import graphene
from django.db.models import Q

from liaison.graphql.core.filters import TextFilter
from liaison.graphql.core.relay import local_pk
from liaison.graphql.divisions.types import DivisionLevel
from liaison.tenants.divisions.models import Division


def division_or_none(global_id):
    """The division of a global ID on this host, or None (unknown, or another prefecture's)."""
    if not global_id:
        return None
    pk = local_pk(global_id, "Division")
    return Division.objects.filter(pk=pk).first() if pk else None


def subtree(global_id):
    """The division for a subtree (`within`) filter; a foreign/unknown ID matches nothing."""
    division = division_or_none(global_id)
    return division if division is not None else Division(pk=-1, path="~not-found~", code="", name="")


def within_q(global_id, relation: str | None = None) -> Q:
    """Divisions (relation None), or rows whose `relation` division, in the subtree of a
    division's global ID; a foreign/unknown ID matches nothing."""
    d = subtree(global_id)
    if relation is None:
        return Q(pk=d.pk) | Q(path__startswith=d.path + "/")
    return Q(**{f"{relation}_id": d.pk}) | Q(**{f"{relation}__path__startswith": d.path + "/"})


class DivisionFilter(graphene.InputObjectType):
    level = DivisionLevel()
    parent = graphene.ID(description="Direct children of this division.")
    within = graphene.ID(description="This division and everything below it.")
    search = graphene.String(description="Name or code contains.")


class DivisionOrder(graphene.Enum):
    CODE = "code"
    NAME = "name"


DIVISION_ORDER = {"code": ("code",), "name": ("name",)}


class DivisionFilterSet(django_filters.FilterSet):
    level = django_filters.CharFilter()
    parent = django_filters.CharFilter(method="filter_parent")
    within = django_filters.CharFilter(method="filter_within")
    search = TextFilter(method="filter_search")

    class Meta:
        model = Division
        fields: list[str] = []

    def filter_parent(self, qs, name, value):
        parent = division_or_none(value)
        return qs.filter(parent=parent) if parent else qs.none()

    def filter_within(self, qs, name, value):
        return qs.filter(within_q(value))

    def filter_search(self, qs, name, value):
        return qs.filter(Q(name__contains=value) | Q(code__startswith=value))
