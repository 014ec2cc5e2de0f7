"""Where am I (host), the prefecture list, and `node` (any object by its global ID)."""
from __future__ import annotations

import graphene
from django.db import connection

from liaison.graphql.core.fields import root_field
from liaison.graphql.core.relay import Node
from liaison.graphql.registry.types import HostType, PrefectureType
from liaison.platform.accounts.principal import Op
from liaison.tenants.registry.models import Prefecture


class Query(graphene.ObjectType):
    host = root_field(Op.PUBLIC, graphene.Field(HostType, required=True,
                                                description="The province or prefecture this host serves."),
                      public_cache=300)
    prefectures = root_field(Op.PUBLIC, graphene.List(graphene.NonNull(PrefectureType), required=True,
                                                      description="All prefectures (public registry), with their hosts."),
                             public_cache=300)
    node = root_field(Op.READ, Node.Field(description="Any object by its global ID; an ID of another prefecture is not "
                                                      "found here."), prefecture_only=True)

    def resolve_host(root, info):
        tenant = getattr(info.context, "tenant", None)
        is_prov = getattr(tenant, "schema_name", "public") == "public"
        return HostType(is_province=is_prov, schema_name=connection.schema_name, prefecture=None if is_prov else tenant)

    def resolve_prefectures(root, info):
        return list(Prefecture.objects.prefetch_related("domains"))
