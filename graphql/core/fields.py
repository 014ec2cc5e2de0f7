"""Field helpers: a root field declares the Op it needs where it is defined, and a
foreign key is one line.

    class Query(graphene.ObjectType):
        positions = root_field(Op.READ, graphene.relay.ConnectionField(...), prefecture_only=True)

    class PositionType(ModelObjectType):
        division = related_field(DivisionType, required=True)

Mutations declare their Op as the class attribute `op` of their ServiceMutation;
`root_operations()` reads both when liaison.graphql.schema builds the schema.
"""
from __future__ import annotations

from dataclasses import dataclass

import graphene
from graphene.types.unmountedtype import UnmountedType
from graphene.utils.str_converters import to_camel_case, to_snake_case

from liaison.graphql.core import loaders
from liaison.platform.accounts.principal import Op

OP_ATTR = "liaison_op"
PREFECTURE_ONLY_ATTR = "liaison_prefecture_only"
PUBLIC_CACHE_ATTR = "liaison_public_cache"


def root_field(op: Op, field, *, prefecture_only: bool = False, public_cache: int | None = None) -> graphene.Field:
    """A root field of Query with the Op of principal.MATRIX it needs on the host.

    `prefecture_only`: the field reads a prefecture's own tables (positions, opinions…);
    the province host answers WRONG_HOST for it.
    `public_cache`: seconds shared caches may keep an anonymous GET answer that asks only
    for such fields (the answer must not depend on the caller)."""
    if isinstance(field, UnmountedType):
        field = field.mount_as(graphene.Field)
    setattr(field, OP_ATTR, op)
    setattr(field, PREFECTURE_ONLY_ATTR, prefecture_only)
    setattr(field, PUBLIC_CACHE_ATTR, public_cache)
    return field


@dataclass
class RootDeclarations:
    ops: dict[str, Op]
    prefecture_only: set[str]
    public_cache: dict[str, int]


def root_operations(type_name: str, mixin) -> RootDeclarations:
    """What the root fields of one mixin declare: {"Query.positions": Op.READ, …}, the
    prefecture-only ones, and the publicly cacheable ones."""
    found = RootDeclarations({}, set(), {})
    for name, field in mixin._meta.fields.items():
        key = f"{type_name}.{to_camel_case(name)}"
        op = getattr(field, OP_ATTR, None) or getattr(getattr(field, "type", None), "op", None)
        if op is None:
            continue  # undeclared: refused at run time, named by the permissions test
        found.ops[key] = op
        if getattr(field, PREFECTURE_ONLY_ATTR, False):
            found.prefecture_only.add(key)
        if getattr(field, PUBLIC_CACHE_ATTR, None):
            found.public_cache[key] = getattr(field, PUBLIC_CACHE_ATTR)
    return found


def related_field(type_, *, source: str | None = None, **kwargs) -> graphene.Field:
    """A foreign key of the parent's model as a field, batched over the page
    (loaders.related). `source`: the model field, when it is not the GraphQL field's
    snake_case name."""

    def resolve(root, info):
        name = source or to_snake_case(info.field_name)
        return loaders.related(info, root, name, root._meta.get_field(name).related_model)

    return graphene.Field(type_, resolver=resolve, **kwargs)
