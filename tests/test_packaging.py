"""The layout decided in docs/ARCHITECTURE.md: one `liaison` distribution, no shadowing."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPS = {"platform": "liaison.platform", "tenants": "liaison.tenants", "graphql": "liaison.graphql", "search": "liaison.search"}


def test_stdlib_platform_and_graphql_core_are_not_shadowed_from_repo_root():
    code = (
        "import platform, graphql, django; django.setup(); import liaison.graphql.schema;"
        "print(platform.__file__); print(graphql.__file__); print(hasattr(platform, 'python_version'));"
        "print(hasattr(graphql, 'graphql_sync'))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"DJANGO_SETTINGS_MODULE": "liaison.platform.settings", **_env()}).stdout.splitlines()
    assert "site-packages" not in out[0] and out[0].endswith("platform.py"), out
    assert "site-packages" in out[1] and "graphql" in out[1], out
    assert out[2:] == ["True", "True"]


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_top_folders_have_no_init_and_every_subpackage_is_packaged():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    for top, name in TOPS.items():
        assert not (ROOT / top / "__init__.py").exists(), f"{top}/__init__.py must not exist"
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            if "__pycache__" in rel.parts:
                continue
            assert f"{name}.{'.'.join(rel.parts)}" in listed, f"{init.parent} is missing from pyproject packages (run scripts/sync_packages.py)"
    for sub in ("deploy", "helm", "tests"):
        assert (ROOT / sub).is_dir()
