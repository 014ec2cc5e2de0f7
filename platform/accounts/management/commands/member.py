"""`liaison member add|list|remove`: who holds which role where (成员资格).

    liaison member add --user zhang --prefecture kunming --role station_staff [--positions S-1,S-2]
    liaison member add --user li --prefecture kunming --role deputy --deputy 530100-0012
    liaison member add --user wang --role province_monitor
    liaison member list [--prefecture kunming] [--user zhang] [--json]
    liaison member remove --user zhang --prefecture kunming --role station_staff

`add` on an existing grant updates its positions / deputy. Rules and errors come from
liaison.platform.accounts.memberships (field-named; nothing is written when one fails).
"""
from __future__ import annotations

import json as json_module

from django.core.management.base import BaseCommand, CommandError

from liaison.platform.accounts import memberships
from liaison.platform.accounts.models import Role
from liaison.tenants.common.errors import ServiceError


class Command(BaseCommand):
    help = "Add, list and remove memberships (roles of users in a prefecture or the province)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="grant a role (or update its positions / deputy)")
        add.add_argument("--user", required=True, help="user name")
        add.add_argument("--prefecture", default=None, help="prefecture slug (not for province roles)")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--positions", default="", help="station staff: position codes, comma-separated (none = every position)")
        add.add_argument("--deputy", default=None, help="deputies: the deputy's roll number (代表证号) in that prefecture")
        lst = sub.add_parser("list", help="list memberships")
        lst.add_argument("--prefecture", default=None)
        lst.add_argument("--user", default=None)
        lst.add_argument("--json", action="store_true")
        remove = sub.add_parser("remove", help="take a role away")
        remove.add_argument("--user", required=True)
        remove.add_argument("--prefecture", default=None)
        remove.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args, action, **opts):
        try:
            getattr(self, f"_{action}")(**opts)
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from exc

    def _add(self, user, prefecture, role, positions, deputy, **_):
        codes = [c.strip() for c in positions.replace("，", ",").split(",") if c.strip()]
        membership, created = memberships.save_membership(username=user, role=role, prefecture=prefecture, positions=codes,
                                                          deputy=deputy)
        d = memberships.describe(membership)
        self.stdout.write(("Added " if created else "Updated ") + self._line(d))

    def _list(self, prefecture, user, json, **_):  # noqa: A002 - option name
        rows = [memberships.describe(m) for m in memberships.list_memberships(prefecture=prefecture, username=user)]
        if json:
            self.stdout.write(json_module.dumps(rows, ensure_ascii=False, indent=2))
            return
        for d in rows:
            self.stdout.write(self._line(d))
        if not rows:
            self.stdout.write("(no memberships)")

    def _remove(self, user, prefecture, role, **_):
        memberships.remove_membership(username=user, role=role, prefecture=prefecture)
        self.stdout.write(f"Removed {user} · {role} · {prefecture or 'province'}")

    @staticmethod
    def _line(d: dict) -> str:
        extra = ""
        if d["positions"]:
            extra = f" · positions={','.join(d['positions'])}"
        elif d["role"] == Role.STATION_STAFF:
            extra = " · positions=all"
        if d["deputy"]:
            extra += f" · deputy={d['deputy']}"
        return f"{d['user']} · {d['role']} ({d['role_label']}) · {d['prefecture'] or 'province'}{extra}"


