"""`liaison serve`: migrate, seed the Yunnan demo when the database is empty, run the
server, and — with eager Celery (no broker) — run the beat schedule in this process."""
from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liaison.platform import inprocess_beat
from liaison.platform.celery import announce_mode
from liaison.tenants.registry.demo import production_mode
from liaison.tenants.registry.models import Prefecture


class Command(BaseCommand):
    help = ("Run the development server on http://127.0.0.1:8000 (province at localhost, prefectures at "
            "<slug>.localhost); without a broker it also runs the beat schedule in this process.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", help="address:port (same as --addr)")
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="do not seed the Yunnan demo into an empty database")
        parser.add_argument("--noreload", action="store_true")
        parser.add_argument("--no-beat", action="store_true",
                            help="do not run the beat schedule (reminders, escalations, unrated closing, statistics "
                                 "refresh) in this process")
        parser.add_argument("--force-demo-in-production", action="store_true",
                            help="with DEBUG=false, still seed the demo into an empty database (generated passwords, printed once)")

    def handle(self, *args, addrport=None, addr, no_demo, noreload, no_beat, force_demo_in_production=False, **opts):
        addr = addrport or addr
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        if not no_demo and not Prefecture.objects.exists():
            if production_mode() and not force_demo_in_production:
                # Never demo accounts in production unless asked for (docs/OPERATIONS.md).
                self.stdout.write(self.style.WARNING(_("生产模式（DEBUG=false）：不创建演示数据；确需创建请加 --force-demo-in-production。")))
            else:
                call_command("demo", force_demo_in_production=force_demo_in_production)
        announce_mode()  # logged: says whether Celery is eager or uses a broker
        host, port = addr.rsplit(":", 1)
        self.stdout.write(
            f"Province:    http://localhost:{port}/graphql/  (dashboard: http://localhost:{port}/dashboard/)\n"
            f"Prefectures: http://<slug>.localhost:{port}/graphql/  e.g. http://kunming.localhost:{port}/graphql/\n"
            f"Citizens:    http://kunming.localhost:{port}/p/<position code>/ and /t/ (tracking)\n"
            f"Admin:       http://kunming.localhost:{port}/admin/  (demo users: see README)"
        )
        # With the autoreloader this command runs twice: in the watching parent and in the
        # child that serves (RUN_MAIN=true); the beat belongs to the one that serves.
        serving = noreload or os.environ.get("RUN_MAIN") == "true"
        if serving:
            self.stdout.write(self.beat_message(start=not no_beat))
        call_command("runserver", addr, use_reloader=not noreload)

    def beat_message(self, *, start: bool) -> str:
        schedule = settings.CELERY_BEAT_SCHEDULE
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            return "Beat:        tasks go to the broker; run `celery -A liaison.platform.celery beat` beside the workers"
        if not start:
            return "Beat:        off (--no-beat): reminders, escalations and statistics refresh do not run"
        inprocess_beat.InProcessBeat(schedule).start()
        return (f"Beat:        the beat schedule runs in this process ({len(schedule)} entries, at their times): "
                f"{inprocess_beat.describe(schedule)}")
