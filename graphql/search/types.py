"""Types of `searchOpinions`: hits (no personal data), facets, the connection."""
from __future__ import annotations

import graphene
from graphene import relay


class OpinionSearchSort(graphene.Enum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class OpinionSearchFacet(graphene.Enum):
    CATEGORY = "category"
    STATUS = "status"
    PREFECTURE = "prefecture"


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
