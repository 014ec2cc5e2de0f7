"""Filters of connections: a django-filter FilterSet per filter input.

A domain's `filters.py` holds the GraphQL input type (the contract) and a FilterSet
(how it narrows the queryset). Resolvers call `apply(FilterSet, queryset, filter)`:

    qs = apply(PositionFilterSet, position_selectors.positions(), filter)

The input arrives from graphene as a dict with snake_case keys; enum members are turned
into their stored values, absent and null keys are left out. Global IDs are filtered by
`global_id_filter` (an ID of another prefecture or type matches nothing).
"""
from __future__ import annotations

import django_filters
from django import forms

from liaison.graphql.core.relay import local_pk
from liaison.tenants.common.errors import FieldError, ServiceError


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [getattr(v, "value", v) for v in value]
    return getattr(value, "value", value)


def apply(filterset_class: type[django_filters.FilterSet], queryset, value, request=None):
    """`queryset` narrowed by the filter input `value` (None: unchanged)."""
    data = {k: _plain(v) for k, v in dict(value or {}).items() if v is not None}
    if not data:
        return queryset
    fs = filterset_class(data=data, queryset=queryset, request=request)
    if not fs.is_valid():
        raise ServiceError([FieldError(f"filter.{name}", "; ".join(str(m) for m in messages), "invalid")
                            for name, messages in fs.errors.items()])
    return fs.qs


class GlobalIDFilter(django_filters.CharFilter):
    """`field = <global ID>` of `type_name` on this host; a foreign or unknown ID matches nothing."""

    def __init__(self, type_name: str, *args, **kwargs):
        self.type_name = type_name
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: local_pk(value, self.type_name) or -1})


class ValuesFilter(django_filters.Filter):
    """`field IN (values)` from a list of enum values (the schema validated them)."""

    field_class = forms.Field

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": list(value)})


class TextFilter(django_filters.CharFilter):
    """A text condition taken as typed (not stripped)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)
