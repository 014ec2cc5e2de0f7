"""`searchOpinions`: full-text search over opinions (liaison.search.service).

On a prefecture host it searches that prefecture; on the province host every
prefecture, with the prefecture as a facet (province-wide credentials only: the root
field needs READ on the host, see ROOT_PERMISSIONS). Hits carry no personal data at
all (citizens' names and phones are never indexed), so there is nothing to mask.
Snippets and highlighted titles are HTML-escaped with matches in <em>…</em>.
"""
from __future__ import annotations

import datetime as dt

import graphene
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from graphene import relay
from graphql import GraphQLError

from liaison.graphql import permissions
from liaison.graphql.relay import decode_global_id, encode_global_id
from liaison.platform.accounts.principal import Op
from liaison.search.service import search_opinions
from liaison.search.types import DEFAULT_PAGE_SIZE, FACETS, SearchFilters
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.opinions.models import Channel, Status
from liaison.tenants.positions.models import Tier
from liaison.tenants.registry.models import Prefecture


class OpinionSearchSort(graphene.Enum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class OpinionSearchFacet(graphene.Enum):
    CATEGORY = "category"
    STATUS = "status"
    PREFECTURE = "prefecture"


class OpinionSearchFilter(graphene.InputObjectType):
    prefectures = graphene.List(graphene.NonNull(graphene.String), description="Prefecture slugs (province host).")
    tiers = graphene.List(graphene.NonNull(graphene.String), description="Position tiers: home, station, office, online, professional, special.")
    positions = graphene.List(graphene.NonNull(graphene.ID), description="Position global IDs (all of one prefecture).")
    division_code = graphene.String(description="A division code: that division and everything below it.")
    statuses = graphene.List(graphene.NonNull(graphene.String), description="Opinion statuses (registered, triaged, referred, …).")
    categories = graphene.List(graphene.NonNull(graphene.String), description="Category codes.")
    channels = graphene.List(graphene.NonNull(graphene.String), description="Channels (reception, deputy, observer, box, online).")
    registered_from = graphene.Date(description="Registered on or after this day.")
    registered_to = graphene.Date(description="Registered on or before this day.")
    overdue = graphene.Boolean(description="Awaiting a reply and past its deadline (true), or not (false).")


class OpinionSearchHit(graphene.ObjectType):
    id = graphene.ID(required=True, description="The opinion's global ID (resolve it on its prefecture's host).")
    prefecture_slug = graphene.String(required=True)
    prefecture_name = graphene.String(required=True)
    score = graphene.Float(required=True, description="Relevance (0 when sorted by date without a query).")
    title = graphene.String(required=True)
    title_highlight = graphene.String(required=True, description="HTML-escaped title, matches in <em>.")
    snippet = graphene.String(required=True, description="HTML-escaped excerpt of the content or reply, matches in <em>.")
    category_code = graphene.String()
    category_name = graphene.String()
    status = graphene.String(required=True)
    status_label = graphene.String(required=True)
    channel = graphene.String(required=True)
    channel_label = graphene.String(required=True)
    tier = graphene.String()
    tier_label = graphene.String()
    position_id = graphene.ID(description="The position's global ID.")
    position_name = graphene.String()
    division_code = graphene.String(required=True)
    division_name = graphene.String(required=True)
    registered_at = graphene.DateTime(required=True)
    due_on = graphene.Date()
    is_overdue = graphene.Boolean(required=True)


class OpinionSearchEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(OpinionSearchHit, required=True)


class SearchFacetValue(graphene.ObjectType):
    value = graphene.String(required=True)
    label = graphene.String(required=True)
    count = graphene.Int(required=True)


class OpinionSearchFacets(graphene.ObjectType):
    category = graphene.List(graphene.NonNull(SearchFacetValue))
    status = graphene.List(graphene.NonNull(SearchFacetValue))
    prefecture = graphene.List(graphene.NonNull(SearchFacetValue))


class OpinionSearchConnection(graphene.ObjectType):
    total_count = graphene.Int(required=True)
    edges = graphene.List(graphene.NonNull(OpinionSearchEdge), required=True)
    page_info = graphene.Field(relay.PageInfo, required=True)
    facets = graphene.Field(OpinionSearchFacets, required=True)


def _label(choices, value: str) -> str:
    return dict(choices.choices).get(value, value) if value else ""


def _bad_request(errors: list[FieldError]) -> GraphQLError:
    return GraphQLError("; ".join(str(e) for e in errors), extensions={
        "code": "BAD_REQUEST", "fields": [{"field": e.field, "message": e.message, "code": e.code} for e in errors]})


def _filters(value) -> SearchFilters:
    if not value:
        return SearchFilters()
    prefectures = tuple(value.get("prefectures") or ())
    position_ids: list[int] = []
    position_schemas = set()
    for gid in value.get("positions") or ():
        parsed = decode_global_id(gid)
        if parsed is None or parsed[0] != "Position" or not parsed[2].isdigit():
            raise _bad_request([FieldError("positions", f"{gid!r} is not a Position ID", "invalid")])
        position_schemas.add(parsed[1])
        position_ids.append(int(parsed[2]))
    if position_schemas:
        if len(position_schemas) > 1:
            raise _bad_request([FieldError("positions", "positions of one prefecture only", "invalid")])
        prefectures = prefectures or tuple(position_schemas)
        if set(prefectures) != position_schemas:
            raise _bad_request([FieldError("positions", "these positions are not in the prefectures asked for", "invalid")])
    tz = timezone.get_current_timezone()

    def start_of(day: dt.date | None):
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz) if day else None

    to_day = value.get("registered_to")
    return SearchFilters(
        prefectures=prefectures,
        tiers=tuple(value.get("tiers") or ()),
        position_ids=tuple(position_ids),
        division_code=value.get("division_code") or None,
        statuses=tuple(value.get("statuses") or ()),
        categories=tuple(value.get("categories") or ()),
        channels=tuple(value.get("channels") or ()),
        registered_from=start_of(value.get("registered_from")),
        registered_to=start_of(to_day + dt.timedelta(days=1)) if to_day else None,
        overdue=value.get("overdue"),
    )


class SearchQuery(graphene.ObjectType):
    search_opinions = graphene.Field(
        OpinionSearchConnection, required=True,
        query=graphene.String(description="Words or phrases (Chinese: each run is a phrase; \"…\" quotes; -word excludes). "
                                          "Traditional characters find simplified text."),
        filter=OpinionSearchFilter(),
        facets=graphene.List(graphene.NonNull(OpinionSearchFacet), description="Facet counts to compute (default: all)."),
        sort=OpinionSearchSort(default_value=OpinionSearchSort.RELEVANCE.value),
        first=graphene.Int(default_value=DEFAULT_PAGE_SIZE, description="Page size, at most 100."),
        after=graphene.String(),
        description="Full-text search over opinions: this prefecture on a prefecture host, every prefecture on the "
                    "province host. No personal data is indexed or returned.",
    )

    def resolve_search_opinions(root, info, query=None, filter=None, facets=None, sort="relevance", first=DEFAULT_PAGE_SIZE,
                                after=None):  # noqa: A002 - GraphQL argument name
        principal = permissions.require(info, Op.READ, "Query.searchOpinions")
        wanted = [getattr(f, "value", f) for f in facets] if facets is not None else list(FACETS)
        try:
            result = search_opinions(principal, query or "", _filters(filter), wanted, getattr(sort, "value", sort),
                                     after, first)
        except PermissionDenied as exc:
            raise permissions.forbidden(str(exc)) from None
        except ServiceError as exc:
            raise _bad_request(exc.errors) from None
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
            total_count=result.total, edges=edges,
            page_info=relay.PageInfo(has_next_page=result.has_next_page, has_previous_page=bool(after),
                                     start_cursor=edges[0].cursor if edges else None, end_cursor=result.end_cursor),
            facets=OpinionSearchFacets(**{k: facet_values.get(k) for k in FACETS}),
        )


ROOT_PERMISSIONS = {
    "Query.searchOpinions": Op.READ,
}
