"""Positions: the `positions` connection, one by its code, the checklist, 两个必建 coverage."""
from __future__ import annotations

import graphene

from liaison.graphql.core import loaders
from liaison.graphql.core.errors import NotFound
from liaison.graphql.core.fields import root_field
from liaison.graphql.core.filters import apply
from liaison.graphql.core.relay import apply_order, connection_args, paginate
from liaison.graphql.divisions.filters import division_or_none, subtree
from liaison.graphql.positions.filters import POSITION_ORDER, PositionFilter, PositionFilterSet, PositionOrder
from liaison.graphql.positions.types import ChecklistItemType, CoverageType, PositionConnection, PositionType
from liaison.platform.accounts.principal import Op
from liaison.tenants.positions import models as pm
from liaison.tenants.positions import selectors as position_selectors


class Query(graphene.ObjectType):
    positions = root_field(Op.READ, graphene.relay.ConnectionField(
        PositionConnection, **connection_args(PositionFilter, PositionOrder),
        description="代表活动阵地 (this prefecture's positions: 家、站、室, online, professional, special)."),
        prefecture_only=True)
    position_by_code = root_field(Op.READ, graphene.Field(
        PositionType, code=graphene.String(required=True),
        description="A position by its code (as printed next to its QR code)."), prefecture_only=True)
    checklist = root_field(Op.READ, graphene.List(
        graphene.NonNull(ChecklistItemType), required=True, include_inactive=graphene.Boolean(
            default_value=False, description="含已停用项 (include inactive items)."),
        description="This prefecture's standards checklist."), prefecture_only=True)
    coverage = root_field(Op.READ, graphene.Field(
        CoverageType, required=True, division=graphene.ID(description="Default: the whole prefecture."),
        description="Coverage of 两个必建 (positions.selectors.coverage_two_musts)."), prefecture_only=True)

    def resolve_positions(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        division = subtree(f["within"]) if f.get("within") is not None else None
        qs = apply(PositionFilterSet, position_selectors.positions(division=division), f)
        qs = apply_order(qs, order_by, POSITION_ORDER) if order_by else qs.order_by("code")
        return paginate(qs, info, PositionConnection, **kwargs)

    def resolve_position_by_code(root, info, code):
        obj = pm.Position.objects.filter(code=code.strip()).first()
        return loaders.mark_batch([obj])[0] if obj else None

    def resolve_checklist(root, info, include_inactive=False):
        items = position_selectors.checklist(active_only=not include_inactive)
        return loaders.mark_batch(items)

    def resolve_coverage(root, info, division=None):
        d = None
        if division is not None:
            d = division_or_none(division)
            if d is None:
                raise NotFound("区划")
        return position_selectors.coverage_two_musts(d)
