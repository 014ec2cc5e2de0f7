"""CI's breaking-change check: graphql/schema.graphql against the schema at the last
release tag (docs/API-CHANGES.md): every breaking change must be listed there with its
deprecation period, and a removed field must have been @deprecated in that release."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import BreakingChangeType, build_schema, find_breaking_changes

ROOT = Path(__file__).resolve().parents[2]
CHANGES = ROOT / "docs" / "API-CHANGES.md"


def _git(*args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


# Each release's commit, so the check runs in clones that did not fetch the tags (CI's).
RELEASE_COMMITS = {"v0.1.0": "c17a3bcd798b3295a26177d5d1f8d891cca7fdf2"}


def released_schema() -> tuple[str, str]:
    tag = (_git("describe", "--tags", "--abbrev=0", "--match", "v*", "HEAD") or "").strip()
    if not tag:
        last = max(RELEASE_COMMITS, key=lambda name: tuple(int(p) for p in name[1:].split(".")))
        if _git("cat-file", "-e", f"{RELEASE_COMMITS[last]}^{{commit}}") is None:
            pytest.skip("no release tag v* reachable and the last release's commit is not in this clone")
        tag = RELEASE_COMMITS[last]
    sdl = _git("show", f"{tag}:graphql/schema.graphql")
    if sdl is None:
        pytest.skip(f"{tag} has no graphql/schema.graphql")
    return tag, sdl


def listed_changes() -> dict[str, str]:
    """breaking-change description → its deprecation period, from the table in API-CHANGES.md."""
    out = {}
    for line in CHANGES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] and not set(cells[0]) <= {"-"} and not cells[0].startswith("breaking change"):
            out[cells[0].strip("`")] = cells[1]
    return out


def unlisted_breaking_changes(old_sdl: str, new_sdl: str, listed: dict[str, str]) -> list[str]:
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    problems = []
    for change in find_breaking_changes(old, new):
        if change.description not in listed or not listed[change.description]:
            problems.append(f"{change.type.name}: {change.description} — not listed in docs/API-CHANGES.md "
                            f"with its deprecation period")
        if change.type == BreakingChangeType.FIELD_REMOVED:
            match = re.match(r"(\w+)\.(\w+) was removed", change.description)
            if match:
                type_ = old.get_type(match.group(1))
                field = getattr(type_, "fields", {}).get(match.group(2))
                if field is not None and not field.deprecation_reason:
                    problems.append(f"{change.description} — it was not @deprecated in the release: deprecate first")
    return problems


def test_schema_has_no_unlisted_breaking_change_since_the_last_release():
    tag, old_sdl = released_schema()
    new_sdl = (ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8")
    problems = unlisted_breaking_changes(old_sdl, new_sdl, listed_changes())
    assert not problems, f"breaking changes since {tag}:\n" + "\n".join(problems)


OLD = '''type Query { a: String b: String @deprecated(reason: "use a") c: Int }'''


def test_the_check_fails_on_an_unlisted_or_undeprecated_removal():
    removed_plain = unlisted_breaking_changes(OLD, "type Query { b: String c: Int }", {})
    assert any("Query.a was removed" in p and "deprecate first" in p for p in removed_plain)
    listed_but_not_deprecated = unlisted_breaking_changes(OLD, "type Query { b: String c: Int }",
                                                          {"Query.a was removed.": "3 months"})
    assert listed_but_not_deprecated == ["Query.a was removed. — it was not @deprecated in the release: deprecate first"]
    retired = unlisted_breaking_changes(OLD, "type Query { a: String c: Int }", {"Query.b was removed.": "3 months"})
    assert retired == []
    changed = unlisted_breaking_changes(OLD, "type Query { a: String b: String c: String }", {})
    assert any("Query.c changed type from Int to String" in p for p in changed)
