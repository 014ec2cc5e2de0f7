"""The import directions stated in pyproject.toml ([tool.importlinter]) hold."""
from __future__ import annotations

import os
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
