"""The schema a front end codes against (docs/API.md "Error codes"), linted in Python:

- every type, field, argument and enum value has a description, and none is a
  placeholder ("An enumeration.", "The ID of the object");
- naming: types PascalCase, fields and arguments camelCase, enum values UPPER_SNAKE;
- every error code a service can raise is in the ErrorCode enum, and so is every
  top-level code the API reports;
- docs/API.md's error-code reference is the one generated from the schema.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    build_schema,
)

from liaison.graphql.core.errors import ERROR_CODES, error_code_reference

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8")
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}
PLACEHOLDERS = {"An enumeration.", "The ID of the object", "The ID of the object."}
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _lint(sdl: str) -> list[str]:
    schema = build_schema(sdl)
    problems = []

    def check(where: str, description: str | None):
        if not description or not description.strip():
            problems.append(f"{where}: no description")
        elif description.strip() in PLACEHOLDERS:
            problems.append(f"{where}: placeholder description {description!r}")

    for name, gtype in schema.type_map.items():
        if name.startswith("__") or (isinstance(gtype, GraphQLScalarType) and name in BUILT_IN):
            continue
        check(name, gtype.description)
        if not PASCAL.match(name):
            problems.append(f"{name}: type names are PascalCase")
        if isinstance(gtype, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in gtype.fields.items():
                check(f"{name}.{field_name}", field.description)
                if not CAMEL.match(field_name):
                    problems.append(f"{name}.{field_name}: field names are camelCase")
                for arg_name, arg in getattr(field, "args", {}).items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
                    if not CAMEL.match(arg_name):
                        problems.append(f"{name}.{field_name}({arg_name}): argument names are camelCase")
        if isinstance(gtype, GraphQLEnumType):
            for value_name, value in gtype.values.items():
                check(f"{name}.{value_name}", value.description)
                if not UPPER.match(value_name):
                    problems.append(f"{name}.{value_name}: enum values are UPPER_SNAKE_CASE")
    return problems


PENDING = {line.strip() for line in (Path(__file__).with_name("schema_lint_pending.txt")).read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("#")}


def test_the_schema_is_fully_described_and_named_by_convention():
    problems = [p for p in _lint(SDL) if p.removesuffix(": no description") not in PENDING]
    assert not problems, f"{len(problems)} schema lint problems:\n" + "\n".join(problems[:80])


def test_the_pending_list_only_shrinks():
    """Every line of schema_lint_pending.txt is still a gap: a described item leaves the list."""
    gaps = {p.removesuffix(": no description") for p in _lint(SDL)}
    stale = sorted(PENDING - gaps)
    assert not stale, f"described now: delete these lines from tests/graphql/schema_lint_pending.txt: {stale}"


def test_the_lint_catches_what_it_should():
    bad = '''"""An enumeration."""
enum color { red }
type Query { Thing(snake_arg: Int): color }
'''
    problems = "\n".join(_lint(bad))
    for expected in ("placeholder description", "color: type names are PascalCase", "Query.Thing: no description",
                     "Query.Thing: field names are camelCase", "snake_arg): argument names are camelCase",
                     "color.red: enum values are UPPER_SNAKE_CASE"):
        assert expected in problems, expected


def _service_codes() -> set[str]:
    """Codes raised as ServiceError/FieldError (and helpers named *err*) in the code base."""
    found = set()
    for top in ("tenants", "platform", "graphql", "search"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts or "importers" in path.parts:  # importer row problems: LedgerProblem.code
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if not (name in ("single", "FieldError") or "err" in name.lower()) or name == "limit_error":
                    continue
                code = next((k.value for k in node.keywords if k.arg == "code"), node.args[2] if len(node.args) > 2 else None)
                if isinstance(code, ast.Constant) and isinstance(code.value, str) and re.match(r"^[a-z][a-z_]+$", code.value):
                    found.add(code.value.upper())
    return found


def _request_codes() -> set[str]:
    """Top-level codes the API layer reports (`"code": "X"`, gql_error(…, "X"), RequestError(…, "X"))."""
    found = set()
    for path in (ROOT / "graphql").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'"code":\s*"([A-Z][A-Z_]+)"', text))
        found |= set(re.findall(r'(?:gql_error|RequestError|DocumentError|limit_error)\([^)]*?"([A-Z][A-Z_]{3,})"', text, re.S))
    return found


def test_every_error_code_is_in_the_error_code_enum():
    missing = sorted((_service_codes() | _request_codes()) - set(ERROR_CODES))
    assert not missing, f"add these codes (with a description) to ERROR_CODES in graphql/core/errors.py: {missing}"
    enum_values = set(build_schema(SDL).get_type("ErrorCode").values)
    assert enum_values == set(ERROR_CODES)


def test_the_error_code_reference_in_the_docs_is_current():
    doc = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    assert error_code_reference() in doc, ("docs/API.md: reprint the error-code reference with "
                                           "`liaison graphql_sdl --error-codes` (between the markers)")
