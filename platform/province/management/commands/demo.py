"""`liaison demo`: seed the Yunnan demo (idempotent: existing prefectures are kept).

Refused in production mode (DEBUG=false) unless `--force-demo-in-production`; the demo
accounts then get generated passwords, printed once (docs/OPERATIONS.md)."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.tenants.registry.demo import DEMO_PASSWORD, DemoRefused, production_mode, seed_demo


class Command(BaseCommand):
    help = "Seed Yunnan's 16 prefectures with counties, generated townships and villages, demo users and sample content."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--only", nargs="*", help="slugs to seed (default: all 16)")
        parser.add_argument("--no-content", action="store_true")
        parser.add_argument("--force-demo-in-production", action="store_true",
                            help="seed even with DEBUG=false (a trial installation); accounts get generated passwords, printed once")

    def handle(self, *args, seed, only, no_content, force_demo_in_production, **opts):
        passwords: dict[str, str] = {}
        try:
            self.stdout.write("Seeding the Yunnan demo…")
            made = seed_demo(seed=seed, only=only, content=not no_content, echo=self.stdout.write,
                             force_in_production=force_demo_in_production, passwords=passwords)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if production_mode():
            self.stdout.write(self.style.WARNING(_("生产模式：演示账号使用随机密码，只显示这一次，请立即保存：")))
            for username, password in sorted(passwords.items()):
                self.stdout.write(f"  {username}\t{password}")
            if not passwords:
                self.stdout.write(_("  （没有新建账号，已有账号的密码未改变）"))
            self.stdout.write(self.style.SUCCESS(f"{len(made)} prefectures ready."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"{len(made)} prefectures ready. Users: 'province' (province monitor) and '<slug>-admin', password '{DEMO_PASSWORD}'."))
