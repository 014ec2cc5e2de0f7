"""The province's prefectures and the host a request is served on."""
from __future__ import annotations

import graphene

from liaison.graphql.core import permissions
from liaison.graphql.core.enums import enum_from
from liaison.tenants.registry.models import Prefecture
from liaison.platform.accounts.principal import Op

PrefectureKind = enum_from(Prefecture.Kind, "PrefectureKind", "州市类型 (kind of prefecture).")


class PrefectureType(graphene.ObjectType):
    class Meta:
        name = "Prefecture"
        description = "A prefecture (州/市) of the province; each has its own host and data."

    code = graphene.String(required=True, description="GB/T 2260 code, e.g. 530100.")
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    slug = graphene.String(required=True, description="Also its schema name and the first label of its host.")
    kind = graphene.Field(PrefectureKind, required=True, description="类型 (地级市 or 自治州).")
    host = graphene.String(required=True, description="The host serving this prefecture's /graphql/.")
    statistics = graphene.Field(
        "liaison.graphql.stats.types.StatisticsRow",
        description="This prefecture's figures from the province roll-ups (province-wide credentials only; "
                    "definitions in `statisticsDefinitions`).")

    def resolve_statistics(root, info):
        permissions.require(info, Op.PROVINCE, "Prefecture.statistics")
        cache = info.context.__dict__.setdefault("liaison_loaders", {})
        if "province_statistics" not in cache:
            from liaison.platform.rollups import selectors

            cache["province_statistics"] = {row.slug: row for row in selectors.province_statistics().rows}
        return cache["province_statistics"].get(root.slug)

    def resolve_host(root, info):
        domains = list(root.domains.all())  # prefetched by the resolver of the list
        primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
        return primary.domain if primary else f"{root.slug}.{_base_host()}"


def _base_host() -> str:
    from django.conf import settings

    return settings.LIAISON_BASE_HOST


class HostType(graphene.ObjectType):
    class Meta:
        description = '本站点 (the province or prefecture this host serves).'
        name = "Host"

    is_province = graphene.Boolean(required=True, description="省级站点 (the province host, not a prefecture's).")
    schema_name = graphene.String(required=True,
                                  description="数据库模式名 (the schema this host serves: `public` or the prefecture's slug).")
    prefecture = graphene.Field(PrefectureType)
