"""Request limits, enforced as GraphQL validation rules before anything executes.

Every rejection names the limit and its value (message and `extensions.limit`/`value`):

| limit | value | Decidim | CONSUL |
|---|---|---|---|
| page size (`first`/`last`) | 50 | 50 | 25 |
| query depth | 10 | 15 | 8 |
| complexity | 2500 | 5000 | 2500 |
| aliases per document | 20 | — | — |
| introspection roots (`__schema`/`__type`) per document | 3 | — | — |
| operations per batch | 5 | — | — |
| query text | 20 000 characters | — | — |

Complexity: every field costs 1; a connection multiplies the cost of what is selected
under it by its page size (`first`/`last`, or the default page size 20 when absent).
Lists that are not connections (a position's checklist, staff, stationed deputies; an
opinion's referrals, replies, transitions) are bounded by the domain and count once.
Introspection (`__schema`, `__type`) is exempt from depth and complexity but has its
own depth cap (20) so GraphiQL and code generators work.

Values can be tuned per deployment with settings.LIAISON_GRAPHQL_LIMITS (a dict with
the keys of DEFAULTS); tests use that to compare pages of 10 and 100.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_object_type,
    is_interface_type,
)

DEFAULTS = {
    "max_page_size": 50,
    "default_page_size": 20,
    "max_depth": 10,
    "max_introspection_depth": 20,
    "max_complexity": 2500,
    "max_aliases": 20,
    "max_introspection_roots": 3,
    "max_batch": 5,
    "max_query_length": 20_000,
}

INTROSPECTION_ROOTS = {"__schema", "__type"}


def limits() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "LIAISON_GRAPHQL_LIMITS", {})}


def limit_error(message: str, code: str, limit: str, value: int, node=None, **extra) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code, "limit": limit, "value": value, **extra})


def _arg_int(field: FieldNode, name: str, variables: dict[str, Any]) -> tuple[bool, int | None]:
    """(present, value) of an Int argument given literally or through a variable."""
    for arg in field.arguments or ():
        if arg.name.value != name:
            continue
        if isinstance(arg.value, IntValueNode):
            return True, int(arg.value.value)
        if isinstance(arg.value, VariableNode):
            value = variables.get(arg.value.name.value)
            return True, value if isinstance(value, int) and not isinstance(value, bool) else None
        return True, None
    return False, None


def validation_rules(variables: dict[str, Any] | None) -> list[type[ValidationRule]]:
    """The limit rules for one request (they see its variables, so `first: $n` counts)."""
    variables = variables or {}
    cfg = limits()

    class LimitRule(ValidationRule):
        def enter_document(self, node, *_):
            aliases = 0
            for definition in node.definitions:
                aliases += _count_aliases(definition.selection_set)
            roots = sum(_count_introspection_roots(d.selection_set) for d in node.definitions
                        if getattr(d, "selection_set", None) is not None)
            if roots > cfg["max_introspection_roots"]:
                # one full introspection is ~200 kB of answer: twenty aliased copies in a
                # batch made a 51 kB anonymous request cost 18 MB and seconds of CPU
                self.report_error(limit_error(
                    f"Query asks for {roots} introspection roots (__schema/__type); the limit is "
                    f"{cfg['max_introspection_roots']} per document.",
                    "COMPLEXITY_LIMIT_EXCEEDED", "max_introspection_roots", cfg["max_introspection_roots"], actual=roots))
            if aliases > cfg["max_aliases"]:
                self.report_error(limit_error(
                    f"Query uses {aliases} aliases; the limit is {cfg['max_aliases']} aliases per document.",
                    "ALIAS_LIMIT_EXCEEDED", "max_aliases", cfg["max_aliases"], actual=aliases))

        def enter_operation_definition(self, node: OperationDefinitionNode, *_):
            schema = self.context.schema
            root = {"query": schema.query_type, "mutation": schema.mutation_type,
                    "subscription": schema.subscription_type}[node.operation.value]
            # A variable's default counts like a value sent (`$n: Int = 50` is a page of 50).
            effective = dict(variables)
            for var in node.variable_definitions or ():
                name = var.variable.name.value
                if name not in effective and isinstance(var.default_value, IntValueNode):
                    effective[name] = int(var.default_value.value)
            walker = _Walker(self, cfg, effective)
            depth, cost, page_errors = walker.measure(node.selection_set, root)
            for err in page_errors:
                self.report_error(err)
            if walker.introspection_depth > cfg["max_introspection_depth"]:
                self.report_error(limit_error(
                    f"Introspection query depth {walker.introspection_depth} exceeds the maximum depth of "
                    f"{cfg['max_introspection_depth']}.", "DEPTH_LIMIT_EXCEEDED", "max_introspection_depth",
                    cfg["max_introspection_depth"], node, actual=walker.introspection_depth))
            if depth > cfg["max_depth"]:
                self.report_error(limit_error(
                    f"Query depth {depth} exceeds the maximum depth of {cfg['max_depth']}.",
                    "DEPTH_LIMIT_EXCEEDED", "max_depth", cfg["max_depth"], node, actual=depth))
            if cost > cfg["max_complexity"]:
                self.report_error(limit_error(
                    f"Query complexity {cost} exceeds the maximum complexity of {cfg['max_complexity']} "
                    f"(each field costs 1, multiplied by the page size of the connections above it).",
                    "COMPLEXITY_LIMIT_EXCEEDED", "max_complexity", cfg["max_complexity"], node, actual=cost))

    return [LimitRule]


def _count_introspection_roots(selection_set) -> int:
    """__schema/__type fields anywhere in the document (fragments included once each)."""
    if selection_set is None:
        return 0
    n = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode) and sel.name.value in INTROSPECTION_ROOTS:
            n += 1
        n += _count_introspection_roots(getattr(sel, "selection_set", None))
    return n


def _count_aliases(selection_set) -> int:
    if selection_set is None:
        return 0
    n = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode) and sel.alias is not None:
            n += 1
        n += _count_aliases(getattr(sel, "selection_set", None))
    return n


class _Walker:
    def __init__(self, rule: ValidationRule, cfg: dict[str, int], variables: dict[str, Any]):
        self.rule = rule
        self.cfg = cfg
        self.variables = variables
        self.introspection_depth = 0
        self.page_errors: list[GraphQLError] = []
        self._reported_pages: set[int] = set()
        # fragment name → (depth below the spread, cost): a fragment spread many times is
        # measured once, so nested fragments cannot make validation itself exponential.
        self._fragments: dict[tuple[str, bool], tuple[int, int]] = {}

    def measure(self, selection_set, parent_type) -> tuple[int, int, list[GraphQLError]]:
        depth, cost = self._walk(selection_set, parent_type, 0, frozenset(), introspection=False)
        return depth, cost, self.page_errors

    def _walk(self, selection_set, parent_type, depth: int, seen: frozenset[str], introspection: bool) -> tuple[int, int]:
        """(max depth, cost) of a selection set at `depth` (the parent field's depth)."""
        if selection_set is None:
            return depth, 0
        max_depth, cost = depth, 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                d, c = self._field(sel, parent_type, depth, seen, introspection)
            elif isinstance(sel, InlineFragmentNode):
                t = self._type(sel.type_condition.name.value) if sel.type_condition else parent_type
                d, c = self._walk(sel.selection_set, t, depth, seen, introspection)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = self.rule.context.get_fragment(name)
                if frag is None or name in seen:  # unknown / cyclic: other rules report it
                    continue
                key = (name, introspection)
                if key not in self._fragments:
                    rel, c = self._walk(frag.selection_set, self._type(frag.type_condition.name.value), 0,
                                        seen | {name}, introspection)
                    self._fragments[key] = (rel, c)
                rel, c = self._fragments[key]
                d = depth + rel
            else:  # pragma: no cover
                continue
            max_depth, cost = max(max_depth, d), cost + c
        return max_depth, cost

    def _type(self, name: str):
        return self.rule.context.schema.get_type(name)

    def _field(self, node: FieldNode, parent_type, depth: int, seen, introspection: bool) -> tuple[int, int]:
        name = node.name.value
        if depth == 0 and name in INTROSPECTION_ROOTS:
            d, _ = self._walk(node.selection_set, None, 1, seen, introspection=True)
            self.introspection_depth = max(self.introspection_depth, d)
            return 0, 0
        if introspection:
            return self._walk(node.selection_set, None, depth + 1, seen, introspection=True)[0], 0
        field_def = None
        if parent_type is not None and (is_object_type(parent_type) or is_interface_type(parent_type)):
            field_def = parent_type.fields.get(name)
        child_type = get_named_type(field_def.type) if field_def is not None else None
        multiplier = 1
        if field_def is not None and ("first" in field_def.args or "last" in field_def.args):
            multiplier = self._page_size(node)
        d, child_cost = self._walk(node.selection_set, child_type, depth + 1, seen, introspection=False)
        return d, 1 + multiplier * child_cost

    def _page_size(self, node: FieldNode) -> int:
        cfg = self.cfg
        size = None
        for arg in ("first", "last"):
            present, value = _arg_int(node, arg, self.variables)
            if not present or value is None:
                continue
            if (value < 0 or value > cfg["max_page_size"]) and id(node) not in self._reported_pages:
                self._reported_pages.add(id(node))
                self.page_errors.append(limit_error(
                    f"`{arg}: {value}` on `{node.name.value}` is outside the page size limit: "
                    f"between 0 and {cfg['max_page_size']} items per page.",
                    "PAGE_SIZE_LIMIT_EXCEEDED", "max_page_size", cfg["max_page_size"], node, actual=value))
            size = max(size or 0, value)
        if size is None:
            return cfg["default_page_size"]
        return max(0, min(size, cfg["max_page_size"]))
