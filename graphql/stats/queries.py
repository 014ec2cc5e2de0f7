"""Statistics: province figures on the province host, a prefecture's own (with its
county breakdown) on its host. Everything comes from liaison.platform.rollups.selectors,
the same source as the dashboard and the exports; definitions are in
liaison.tenants.stats.catalogue and docs/STATISTICS.md.
"""
from __future__ import annotations

import graphene
from django.db import connection

from liaison.graphql.core import permissions
from liaison.graphql.core.errors import forbidden, gql_error
from liaison.graphql.core.fields import root_field
from liaison.graphql.stats.types import MetricDefinition, PrefectureStatistics, ProvinceStatistics
from liaison.platform.accounts.principal import Op
from liaison.platform.rollups import selectors
from liaison.tenants.registry.models import Prefecture
from liaison.tenants.stats.catalogue import FACTS, FIGURES, TREND_SERIES


class Query(graphene.ObjectType):
    province_statistics = root_field(Op.PROVINCE, graphene.Field(
        ProvinceStatistics, since=graphene.Date(description="Default 2019-01-01; rounded down to the month."),
        description="Province-wide figures (province host, province-wide credentials). Read from the roll-up tables."))
    prefecture_statistics = root_field(Op.READ, graphene.Field(
        PrefectureStatistics, since=graphene.Date(), prefecture=graphene.String(description="Slug; only on the province host (drill-down)."),
        description="This prefecture's figures with its county breakdown (on its host), or any prefecture's on the province host."))
    statistics_definitions = root_field(Op.PUBLIC, graphene.List(
        graphene.NonNull(MetricDefinition), required=True, description="Definitions of every figure and raw fact."),
        public_cache=3600)

    @staticmethod
    def resolve_province_statistics(root, info, since=None):
        if connection.schema_name != "public":
            raise forbidden("provinceStatistics is served on the province host; a prefecture host serves prefectureStatistics")
        permissions.require(info, Op.PROVINCE, "Query.provinceStatistics")
        return selectors.province_statistics(since)

    @staticmethod
    def resolve_prefecture_statistics(root, info, since=None, prefecture=None):
        schema = connection.schema_name
        if schema == "public":
            if not prefecture:
                raise gql_error("prefecture: required on the province host", "BAD_USER_INPUT")
            p = permissions.require(info, Op.PROVINCE, "Query.prefectureStatistics")
            target = Prefecture.objects.filter(schema_name=prefecture).first()
            if target is None or not p.can_read(target.schema_name):
                raise gql_error(f"prefecture: no prefecture named {prefecture!r}", "NOT_FOUND")
        else:
            if prefecture and prefecture != schema:
                raise forbidden(f"prefecture: this host serves {schema} only")
            permissions.require(info, Op.READ, "Query.prefectureStatistics")
            target = info.context.tenant
        return selectors.prefecture_statistics(target, since)

    @staticmethod
    def resolve_statistics_definitions(root, info):
        out = [MetricDefinition(key=f.key, label=f.label, kind=f.kind, basis=f.basis, definition=f.definition) for f in FIGURES]
        out += [MetricDefinition(key=f"trend.{f.key}", label=f.label, kind=f.kind, basis=f.basis, definition=f.definition) for f in TREND_SERIES]
        out += [MetricDefinition(key=f"fact.{f.key}", label=f.label, kind=f.kind, basis=f.dimension, definition=f.definition) for f in FACTS.values()]
        return out
