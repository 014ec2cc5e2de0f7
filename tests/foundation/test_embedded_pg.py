"""The embedded PostgreSQL: started on demand, reused, and a clear error when it cannot start."""
from __future__ import annotations

import os
import subprocess
import sys

CODE = (
    "from liaison.platform.embedded_pg import ensure_running, EmbeddedPostgresError\n"
    "try:\n    s = ensure_running(); print('socket', s.socket_dir)\n"
    "except EmbeddedPostgresError as e:\n    print('ERROR', e)\n"
)


def run_in(data_dir) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XDG_RUNTIME_DIR"}}
    env["LIAISON_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=180).stdout


def test_starts_in_the_data_folder_and_is_reused(tmp_path):
    first = run_in(tmp_path)
    assert first.startswith("socket"), first
    assert (tmp_path / "pgdata" / "PG_VERSION").exists()
    # the first process stopped the server on exit; a second run reuses the same data
    second = run_in(tmp_path)
    assert second.startswith("socket"), second
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), "the server must be stopped when its last user exits"


def test_a_broken_data_folder_gives_a_clear_error(tmp_path):
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("9\n")  # looks initialised, is not
    out = run_in(tmp_path)
    assert out.startswith("ERROR"), out
    assert "Could not start the embedded PostgreSQL" in out and "DATABASE_URL" in out
