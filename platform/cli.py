"""The `liaison` command: Django's management commands with our settings preselected.

    liaison prefecture create|list|delete ...
    liaison demo
    liaison serve
"""
from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "liaison"
    command = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else ""
    # Commands that provision prefectures run without the audit context: pghistory prefixes
    # every statement with parameters, and django-tenants' schema clone sends SQL with
    # literal '%' and no parameters, which psycopg then refuses. Provisioning and demo data
    # are not audited (like generated data).
    if command in ("", "help", "serve", "runserver", "demo", "prefecture") or "--help" in argv or "-h" in argv:
        execute_from_command_line(argv)
        return
    # Changes made by a command are recorded in the audit history as "liaison <command>".
    import django

    django.setup()
    from liaison.platform.ops.audit import command_context

    with command_context(command):
        execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
