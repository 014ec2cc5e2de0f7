"""The opinion loop's queries: opinions, deputy suggestions, handling units, categories
and route proposals."""
from __future__ import annotations

import graphene

from liaison.graphql.core import loaders, permissions
from liaison.graphql.core.errors import NotFound
from liaison.graphql.core.fields import root_field
from liaison.graphql.core.filters import apply
from liaison.graphql.core.relay import apply_order, connection_args, local_pk, paginate
from liaison.graphql.divisions.filters import subtree
from liaison.graphql.opinions.filters import (
    OPINION_ORDER,
    HandlingUnitFilter,
    HandlingUnitFilterSet,
    OpinionFilter,
    OpinionFilterSet,
    OpinionOrder,
    SuggestionFilter,
    SuggestionFilterSet,
)
from liaison.graphql.opinions.types import (
    CategoryType,
    HandlingUnitConnection,
    OpinionConnection,
    RouteProposalType,
    SuggestionConnection,
)
from liaison.platform.accounts.principal import Op
from liaison.platform.province.models import Category
from liaison.tenants.opinions import models as om
from liaison.tenants.opinions import selectors as opinion_selectors
from liaison.tenants.opinions import services as opinion_services


class Query(graphene.ObjectType):
    opinions = root_field(Op.READ, graphene.relay.ConnectionField(
        OpinionConnection, **connection_args(OpinionFilter, OpinionOrder),
        description="本州市的群众意见建议 (this prefecture's opinions, newest first by default)."), prefecture_only=True)
    suggestions = root_field(Op.READ, graphene.relay.ConnectionField(
        SuggestionConnection, **connection_args(SuggestionFilter),
        description="代表建议 (deputy suggestions raised here, newest first)."), prefecture_only=True)
    handling_units = root_field(Op.READ, graphene.relay.ConnectionField(
        HandlingUnitConnection, **connection_args(HandlingUnitFilter),
        description="承办单位 (the units opinions are referred to)."), prefecture_only=True)
    categories = root_field(Op.PUBLIC, graphene.List(
        graphene.NonNull(CategoryType), required=True,
        description="The province's opinion categories (public: front ends list them)."), public_cache=300)
    route_proposals = root_field(Op.READ, graphene.List(
        graphene.NonNull(RouteProposalType), required=True, opinion=graphene.ID(required=True),
        limit=graphene.Int(default_value=5), description="Handling units proposed for a triaged opinion, best first."),
        prefecture_only=True)

    def resolve_route_proposals(root, info, opinion, limit=5):
        pk = local_pk(opinion, "Opinion")
        if pk is None or not om.Opinion.objects.filter(pk=pk).exists():
            raise NotFound("意见")
        proposals = opinion_services.propose_route(pk, limit=max(1, min(limit or 5, 20)))
        loaders.mark_batch([p.unit for p in proposals])
        return proposals

    def resolve_opinions(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        division = subtree(f["within"]) if f.get("within") is not None else None
        qs = opinion_selectors.queue(division=division, open_only=bool(f.get("open")),
                                     received_from_other_prefectures=f.get("received_from_other_prefectures"))
        qs = apply(OpinionFilterSet, qs, f)
        if f.get("tracking_code"):
            permissions.require(info, Op.READ_PERSONAL, "opinions(filter: {trackingCode})")
            qs = qs.filter(tracking_code=om.normalise_tracking_code(f["tracking_code"]))
        qs = apply_order(qs, order_by, OPINION_ORDER) if order_by else qs.order_by("-registered_at", "-id")
        return paginate(qs, info, OpinionConnection, **kwargs)

    def resolve_suggestions(root, info, filter=None, **kwargs):  # noqa: A002
        qs = apply(SuggestionFilterSet, om.Suggestion.objects.all(), filter)
        return paginate(qs.order_by("-filed_at", "-id"), info, SuggestionConnection, **kwargs)

    def resolve_handling_units(root, info, filter=None, **kwargs):  # noqa: A002
        qs = apply(HandlingUnitFilterSet, om.HandlingUnit.objects.all(), filter)
        return paginate(qs.order_by("level", "division__code", "name", "id"), info, HandlingUnitConnection, **kwargs)

    def resolve_categories(root, info):
        return loaders.mark_batch(Category.objects.filter(active=True))
