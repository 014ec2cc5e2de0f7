"""`liaison stats refresh [--prefecture SLUG ...] [--queue]` and `liaison stats status`."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Province statistics: refresh the roll-up tables now, or show their state."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="Recompute prefectures' statistics (all by default).")
        refresh.add_argument("--prefecture", action="append", default=[], metavar="SLUG",
                             help="only this prefecture (repeatable)")
        refresh.add_argument("--queue", action="store_true",
                             help="send one Celery task per prefecture instead of computing in this process")
        sub.add_parser("status", help="Show each prefecture's as-of time and whether it is stale.")

    def handle(self, *args, action: str, **options):
        from liaison.tenants.registry.models import Prefecture

        if action == "status":
            for p in Prefecture.objects.order_by("code").select_related("stats_snapshot"):
                snap = getattr(p, "stats_snapshot", None)
                state = "never computed" if snap is None or snap.as_of is None else (
                    f"as of {snap.as_of:%Y-%m-%d %H:%M:%S}, {snap.rows} rows, {snap.computed_seconds:.2f}s" + (", stale" if snap.stale else ""))
                self.stdout.write(f"{p.schema_name:<14} {p.name:<12} {state}")
            return
        slugs = options["prefecture"]
        if slugs:
            missing = sorted(set(slugs) - set(Prefecture.objects.filter(schema_name__in=slugs).values_list("schema_name", flat=True)))
            if missing:
                raise CommandError(f"--prefecture: no prefecture named {', '.join(missing)}")
        if options["queue"]:
            from liaison.platform.tasks import fan_out
            from liaison.tenants.stats.tasks import refresh_prefecture

            n = fan_out(refresh_prefecture, only=slugs or None)
            self.stdout.write(f"queued {n} refresh task(s)")
            return
        from liaison.tenants.stats.services import refresh_prefecture

        for p in Prefecture.objects.order_by("code").filter(**({"schema_name__in": slugs} if slugs else {})):
            snap = refresh_prefecture(p)
            self.stdout.write(f"{p.schema_name:<14} {snap.rows:>7} rows  {snap.computed_seconds:.2f}s  as of {snap.as_of:%Y-%m-%d %H:%M:%S}")
