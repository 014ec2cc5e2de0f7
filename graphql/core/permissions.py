"""Authorization for the GraphQL API. The rules themselves live in
liaison.platform.accounts.principal (Op and MATRIX); this module maps every root field
of Query and Mutation to the Op it needs and checks it *before* execution, so a
request that asks for anything it may not have fails as a whole with a top-level
error (`extensions.code` UNAUTHENTICATED or FORBIDDEN) and no partial data.

Each root field declares its Op next to itself (`root_field(Op.READ, …)` for a query,
the class attribute `op` of its ServiceMutation); liaison.graphql.schema collects them
into ROOT_PERMISSIONS when it builds the schema. A root field that declares none is
refused (fail closed), and tests/graphql/test_gql_permissions.py fails naming it.
"""
from __future__ import annotations

from django.db import connection
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, OperationDefinitionNode

from liaison.graphql.core.errors import forbidden, gql_error
from liaison.platform.accounts.principal import Op, Principal, principal_for

# "Query.positions" → Op: filled by liaison.graphql.schema from the root fields' declarations.
ROOT_PERMISSIONS: dict[str, Op] = {}
# Root fields over a prefecture's own tables (positions, opinions…): served on prefecture
# hosts only. On the province host they answer WRONG_HOST (province credentials read
# every prefecture host instead). Filled from `root_field(…, prefecture_only=True)`.
PREFECTURE_HOST_ONLY: set[str] = set()

# "Query.categories" → seconds: anonymous GET answers asking only for these may be cached
# by shared caches. Filled from `root_field(…, public_cache=…)`.
PUBLIC_CACHE: dict[str, int] = {}

ALWAYS_ALLOWED = {"__typename", "__schema", "__type"}


def principal(info) -> Principal:
    return principal_for(info.context)


def schema_name() -> str:
    return connection.schema_name


def host_label(schema: str) -> str:
    return "the province host" if schema == "public" else f"prefecture `{schema}`"


def denial(p: Principal, op: Op, schema: str, what: str, node=None) -> GraphQLError:
    if p.is_anonymous:
        return gql_error(f"`{what}` 需要登录或 API 密钥 (authentication required: `{what}` needs the "
                         f"`{op.value}` permission on {host_label(schema)}; log in or send "
                         f"`Authorization: Bearer <key>`)", "UNAUTHENTICATED", node, operation=op.value)
    return gql_error(f"无权访问 `{what}` (forbidden: {p.label} lacks the `{op.value}` permission on "
                     f"{host_label(schema)})", "FORBIDDEN", node, operation=op.value)


def require(info, op: Op, what: str | None = None) -> Principal:
    """Raise a FORBIDDEN/UNAUTHENTICATED error unless the caller has `op` on this host."""
    p = principal(info)
    schema = schema_name()
    if not p.can(op, schema):
        raise denial(p, op, schema, what or info.field_name)
    return p


def can(info, op: Op) -> bool:
    return principal(info).can(op, schema_name())


def can_read_personal(info) -> bool:
    cache = info.context.__dict__.setdefault("_liaison_personal", {})
    schema = schema_name()
    if schema not in cache:
        cache[schema] = principal(info).can_read_personal(schema)
    return cache[schema]


def check_operation(document, operation: OperationDefinitionNode, p: Principal, schema: str) -> list[GraphQLError]:
    """Errors for every root field of `operation` the principal may not use here."""
    type_name = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}[operation.operation.value]
    fragments = {d.name.value: d for d in document.definitions if getattr(d, "kind", "") == "fragment_definition"}
    errors: list[GraphQLError] = []
    for field in _root_fields(operation.selection_set, fragments, set()):
        name = field.name.value
        if name in ALWAYS_ALLOWED:
            continue
        op = ROOT_PERMISSIONS.get(f"{type_name}.{name}")
        if schema == "public" and f"{type_name}.{name}" in PREFECTURE_HOST_ONLY and op is not None and p.can(op, schema):
            errors.append(gql_error(f"`{type_name}.{name}` 在州市站点提供 (served on prefecture hosts: send it to "
                                    f"<prefecture>.<province host>/graphql/; province credentials read every prefecture host)",
                                    "WRONG_HOST", field))
        elif op is None:
            errors.append(forbidden(f"`{type_name}.{name}` is not in the permission matrix", field))
        elif not p.can(op, schema):
            errors.append(denial(p, op, schema, f"{type_name}.{name}", field))
    return errors


def public_cache_seconds(document, operation: OperationDefinitionNode) -> int | None:
    """Seconds a shared cache may keep the answer of `operation` (a query), or None when
    any of its root fields is not declared cacheable."""
    if operation.operation.value != "query":
        return None
    fragments = {d.name.value: d for d in document.definitions if getattr(d, "kind", "") == "fragment_definition"}
    seconds = []
    for field in _root_fields(operation.selection_set, fragments, set()):
        if field.name.value == "__typename":
            continue
        value = PUBLIC_CACHE.get(f"Query.{field.name.value}")
        if not value:
            return None
        seconds.append(value)
    return min(seconds) if seconds else None


def _root_fields(selection_set, fragments, seen):
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from _root_fields(sel.selection_set, fragments, seen)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in seen or name not in fragments:
                continue
            seen.add(name)
            yield from _root_fields(fragments[name].selection_set, fragments, seen)


def matrix_markdown() -> str:
    """The permission matrix as the Markdown table printed in docs/API.md."""
    from liaison.platform.accounts.principal import MATRIX

    ops = list(Op)
    lines = ["| row | " + " | ".join(f"`{op.value}`" for op in ops) + " |",
             "|---|" + "|".join(":-:" for _ in ops) + "|"]
    for row, granted in MATRIX.items():
        lines.append(f"| `{row}` | " + " | ".join("✔" if op in granted else "—" for op in ops) + " |")
    return "\n".join(lines)
