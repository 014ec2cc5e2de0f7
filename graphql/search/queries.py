"""`searchOpinions`: full-text search over opinions (liaison.search.service).

On a prefecture host it searches that prefecture; on the province host every
prefecture, with the prefecture as a facet (province-wide credentials only: the root
field needs READ on the host, declared with root_field). Hits carry no personal data at
all (citizens' names and phones are never indexed), so there is nothing to mask.
Snippets and highlighted titles are HTML-escaped with matches in <em>…</em>.
"""
from __future__ import annotations

import graphene
from django.core.exceptions import PermissionDenied
from graphene import relay

from liaison.graphql.core import permissions
from liaison.graphql.core.errors import bad_request, forbidden
from liaison.graphql.core.fields import root_field
from liaison.graphql.core.relay import encode_global_id
from liaison.graphql.search.filters import OpinionSearchFilter, search_filters
from liaison.graphql.search.types import (
    OpinionSearchConnection,
    OpinionSearchEdge,
    OpinionSearchFacet,
    OpinionSearchFacets,
    OpinionSearchHit,
    OpinionSearchSort,
    SearchFacetValue,
)
from liaison.platform.accounts.principal import Op
from liaison.search.service import search_opinions
from liaison.search.types import DEFAULT_PAGE_SIZE, FACETS
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions.models import Channel, Status
from liaison.tenants.positions.models import Tier
from liaison.tenants.registry.models import Prefecture


def _label(choices, value: str) -> str:
    return dict(choices.choices).get(value, value) if value else ""


class Query(graphene.ObjectType):
    search_opinions = root_field(Op.READ, graphene.Field(
        OpinionSearchConnection, required=True,
        query=graphene.String(description="Words or phrases (Chinese: each run is a phrase; \"…\" quotes; -word excludes). "
                                          "Traditional characters find simplified text."),
        filter=OpinionSearchFilter(),
        facets=graphene.List(graphene.NonNull(OpinionSearchFacet), description="Facet counts to compute (default: all)."),
        sort=OpinionSearchSort(default_value=OpinionSearchSort.RELEVANCE.value),
        first=graphene.Int(default_value=DEFAULT_PAGE_SIZE, description="Page size, at most 50 (the API's page-size limit)."),
        after=graphene.String(),
        description="Full-text search over opinions: this prefecture on a prefecture host, every prefecture on the "
                    "province host. No personal data is indexed or returned.",
    ))

    def resolve_search_opinions(root, info, query=None, filter=None, facets=None, sort="relevance", first=DEFAULT_PAGE_SIZE,
                                after=None):  # noqa: A002 - GraphQL argument name
        principal = permissions.require(info, Op.READ, "Query.searchOpinions")
        first = DEFAULT_PAGE_SIZE if first is None else first   # an explicit null means the default page
        wanted = [getattr(f, "value", f) for f in facets] if facets is not None else list(FACETS)
        try:
            result = search_opinions(principal, query or "", search_filters(filter), wanted, getattr(sort, "value", sort),
                                     after, first)
        except PermissionDenied as exc:
            raise forbidden(str(exc)) from None
        except ServiceError as exc:
            raise bad_request(exc.errors) from None
        names = dict(Prefecture.objects.values_list("schema_name", "name"))
        edges = [OpinionSearchEdge(cursor=h.cursor, node=OpinionSearchHit(
            id=encode_global_id("Opinion", h.opinion_id, h.schema_name),
            prefecture_slug=h.schema_name, prefecture_name=names.get(h.schema_name, h.schema_name),
            score=h.score, title=h.title, title_highlight=h.title_highlight, snippet=h.snippet,
            category_code=h.category_code or None, category_name=h.category_name or None,
            status=h.status, status_label=_label(Status, h.status), channel=h.channel, channel_label=_label(Channel, h.channel),
            tier=h.tier or None, tier_label=_label(Tier, h.tier) or None,
            position_id=encode_global_id("Position", h.position_id, h.schema_name) if h.position_id else None,
            position_name=h.position_name or None, division_code=h.division_code, division_name=h.division_name,
            registered_at=h.registered_at, due_on=h.due_on, is_overdue=h.is_overdue,
        )) for h in result.hits]
        facet_values = {k: [SearchFacetValue(value=v.value, label=v.label or v.value, count=v.count) for v in vs]
                        for k, vs in result.facets.items()}
        return OpinionSearchConnection(
            total_count=result.total, total_count_is_exact=result.total_is_exact, edges=edges,
            page_info=relay.PageInfo(has_next_page=result.has_next_page, has_previous_page=bool(after),
                                     start_cursor=edges[0].cursor if edges else None, end_cursor=result.end_cursor),
            facets=OpinionSearchFacets(**{k: facet_values.get(k) for k in FACETS}),
        )
