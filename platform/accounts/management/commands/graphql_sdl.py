"""`liaison graphql_sdl`: print the GraphQL schema (SDL) from the code into
graphql/schema.graphql (committed; tests/graphql/test_gql_schema_file.py fails when the
file and the code differ).

    liaison graphql_sdl            # rewrite graphql/schema.graphql
    liaison graphql_sdl --check    # exit 1 when the file is out of date (CI)
    liaison graphql_sdl --print    # print it
    liaison graphql_sdl --matrix   # print the permission matrix table of docs/API.md
    liaison graphql_sdl --error-codes  # print the error-code reference of docs/API.md
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def schema_sdl() -> str:
    from liaison.graphql.schema import schema

    return str(schema).rstrip() + "\n"


def schema_path() -> Path:
    import liaison.graphql.schema as module

    return Path(module.__file__).resolve().parent / "schema.graphql"


class Command(BaseCommand):
    help = "Print the GraphQL schema to graphql/schema.graphql (or check it is up to date)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail when graphql/schema.graphql is out of date")
        parser.add_argument("--print", dest="print_only", action="store_true", help="print the schema instead of writing the file")
        parser.add_argument("--matrix", action="store_true", help="print the permission matrix (Markdown) for docs/API.md")
        parser.add_argument("--error-codes", dest="error_codes", action="store_true",
                            help="print the error-code reference (Markdown) for docs/API.md")

    def handle(self, *args, check=False, print_only=False, matrix=False, error_codes=False, **opts):
        if error_codes:
            from liaison.graphql.core.errors import error_code_reference

            self.stdout.write(error_code_reference())
            return
        if matrix:
            from liaison.graphql.core.permissions import matrix_markdown

            self.stdout.write(matrix_markdown())
            return
        sdl = schema_sdl()
        path = schema_path()
        if print_only:
            self.stdout.write(sdl, ending="")
            return
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if check:
            if current != sdl:
                raise CommandError(f"{path} is out of date: run `liaison graphql_sdl` and commit it")
            self.stdout.write(f"{path} is up to date")
            return
        if current == sdl:
            self.stdout.write(f"{path} unchanged")
            return
        path.write_text(sdl, encoding="utf-8")
        self.stdout.write(f"wrote {path} ({len(sdl.splitlines())} lines)")
