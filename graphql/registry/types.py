"""The province's prefectures and the host a request is served on."""
from __future__ import annotations

import graphene

from liaison.graphql.core import permissions
from liaison.platform.accounts.principal import Op


class PrefectureType(graphene.ObjectType):
    class Meta:
        name = "Prefecture"
        description = "A prefecture (州/市) of the province; each has its own host and data."

    code = graphene.String(required=True, description="GB/T 2260 code, e.g. 530100.")
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    slug = graphene.String(required=True, description="Also its schema name and the first label of its host.")
    kind = graphene.String(required=True)
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
        name = "Host"

    is_province = graphene.Boolean(required=True)
    schema_name = graphene.String(required=True)
    prefecture = graphene.Field(PrefectureType)
