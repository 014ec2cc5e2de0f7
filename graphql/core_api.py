"""Core queries: who am I talking to (province or prefecture), and the prefecture list."""
from __future__ import annotations

import graphene
from django.db import connection

from liaison.tenants.registry.models import Prefecture


class PrefectureType(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    slug = graphene.String(required=True)
    kind = graphene.String(required=True)


class HostType(graphene.ObjectType):
    is_province = graphene.Boolean(required=True)
    schema_name = graphene.String(required=True)
    prefecture = graphene.Field(PrefectureType)


class CoreQuery(graphene.ObjectType):
    host = graphene.Field(HostType, required=True, description="The province or prefecture this host serves.")
    prefectures = graphene.List(graphene.NonNull(PrefectureType), required=True, description="All prefectures (public registry).")

    def resolve_host(root, info):
        tenant = getattr(info.context, "tenant", None)
        is_prov = getattr(tenant, "schema_name", "public") == "public"
        return HostType(is_province=is_prov, schema_name=connection.schema_name, prefecture=None if is_prov else tenant)

    def resolve_prefectures(root, info):
        return list(Prefecture.objects.all())
