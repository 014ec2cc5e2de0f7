"""Deputies: the `deputies` connection and this prefecture's points scheme."""
from __future__ import annotations

import graphene

from liaison.graphql.core.fields import root_field
from liaison.graphql.core.filters import apply
from liaison.graphql.core.relay import apply_order, connection_args, paginate
from liaison.graphql.deputies.filters import DEPUTY_ORDER, DeputyFilter, DeputyFilterSet, DeputyOrder
from liaison.graphql.deputies.types import DeputyConnection, PointsRuleType
from liaison.platform.accounts.principal import Op
from liaison.tenants.deputies import models as dm
from liaison.tenants.deputies import selectors as deputy_selectors


class Query(graphene.ObjectType):
    deputies = root_field(Op.READ, graphene.relay.ConnectionField(
        DeputyConnection, **connection_args(DeputyFilter, DeputyOrder),
        description="代表 (deputies on this prefecture's roll and those stationed here; serving ones by default)."),
        prefecture_only=True)
    points_rules = root_field(Op.READ, graphene.List(
        graphene.NonNull(PointsRuleType), required=True,
        description="This prefecture's points scheme for the performance record (empty: none)."), prefecture_only=True)

    def resolve_deputies(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        active = f.get("active", True) if "active" in f else True
        qs = apply(DeputyFilterSet, deputy_selectors.deputies(active=active, on_roll=f.get("on_roll")), f)
        qs = apply_order(qs, order_by, DEPUTY_ORDER) if order_by else qs.order_by("roll_number")
        return paginate(qs, info, DeputyConnection, **kwargs)

    def resolve_points_rules(root, info):
        return list(dm.PointsRule.objects.order_by("metric"))
