"""`viewer`: who is calling and what they may do on this host."""
from __future__ import annotations

import graphene
from django.db import connection

from liaison.graphql.accounts.types import ViewerType
from liaison.graphql.core import permissions
from liaison.graphql.core.fields import root_field
from liaison.platform.accounts.principal import Op


class Query(graphene.ObjectType):
    viewer = root_field(Op.PUBLIC, graphene.Field(ViewerType, required=True,
                                                  description="Who is calling, and their operations on this host."))

    def resolve_viewer(root, info):
        p = permissions.principal(info)
        schema = connection.schema_name
        kind = "anonymous" if p.is_anonymous else ("api_key" if p.is_api_key else "user")
        ops = sorted(op.value for op in p.ops(schema))
        return ViewerType(kind=kind, label=p.label, operations=ops, can_read_personal_data=p.can_read_personal(schema))
