"""Types of `searchOpinions`: hits (no personal data), facets, the connection."""
from __future__ import annotations

import graphene
from graphene import relay

from liaison.graphql.opinions.types import OpinionChannel, OpinionStatus
from liaison.graphql.positions.types import PositionTier


class OpinionSearchSort(graphene.Enum):
    """检索排序 (order of search hits)."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class OpinionSearchFacet(graphene.Enum):
    """分面 (a facet that can be counted)."""

    CATEGORY = "category"
    STATUS = "status"
    PREFECTURE = "prefecture"


class OpinionSearchHit(graphene.ObjectType):
    """检索命中的一条意见 (an opinion found by search; no personal data)."""

    id = graphene.ID(required=True, description="The opinion's global ID (resolve it on its prefecture's host).")
    prefecture_slug = graphene.String(required=True, description='州市标识 (slug of the prefecture the opinion is in).')
    prefecture_name = graphene.String(required=True, description='州市名称 (its name).')
    score = graphene.Float(required=True, description="Relevance (0 when sorted by date without a query).")
    title = graphene.String(required=True)
    title_highlight = graphene.String(required=True, description="HTML-escaped title, matches in <em>.")
    snippet = graphene.String(required=True, description="HTML-escaped excerpt of the content or reply, matches in <em>.")
    category_code = graphene.String(description='类别编码 (category code).')
    category_name = graphene.String(description='类别名称 (category name).')
    status = graphene.Field(OpinionStatus, required=True, description="办理状态 (status).")
    status_label = graphene.String(required=True)
    channel = graphene.Field(OpinionChannel, required=True, description="来源渠道 (channel).")
    channel_label = graphene.String(required=True)
    tier = graphene.Field(PositionTier, description="阵地层级 (tier of its position).")
    tier_label = graphene.String()
    position_id = graphene.ID(description="The position's global ID.")
    position_name = graphene.String(description='阵地名称 (position name).')
    division_code = graphene.String(required=True)
    division_name = graphene.String(required=True)
    registered_at = graphene.DateTime(required=True)
    due_on = graphene.Date()
    is_overdue = graphene.Boolean(required=True, description='已超期 (awaiting a reply and past its deadline).')


class OpinionSearchEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(OpinionSearchHit, required=True)


class SearchFacetValue(graphene.ObjectType):
    """分面的一个取值 (one value of a facet and its hit count)."""

    value = graphene.String(required=True)
    label = graphene.String(required=True)
    count = graphene.Int(required=True)


class OpinionSearchFacets(graphene.ObjectType):
    """分面统计 (counts of the hits per category, status and prefecture)."""

    category = graphene.List(graphene.NonNull(SearchFacetValue))
    status = graphene.List(graphene.NonNull(SearchFacetValue))
    prefecture = graphene.List(graphene.NonNull(SearchFacetValue))


class OpinionSearchConnection(graphene.ObjectType):
    total_count = graphene.Int(
        required=True,
        description="Matching opinions: exact up to 500 (the server's LIAISON_SEARCH_EXACT_TOTAL_UP_TO); a broader "
                    "search ranks and pages through its newest matches and estimates this total and the facet counts, "
                    "as Elasticsearch's track_total_hits does (see totalCountIsExact).")
    total_count_is_exact = graphene.Boolean(
        required=True, description="False when totalCount and the facet counts are estimates (a search matching more "
                                   "than the exact-total bound); show them as approximate (约).")
    edges = graphene.List(graphene.NonNull(OpinionSearchEdge), required=True)
    page_info = graphene.Field(relay.PageInfo, required=True)
    facets = graphene.Field(OpinionSearchFacets, required=True)
