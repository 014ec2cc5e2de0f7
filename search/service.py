"""The one search service every interface calls (GraphQL, admin, scripts).

    search_opinions(principal, query, filters, facets, sort, after, first)

Who may search what (liaison.platform.accounts.principal):
- on a prefecture host, the caller searches that prefecture only, if they may read it;
- on the province host, the caller searches every prefecture they may read: province
  roles (and province-wide API keys) all of them, with the prefecture as a facet.
Results never contain citizens' personal data: it is not in the index at all.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from liaison.platform.accounts.principal import PUBLIC_SCHEMA, Principal
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.opinions.models import Status
from liaison.tenants.registry.models import Prefecture

from .backends import get_backend
from .text import parse_query
from .types import (DEFAULT_PAGE_SIZE, FACETS, MAX_PAGE_SIZE, SORTS, SearchFilters, SearchRequest, SearchResult,
                    decode_cursor)


def searchable_schemas(principal: Principal, host_schema: str | None = None) -> list[str]:
    """The prefectures this caller searches from this host."""
    host_schema = host_schema or connection.schema_name
    if host_schema != PUBLIC_SCHEMA:
        return [host_schema] if principal.can_read(host_schema) else []
    all_schemas = list(Prefecture.objects.order_by("code").values_list("schema_name", flat=True))
    return principal.readable_schemas(all_schemas)


def search_opinions(
    principal: Principal,
    query: str | None = "",
    filters: SearchFilters | None = None,
    facets: tuple[str, ...] | list[str] = (),
    sort: str = "relevance",
    after: str | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    *,
    host_schema: str | None = None,
    now: datetime | None = None,
) -> SearchResult:
    filters = filters or SearchFilters()
    scope = searchable_schemas(principal, host_schema)
    if not scope:
        raise PermissionDenied("你无权检索这里的群众意见建议")
    errors: list[FieldError] = []
    if sort not in SORTS:
        errors.append(FieldError("sort", f"must be one of {', '.join(SORTS)}, got {sort!r}"))
    if not 1 <= first <= MAX_PAGE_SIZE:
        errors.append(FieldError("first", f"must be between 1 and {MAX_PAGE_SIZE}, got {first}"))
    unknown = [f for f in facets if f not in FACETS]
    if unknown:
        errors.append(FieldError("facets", f"unknown facet(s) {', '.join(unknown)}; use {', '.join(FACETS)}"))
    if filters.prefectures:
        outside = [p for p in filters.prefectures if p not in scope]
        if outside:
            errors.append(FieldError("prefectures", f"outside what you may search here: {', '.join(outside)}", "forbidden"))
        scope = [s for s in scope if s in filters.prefectures]
    if filters.position_ids and len(scope) != 1:
        errors.append(FieldError("positions", "position ids belong to one prefecture: filter by one prefecture first"))
    if filters.registered_from and filters.registered_to and filters.registered_from >= filters.registered_to:
        errors.append(FieldError("registered_to", "must be after registered_from"))
    if errors:
        raise ServiceError(errors)

    parsed = parse_query(query)
    every = len(scope) > 1 and set(scope) >= set(Prefecture.objects.values_list("schema_name", flat=True))
    request = SearchRequest(query=parsed, schemas=tuple(scope), filters=filters, facets=tuple(dict.fromkeys(facets)),
                            sort=sort, after=None, first=first, now=now or timezone.now(), all_prefectures=every)
    request = dataclasses.replace(request, after=decode_cursor(after, request.effective_sort))
    result = get_backend().search(request)
    _label_facets(result)
    return result


def _label_facets(result: SearchResult) -> None:
    if "status" in result.facets:
        labels = dict(Status.choices)
        for v in result.facets["status"]:
            v.label = labels.get(v.value, v.value)
    if "prefecture" in result.facets:
        names = dict(Prefecture.objects.values_list("schema_name", "name"))
        for v in result.facets["prefecture"]:
            v.label = names.get(v.value, v.value)
    if "category" in result.facets:
        for v in result.facets["category"]:
            v.label = v.label or ("未分类" if not v.value else v.value)
