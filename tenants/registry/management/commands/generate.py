"""`liaison generate --scale S --seed N [--prefecture SLUG …] [--replace]`."""
from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context, schema_exists

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.generator.api import generate
from liaison.tenants.generator.shape import province_targets, summary


class Command(BaseCommand):
    help = ("Generate deterministic synthetic data at Yunnan's shape (S=1.0: 16 prefectures, 129 counties, "
            "14,556 positions, ~100,000 deputies, 590,500 opinions since 2019), loaded with COPY.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="1.0 = Yunnan's published totals (default 0.01)")
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--prefecture", dest="prefectures", nargs="+", metavar="SLUG", help="only these prefectures (default: all 16)")
        parser.add_argument("--replace", action="store_true", help="empty prefectures that already hold data and regenerate them")
        parser.add_argument("--as-of", dest="as_of", type=date.fromisoformat, help="the 'today' of the data, YYYY-MM-DD (default: today)")
        parser.add_argument("--no-derive", action="store_true", help="skip the search reindex and statistics refresh afterwards")
        parser.add_argument("--dry-run", action="store_true", help="print the targets and exit")
        parser.add_argument("--jobs", type=int, default=1, help="prefectures generated at once, in worker processes (default 1)")

    def handle(self, *args, scale, seed, prefectures, replace, as_of, no_derive, dry_run, jobs, **opts):
        targets = province_targets(scale, seed)
        chosen = {s: t for s, t in targets.items() if not prefectures or s in prefectures}
        totals = summary(chosen)
        self.stdout.write(f"liaison generate: scale={scale} seed={seed} prefectures={len(chosen)} — targets: "
                          + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
        if dry_run:
            return
        self._check_migrated(list(chosen))
        try:
            report = generate(scale=scale, seed=seed, prefectures=prefectures, replace=replace, as_of=as_of,
                              derive=not no_derive, jobs=max(1, jobs), echo=self.stdout.write)
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors), returncode=2) from None
        rows, seconds = report.rows, report.wall_seconds
        if all(p.status == "unchanged" for p in report.prefectures):
            self.stdout.write(self.style.SUCCESS("nothing to do: every prefecture already holds exactly these data"))
            return
        self.stdout.write(self.style.SUCCESS(
            f"done: {rows:,} rows generated and loaded in {seconds:.1f}s ({rows / seconds if seconds else 0:,.0f} rows/s"
            + (f", {jobs} jobs" if jobs > 1 else "") + ")"
            + (f", {len(report.provisioned)} prefectures provisioned in {report.provisioning_seconds:.1f}s" if report.provisioned else "")
            + (f"; derived: {'; '.join(report.derived)}" if report.derived else "")))
        for p in report.prefectures:
            for s in p.skipped:
                self.stdout.write(self.style.WARNING(f"  {p.slug}: skipped {s}"))

    def _check_migrated(self, slugs):
        from liaison.tenants.registry.provisioning import tenant_app_labels

        for slug in slugs:
            if not schema_exists(slug):
                continue
            with schema_context(slug):
                executor = MigrationExecutor(connection)
                targets = [k for k in executor.loader.graph.leaf_nodes() if k[0] in tenant_app_labels()]
                if executor.migration_plan(targets):
                    raise CommandError(f"prefecture {slug} has unapplied migrations: run `liaison migrate_schemas` first", returncode=2)
        connection.set_schema_to_public()
