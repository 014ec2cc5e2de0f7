"""The graphql/ package layout of docs/API.md ("Code layout"), checked mechanically."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "graphql"


def _modules():
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def _domain(path: Path) -> str:
    return path.relative_to(ROOT).parts[0] if len(path.relative_to(ROOT).parts) > 1 else ""


def test_no_module_imports_a_private_name_of_another_domain():
    offences = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("liaison.graphql."):
                target = node.module.split(".")[2]
                for alias in node.names:
                    if alias.name.startswith("_") and target != _domain(path):
                        offences.append(f"{path.relative_to(ROOT)}: {node.module}.{alias.name}")
    assert not offences, f"private names imported across domains: {offences}"


def test_every_domain_in_the_schema_has_its_queries_module_and_no_root_permission_dicts():
    from liaison.graphql.schema import DOMAINS

    for domain in DOMAINS:
        assert (ROOT / domain / "queries.py").exists() or (ROOT / domain / "mutations.py").exists(), domain
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        assert "ROOT_PERMISSIONS = {" not in text or path.name == "permissions.py", (
            f"{path.relative_to(ROOT)}: declare the Op with root_field(Op…, field) instead of a dict")


def test_foreign_keys_use_related_field_not_hand_written_resolvers():
    offenders = [str(p.relative_to(ROOT)) for p in _modules()
                 if "loaders.related(" in p.read_text(encoding="utf-8") and p.parent.name != "core"]
    assert not offenders, f"use core.fields.related_field for foreign keys: {offenders}"


@pytest.mark.parametrize("type_name", ["Query", "Mutation"])
def test_every_root_field_has_an_operation(type_name):
    from liaison.graphql.core.permissions import ROOT_PERMISSIONS
    from liaison.graphql.schema import schema

    root = getattr(schema.graphql_schema, f"{type_name.lower()}_type")
    missing = [name for name in root.fields if f"{type_name}.{name}" not in ROOT_PERMISSIONS]
    assert not missing, f"root fields without an Op (declare them with root_field / ServiceMutation.op): {missing}"
