"""`liaison prefecture create|list|delete|origins`."""
from __future__ import annotations



from django.core.management.base import BaseCommand, CommandError

from liaison.tenants.registry import yunnan
from liaison.tenants.registry.models import Prefecture
from liaison.tenants.registry.provisioning import ProvisioningError, create_prefecture, delete_prefecture


class Command(BaseCommand):
    help = "Create, list or delete prefectures (tenants)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Provision a prefecture: registry row, schema, tables, domain, first admin.")
        create.add_argument("--code", help="GB/T 2260 six-digit code (defaults from yunnan.json for a known slug)")
        create.add_argument("--slug", required=True, help="schema and host name, e.g. kunming")
        create.add_argument("--name", help="Chinese name, e.g. 昆明市")
        create.add_argument("--name-en", dest="name_en", help="English name")
        create.add_argument("--kind", choices=Prefecture.Kind.values)
        create.add_argument("--admin", dest="admin_username", help="username of the first prefecture administrator")
        create.add_argument("--admin-password", dest="admin_password")
        create.add_argument("--admin-email", dest="admin_email", default="")
        lst = sub.add_parser("list", help="List prefectures with their hosts.")
        lst.add_argument("--json", action="store_true")
        delete = sub.add_parser("delete", help="Drop a prefecture's schema and data (needs --confirm SLUG).")
        delete.add_argument("--slug", required=True)
        delete.add_argument("--confirm", help="repeat the slug to confirm")
        origins = sub.add_parser("origins", help="The web origins allowed to call a host's /graphql/ from a browser (CORS).")
        origins.add_argument("slug", help="the prefecture's slug, or `province` for the province host")
        what = origins.add_mutually_exclusive_group(required=True)
        what.add_argument("--add", metavar="URL", help="allow an origin, e.g. https://portal.example.cn")
        what.add_argument("--remove", metavar="URL", help="stop allowing an origin")
        what.add_argument("--list", action="store_true", help="print the allowed origins")

    def handle(self, *args, action, **opts):
        try:
            return getattr(self, f"do_{action}")(**opts)
        except ProvisioningError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors), returncode=2) from None

    def do_create(self, *, slug, code, name, name_en, kind, admin_username, admin_password, admin_email, **_):
        seed = yunnan.by_slug(slug)
        report = create_prefecture(
            code=code or (seed.code if seed else ""),
            slug=slug,
            name=name or (seed.name if seed else ""),
            name_en=name_en or (seed.name_en if seed else ""),
            kind=kind or (seed.kind if seed else ""),
            admin_username=admin_username,
            admin_password=admin_password,
            admin_email=admin_email,
            verbosity=0,
        )
        p = report.prefecture
        self.stdout.write(self.style.SUCCESS(f"created {p.name} ({p.code}) schema={p.schema_name} host={report.domain} in {report.seconds:.2f}s"))
        if report.admin_username:
            self.stdout.write(f"administrator: {report.admin_username}")

    def do_list(self, *, json: bool = False, **_):
        rows = [
            {"code": p.code, "slug": p.slug, "name": p.name, "name_en": p.name_en, "kind": p.kind,
             "hosts": [d.domain for d in p.domains.all()]}
            for p in Prefecture.objects.prefetch_related("domains").order_by("code")
        ]
        if json:
            import json as _json

            self.stdout.write(_json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            self.stdout.write(f"{r['code']}  {r['slug']:<14} {r['name']:<12} {', '.join(r['hosts'])}")
        self.stdout.write(f"{len(rows)} prefectures")

    def do_origins(self, *, slug, add=None, remove=None, list=False, **_):  # noqa: A002 - the option's name
        from liaison.platform.apiaccess import origins
        from liaison.tenants.common.errors import ServiceError

        try:
            prefecture = origins.prefecture_for(slug)
            if add:
                row = origins.add_origin(prefecture, add)
                self.stdout.write(self.style.SUCCESS(f"added {row.origin} to {slug}"))
            elif remove:
                origins.remove_origin(prefecture, remove)
                self.stdout.write(self.style.SUCCESS(f"removed {origins.normalise_origin(remove)} from {slug}"))
            else:
                for origin in origins.list_origins(prefecture):
                    self.stdout.write(origin)
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors), returncode=2) from None

    def do_delete(self, *, slug, confirm, **_):
        delete_prefecture(slug, confirm=confirm == slug)
        self.stdout.write(self.style.SUCCESS(f"deleted prefecture {slug} and its schema"))
