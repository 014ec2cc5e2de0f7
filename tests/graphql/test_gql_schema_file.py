"""graphql/schema.graphql is printed from the code and committed; it must match."""
from __future__ import annotations

import difflib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liaison.platform.accounts.management.commands.graphql_sdl import schema_path, schema_sdl


def test_committed_schema_file_matches_the_code():
    path = schema_path()
    assert path.exists(), "graphql/schema.graphql is missing: run `liaison graphql_sdl` and commit it"
    committed = path.read_text(encoding="utf-8")
    printed = schema_sdl()
    if committed != printed:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), printed.splitlines(True), "graphql/schema.graphql",
                                            "schema from the code", n=1))
        pytest.fail("graphql/schema.graphql differs from the schema in the code.\n"
                    "Regenerate it with `liaison graphql_sdl` (or `.venv/bin/liaison graphql_sdl`) and commit it.\n"
                    + diff[:4000])


def test_check_mode_reports_an_out_of_date_file(tmp_path, monkeypatch):
    import liaison.platform.accounts.management.commands.graphql_sdl as command

    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: String }\n", encoding="utf-8")
    monkeypatch.setattr(command, "schema_path", lambda: stale)
    with pytest.raises(CommandError, match="out of date"):
        call_command("graphql_sdl", "--check", stdout=io.StringIO())
    call_command("graphql_sdl", stdout=io.StringIO())
    assert stale.read_text(encoding="utf-8") == schema_sdl()
    out = io.StringIO()
    call_command("graphql_sdl", "--check", stdout=out)
    assert "up to date" in out.getvalue()
