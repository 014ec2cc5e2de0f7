"""Core queries: who am I talking to (host, caller), the prefecture list, and `node`."""
from __future__ import annotations

import graphene
from django.db import connection

from liaison.graphql import permissions
from liaison.graphql.relay import Node
from liaison.platform.accounts.principal import Op
from liaison.tenants.registry.models import Prefecture


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
        "liaison.graphql.statistics_api.StatisticsRow",
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


class ViewerType(graphene.ObjectType):
    class Meta:
        name = "Viewer"
        description = "The caller of this request and what they may do on this host."

    kind = graphene.String(required=True, description="anonymous, user or api_key")
    label = graphene.String(required=True)
    operations = graphene.List(graphene.NonNull(graphene.String), required=True,
                               description="Operations of the permission matrix granted on this host (docs/API.md).")
    can_read_personal_data = graphene.Boolean(required=True)


class CoreQuery(graphene.ObjectType):
    host = graphene.Field(HostType, required=True, description="The province or prefecture this host serves.")
    viewer = graphene.Field(ViewerType, required=True, description="Who is calling, and their operations on this host.")
    prefectures = graphene.List(graphene.NonNull(PrefectureType), required=True,
                                description="All prefectures (public registry), with their hosts.")
    node = Node.Field(description="Any object by its global ID; an ID of another prefecture is not found here.")

    def resolve_host(root, info):
        tenant = getattr(info.context, "tenant", None)
        is_prov = getattr(tenant, "schema_name", "public") == "public"
        return HostType(is_province=is_prov, schema_name=connection.schema_name, prefecture=None if is_prov else tenant)

    def resolve_viewer(root, info):
        p = permissions.principal(info)
        schema = connection.schema_name
        kind = "anonymous" if p.is_anonymous else ("api_key" if p.is_api_key else "user")
        ops = sorted(op.value for op in p.ops(schema))
        return ViewerType(kind=kind, label=p.label, operations=ops, can_read_personal_data=p.can_read_personal(schema))

    def resolve_prefectures(root, info):
        return list(Prefecture.objects.prefetch_related("domains"))


ROOT_PERMISSIONS = {
    "Query.host": Op.PUBLIC,
    "Query.viewer": Op.PUBLIC,
    "Query.prefectures": Op.PUBLIC,
    "Query.node": Op.READ,
}

PREFECTURE_HOST_ONLY = {"Query.node"}
