"""`liaison search reindex [--prefecture SLUG …]`, `liaison search flush`, `liaison search status`.

reindex: rebuild the documents of every (or the named) prefecture from its opinions.
Elasticsearch: into a new index, then one atomic alias swap (no downtime). PostgreSQL:
in place, in one transaction per prefecture (readers see the old rows until commit).
flush: send again every change still pending (what beat does every few minutes).
status: backend, documents and pending changes per prefecture.
"""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from liaison.search.backends import get_backend
from liaison.search.indexing import reindex_schema
from liaison.tenants.registry.models import Prefecture


class Command(BaseCommand):
    help = "Search index maintenance: reindex [--prefecture SLUG], flush, status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser("reindex", help="Rebuild the search documents (no downtime).")
        reindex.add_argument("--prefecture", action="append", dest="prefectures", metavar="SLUG",
                             help="only this prefecture (repeatable); default: all")
        sub.add_parser("flush", help="Re-send pending index changes now.")
        sub.add_parser("status", help="Documents and pending changes per prefecture.")

    def handle(self, *args, action, **opts):
        return getattr(self, f"do_{action}")(**opts)

    def _prefectures(self, slugs):
        qs = Prefecture.objects.order_by("code")
        if slugs:
            known = set(qs.filter(slug__in=slugs).values_list("slug", flat=True))
            missing = [s for s in slugs if s not in known]
            if missing:
                raise CommandError(f"prefecture: no prefecture named {', '.join(missing)}")
            qs = qs.filter(slug__in=slugs)
        return list(qs)

    def do_reindex(self, prefectures=None, **opts):
        backend = get_backend()
        self.stdout.write(f"Reindexing into {backend.name}…")
        total = 0
        for pref in self._prefectures(prefectures):
            started = time.perf_counter()
            n = reindex_schema(pref.schema_name)
            total += n
            self.stdout.write(f"  {pref.name:<14} {pref.slug:<12} {n:>8} documents  {time.perf_counter() - started:6.1f}s")
        if hasattr(backend, "vacuum") and backend.vacuum():
            self.stdout.write("  store vacuumed")
        self.stdout.write(self.style.SUCCESS(f"{total} documents indexed."))

    def do_flush(self, **opts):
        from liaison.search.tasks import flush_pending

        n = flush_pending(older_than_seconds=0)
        self.stdout.write(self.style.SUCCESS(f"{n} pending change(s) sent for indexing."))

    def do_status(self, **opts):
        from django.db.models import Count

        from liaison.search.store.models import PendingIndex

        backend = get_backend()
        pending = dict(PendingIndex.objects.values("schema_name").annotate(n=Count("id")).values_list("schema_name", "n"))
        self.stdout.write(f"backend: {backend.name}")
        for pref in self._prefectures(None):
            self.stdout.write(f"  {pref.name:<14} {pref.slug:<12} {backend.count(pref.schema_name):>8} documents  "
                              f"{pending.get(pref.schema_name, 0):>5} pending")
