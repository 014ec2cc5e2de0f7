"""`liaison demo`: seed the Yunnan demo (idempotent: existing prefectures are kept)."""
from django.core.management.base import BaseCommand

from liaison.tenants.registry.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed Yunnan's 16 prefectures with counties, generated townships and villages, demo users and sample content."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--only", nargs="*", help="slugs to seed (default: all 16)")
        parser.add_argument("--no-content", action="store_true")

    def handle(self, *args, seed, only, no_content, **opts):
        self.stdout.write("Seeding the Yunnan demo…")
        made = seed_demo(seed=seed, only=only, content=not no_content, echo=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"{len(made)} prefectures ready. Users: 'province' (province monitor) and '<slug>-admin', password '{DEMO_PASSWORD}'."))
