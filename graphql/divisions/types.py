"""Administrative divisions of a prefecture."""
from __future__ import annotations

import graphene

from liaison.graphql.core import loaders
from liaison.graphql.core.enums import choice_label, enum_from
from liaison.graphql.core.fields import related_field
from liaison.graphql.core.relay import ModelObjectType, Node, connection_for
from liaison.tenants.divisions.models import Division

DivisionLevel = enum_from(Division.Level, "DivisionLevel", "Level of an administrative division.")


class DivisionType(ModelObjectType):
    model = Division

    class Meta:
        name = "Division"
        interfaces = (Node,)
        description = "An administrative division of this prefecture (州市 → 县 → 乡镇 → 村/社区)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Field(DivisionLevel, required=True)
    level_label = graphene.String(required=True)
    is_community = graphene.Boolean(required=True)
    parent = related_field(lambda: DivisionType)
    children = graphene.List(graphene.NonNull(lambda: DivisionType), required=True,
                             description="Divisions directly below (bounded: a county's townships, a township's villages).")

    def resolve_level_label(root, info):
        return choice_label(Division.Level, root.level)

    def resolve_children(root, info):
        return loaders.children(info, root, "division.children",
                                lambda ids: Division.objects.filter(parent_id__in=ids).order_by("code"), "parent_id")


DivisionConnection = connection_for(DivisionType)
