"""`divisions`: this prefecture's administrative divisions."""
from __future__ import annotations

import graphene

from liaison.graphql.core.fields import root_field
from liaison.graphql.core.filters import apply
from liaison.graphql.core.relay import apply_order, connection_args, paginate
from liaison.graphql.divisions.filters import DIVISION_ORDER, DivisionFilter, DivisionFilterSet, DivisionOrder
from liaison.graphql.divisions.types import DivisionConnection
from liaison.platform.accounts.principal import Op
from liaison.tenants.divisions.models import Division


class Query(graphene.ObjectType):
    divisions = root_field(Op.READ, graphene.relay.ConnectionField(
        DivisionConnection, **connection_args(DivisionFilter, DivisionOrder),
        description="行政区划 (this prefecture's divisions: 州市 → 县 → 乡镇 → 村/社区)."), prefecture_only=True)

    def resolve_divisions(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        qs = apply(DivisionFilterSet, Division.objects.all(), filter)
        qs = apply_order(qs, order_by, DIVISION_ORDER) if order_by else qs.order_by("code")
        return paginate(qs, info, DivisionConnection, **kwargs)
