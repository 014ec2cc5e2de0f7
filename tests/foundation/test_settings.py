"""Configuration from the environment: production refuses insecure defaults."""
from __future__ import annotations

import os
import subprocess
import sys

SETUP = "import django; django.setup(); print('started')"


def run_with(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "LIAISON_BASE_HOST"}}
    base["DJANGO_SETTINGS_MODULE"] = "liaison.platform.settings"
    return subprocess.run([sys.executable, "-c", SETUP], env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_production_mode_refuses_the_development_secret_key_naming_it():
    result = run_with({"DEBUG": "false", "DATABASE_URL": "postgres://x@127.0.0.1:1/x", "LIAISON_BASE_HOST": "rd.example.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY:" in result.stderr


def test_production_mode_refuses_missing_database_url_and_localhost_host():
    result = run_with({"DEBUG": "false", "SECRET_KEY": "x" * 50, "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "DATABASE_URL:" in result.stderr and "LIAISON_BASE_HOST:" in result.stderr


def test_production_mode_starts_with_secure_settings():
    result = run_with({"DEBUG": "false", "SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://x@127.0.0.1:1/x",
                       "LIAISON_BASE_HOST": "rd.example.cn"})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_bad_boolean_names_the_setting():
    result = run_with({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG: expected true/false" in result.stderr
