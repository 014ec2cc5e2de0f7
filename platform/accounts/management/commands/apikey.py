"""`liaison apikey create|list|revoke`: API keys for third-party front ends.

    liaison apikey create --name "五华区小程序" --prefecture kunming [--prefecture qujing]
                          [--province] [--write] [--personal-data] [--expires-days 365]
    liaison apikey list [--all] [--json]
    liaison apikey revoke lsk_1a2b3c4d
"""
from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liaison.platform.accounts import api_keys
from liaison.platform.accounts.models import ApiKey
from liaison.tenants.common.errors import ServiceError


class Command(BaseCommand):
    help = "Create, list and revoke API keys (管理 API 密钥)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key; the key is printed once")
        create.add_argument("--name", required=True)
        create.add_argument("--prefecture", action="append", default=[], help="prefecture slug (repeatable)")
        create.add_argument("--province", action="store_true", help="read every prefecture and the province host")
        create.add_argument("--write", action="store_true", help="read/write on the named prefectures")
        create.add_argument("--personal-data", action="store_true", help="citizens' names and phones unmasked")
        create.add_argument("--expires-days", type=int, default=None)
        lst = sub.add_parser("list", help="list keys (never the secrets)")
        lst.add_argument("--all", action="store_true", help="include revoked keys")
        lst.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix (lsk_xxxxxxxx)")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **opts):
        try:
            getattr(self, f"_{action}")(**opts)
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from exc

    def _create(self, name, prefecture, province, write, personal_data, expires_days, **_):
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        created = api_keys.create_key(name=name, prefectures=prefecture, province=province, can_write=write,
                                      personal_data=personal_data, expires_at=expires_at)
        d = api_keys.describe(created.key)
        self.stdout.write(f"Created {d['prefix']} · {d['name']} · {d['access']} · prefectures={','.join(d['prefectures']) or '-'}"
                          f" · province={d['province']} · personal_data={d['personal_data']}")
        self.stdout.write("Key (shown once; store it now, it cannot be recovered):")
        self.stdout.write(created.secret)

    def _list(self, all, json, **_):  # noqa: A002 - option names
        keys = ApiKey.objects.prefetch_related("prefectures").order_by("created_at")
        if not all:
            keys = keys.filter(revoked_at__isnull=True)
        rows = [api_keys.describe(k) for k in keys]
        if json:
            self.stdout.write(_json_dumps(rows))
            return
        if not rows:
            self.stdout.write("No API keys.")
        for d in rows:
            state = f"revoked {d['revoked_at']}" if d["revoked_at"] else "active"
            self.stdout.write(f"{d['prefix']}  {d['name']}  {d['access']}  prefectures={','.join(d['prefectures']) or '-'}"
                              f"  province={d['province']}  personal_data={d['personal_data']}"
                              f"  last_used={d['last_used_at'] or 'never'}  {state}")

    def _revoke(self, prefix, **_):
        key = api_keys.revoke_key(prefix)
        self.stdout.write(f"Revoked lsk_{key.prefix} ({key.name}) at {key.revoked_at.isoformat(timespec='seconds')}")


def _json_dumps(rows):
    return json.dumps(rows, ensure_ascii=False, indent=2)
