"""`liaison serve`: migrate, seed the Yunnan demo when the database is empty, run the server."""
from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from liaison.platform.celery import announce_mode
from liaison.tenants.registry.models import Prefecture


class Command(BaseCommand):
    help = "Run the development server on http://127.0.0.1:8000 (province at localhost, prefectures at <slug>.localhost)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="do not seed the Yunnan demo into an empty database")
        parser.add_argument("--noreload", action="store_true")

    def handle(self, *args, addr, no_demo, noreload, **opts):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        if not no_demo and not Prefecture.objects.exists():
            call_command("demo")
        announce_mode()  # logged: says whether Celery is eager or uses a broker
        host, port = addr.rsplit(":", 1)
        self.stdout.write(
            f"Province:    http://localhost:{port}/graphql/  (dashboard: http://localhost:{port}/dashboard/)\n"
            f"Prefectures: http://<slug>.localhost:{port}/graphql/  e.g. http://kunming.localhost:{port}/graphql/\n"
            f"Admin:       http://kunming.localhost:{port}/admin/  (demo users: see README)"
        )
        call_command("runserver", addr, use_reloader=not noreload)
