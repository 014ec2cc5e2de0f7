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
        verify = sub.add_parser("verify", help="Compare the roll-ups with the domain apps' own selectors, tenant by tenant "
                                                "(slow: the ORM loop the roll-ups replace); exits 1 on any difference.")
        verify.add_argument("--prefecture", action="append", default=[], metavar="SLUG")

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
        if action == "verify":
            return self.verify(slugs)
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
        from liaison.tenants.stats.services import refresh

        def each(p, snap):
            self.stdout.write(f"{p.schema_name:<14} {snap.rows:>7} rows  {snap.computed_seconds:.2f}s  as of {snap.as_of:%Y-%m-%d %H:%M:%S}")

        refresh(slugs or None, each=each)

    def verify(self, slugs: list[str]) -> None:
        """Recompute each prefecture in memory as of the end of today (so rows dated later
        today count, as the selectors count them) and compare every figure with the domain
        apps' own selectors; then check the stored province totals are the prefectures' sums."""
        import datetime as dt

        from django_tenants.utils import schema_context
        from django.utils import timezone

        from liaison.platform.rollups import selectors
        from liaison.tenants.registry.models import Prefecture
        from liaison.tenants.stats import compute, reference
        from liaison.tenants.stats.catalogue import FIGURES, Raw, compute_figures

        end_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.max))
        qs = Prefecture.objects.order_by("code")
        if slugs:
            qs = qs.filter(schema_name__in=slugs)
        differences = 0
        for p in qs:
            with schema_context(p.schema_name):
                facts = compute.compute(as_of=end_of_today)
            raw = Raw()
            for area, _month, metric, dimension, value in facts.rows:
                if area == "":
                    raw.add(metric, dimension, value)
            got = compute_figures(raw)
            expected = compute_figures(reference.prefecture_raw(p.schema_name))
            bad = [f.key for f in FIGURES if got[f.key] != expected[f.key]]
            differences += len(bad)
            self.stdout.write(f"{p.schema_name:<14} " + ("ok: every figure equals the selectors'" if not bad else "DIFFERENT: " + ", ".join(
                f"{k} computed {got[k]} vs selectors {expected[k]}" for k in bad)))
        province = selectors.province_statistics()
        for f in FIGURES:
            if f.kind == "count" and province.totals.figures[f.key] != sum(r.figures[f.key] or 0 for r in province.rows):
                differences += 1
                self.stdout.write(f"province total of {f.key} is not the sum of the prefectures")
        if differences:
            raise CommandError(f"{differences} difference(s)")
        self.stdout.write("statistics agree with the tenant tables; province totals are the sums of the prefectures")
