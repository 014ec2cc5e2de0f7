"""Rewrite the `packages` list in pyproject.toml from the folders that have an __init__.py.

Run after adding a subpackage: `python scripts/sync_packages.py`. The four top folders
map to liaison.platform/tenants/graphql/search (docs/ARCHITECTURE.md, "Layout and import names").
"""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPS = {"platform": "liaison.platform", "tenants": "liaison.tenants", "graphql": "liaison.graphql", "search": "liaison.search"}


def discover() -> list[str]:
    found = set(TOPS.values())
    for top, name in TOPS.items():
        for root, _dirs, files in os.walk(ROOT / top):
            rel = Path(root).relative_to(ROOT / top)
            if rel.parts and "__init__.py" in files and "__pycache__" not in rel.parts:
                found.add(name + "." + ".".join(rel.parts))
    return sorted(found)


def main() -> None:
    path = ROOT / "pyproject.toml"
    text = path.read_text()
    block = "packages = [\n" + "".join(f'    "{p}",\n' for p in discover()) + "]"
    path.write_text(re.sub(r"packages = \[\n(?:.*\n)*?\]", block, text, count=1))


if __name__ == "__main__":
    main()
