"""The import directions stated in pyproject.toml ([tool.importlinter]) hold."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept(tmp_path):
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency: pip install -e .[dev]"
    # import-linter walks packages on disk; the editable install maps liaison.* through an
    # import hook it cannot walk, so give it the same layout as real folders.
    (tmp_path / "liaison").mkdir()
    for top in ("platform", "tenants", "graphql", "search"):
        (tmp_path / "liaison" / top).symlink_to(ROOT / top)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _tracked_text_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in out.splitlines():
        if name.endswith((".py", ".md", ".toml", ".yaml", ".yml", ".html", ".txt", ".cfg")) or name.startswith(".ci/"):
            path = ROOT / name
            if path.is_file():
                yield name, path.read_text(encoding="utf-8", errors="replace")


def test_the_design_the_code_cites_lives_in_the_repository():
    """docs/ARCHITECTURE.md is the design; nothing points at files outside the checkout."""
    assert (ROOT / "docs" / "ARCHITECTURE.md").is_file()
    outside = []
    for name, text in _tracked_text_files():
        if name == "tests/test_architecture.py":
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if "shared/design" in line or "../shared" in line:
                outside.append(f"{name}:{lineno}: {line.strip()}")
            # a bare ARCHITECTURE.md / PRODUCT.md means a file that is not in this repo
            for m in re.finditer(r"(?<![\w/])(ARCHITECTURE|PRODUCT)\.md", line):
                outside.append(f"{name}:{lineno}: {line.strip()}")
    assert not outside, "references to design files outside the repository:\n" + "\n".join(outside)
