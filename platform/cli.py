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
    execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
