#!/usr/bin/env python
"""Province statistics: refresh time and served latency, against recomputing the figures
live by looping over the prefectures with the domain apps' ORM selectors.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_stats_bench
    .venv/bin/python benchmarks/stats_bench.py --prepare --scale 0.1   # migrate, demo, liaison generate
    .venv/bin/python benchmarks/stats_bench.py --write-docs             # measure, update docs/BENCHMARKS.md

Use a database of its own: --prepare replaces generated data in every prefecture.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Province statistics"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def ms(values: list[float]) -> str:
    return f"{percentile(values, 0.5):,.1f} ms / {percentile(values, 0.95):,.1f} ms"


def prepare(scale: float, seed: int) -> None:
    from django.core.management import call_command

    from liaison.tenants.registry.models import Prefecture

    call_command("migrate_schemas", verbosity=0)
    if Prefecture.objects.count() < 16:
        call_command("demo", "--no-content")
    call_command("generate", "--scale", str(scale), "--seed", str(seed), "--replace", "--no-derive")


def data_size() -> dict[str, int]:
    from django_tenants.utils import schema_context

    from liaison.tenants.activities.models import Event, SignIn
    from liaison.tenants.deputies.models import Deputy
    from liaison.tenants.opinions.models import Opinion, Reply
    from liaison.tenants.positions.models import Position
    from liaison.tenants.registry.models import Prefecture

    totals = {"prefectures": 0, "positions": 0, "deputies": 0, "events": 0, "sign-ins": 0, "opinions": 0, "replies": 0}
    for p in Prefecture.objects.all():
        totals["prefectures"] += 1
        with schema_context(p.schema_name):
            for key, model in (("positions", Position), ("deputies", Deputy), ("events", Event), ("sign-ins", SignIn),
                               ("opinions", Opinion), ("replies", Reply)):
                totals[key] += model.objects.count()
    return totals


def run(args) -> str:
    from django.db import connection
    from django.test import Client

    from liaison.platform.accounts import api_keys
    from liaison.platform.accounts.models import ApiKey
    from liaison.platform.rollups import selectors
    from liaison.platform.rollups.models import Fact
    from liaison.tenants.registry.models import Prefecture
    from liaison.tenants.stats import reference, services
    from liaison.tenants.stats.catalogue import compute_figures

    size = data_size()
    prefectures = list(Prefecture.objects.order_by("code"))
    schemas = [p.schema_name for p in prefectures]

    # 1. Refresh: each prefecture computed in its schema and swapped into public.
    per_prefecture = {}
    started = time.perf_counter()
    for p in prefectures:
        t = time.perf_counter()
        services.refresh_prefecture(p)
        per_prefecture[p.schema_name] = time.perf_counter() - t
    refresh_total = time.perf_counter() - started
    biggest = max(per_prefecture, key=per_prefecture.get)
    facts = Fact.objects.count()
    connection.set_schema_to_public()

    # 2. Served: the selectors (what API, dashboard and exports call) and the HTTP paths.
    from django.core.cache import cache

    def cold(fn):
        def run_cold():
            cache.clear()
            fn()
        return run_cold

    kunming = Prefecture.objects.get(schema_name="kunming")
    province_cold = timed(cold(lambda: selectors.province_statistics()), args.runs)
    province = timed(lambda: selectors.province_statistics(), args.runs)
    prefecture_cold = timed(cold(lambda: selectors.prefecture_statistics(kunming)), args.runs)
    prefecture = timed(lambda: selectors.prefecture_statistics(kunming), args.runs)
    key = api_keys.create_key(name="stats benchmark", province=True)
    try:
        client = Client(HTTP_HOST="localhost")
        query = ('{"query": "{ provinceStatistics { asOf totals { figures { positionsTotal opinions onTimeRate } } '
                 'prefectures { slug figures { positionsTotal opinions onTimeRate citizenSatisfaction } } trend { month figures { opinions } } } }"}')

        def graphql():
            resp = client.post("/graphql/", query, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key.secret}")
            assert resp.status_code == 200 and b'"errors"' not in resp.content, resp.content[:300]

        gql_cold = timed(cold(graphql), args.runs)
        gql = timed(graphql, args.runs)
        from liaison.platform.accounts.models import User

        user, _ = User.objects.get_or_create(username="province")
        client.force_login(user)
        page = timed(lambda: client.get("/dashboard/"), max(5, args.runs // 3))
        xlsx = timed(lambda: client.get("/dashboard/export.xlsx"), 3)
    finally:
        ApiKey.objects.filter(pk=key.key.pk).delete()

    # 3. Baseline: compute the province figures live, tenant by tenant, with the ORM selectors.
    baseline = timed(lambda: compute_figures(reference.province_raw(schemas)), args.baseline_runs)
    connection.set_schema_to_public()

    size_text = ", ".join(f"{v:,} {k}" for k, v in size.items())
    lines = [
        f"Scale S = {args.scale} (1.0 = Yunnan's published totals). "
        f"`DATABASE_URL=…/liaison_stats_bench .venv/bin/python benchmarks/stats_bench.py --prepare --scale {args.scale}` "
        f"then `… --write-docs`; PostgreSQL 15 server at 127.0.0.1, 2 cores shared with other sessions' test runs "
        f"(absolute times are pessimistic). Data: `liaison generate --scale {args.scale}` — {size_text}.",
        "",
        "| what | figure |",
        "|---|---|",
        f"| refresh, all {len(prefectures)} prefectures one after another (one process) | {refresh_total:,.1f} s |",
        f"| refresh, largest prefecture ({biggest}) — the wall time with one Celery worker per prefecture | {per_prefecture[biggest]:,.2f} s |",
        f"| refresh, median prefecture | {statistics.median(per_prefecture.values()):,.2f} s |",
        f"| roll-up rows in public after refresh | {facts:,} |",
        f"| served: `province_statistics()` selector, cache cleared before each call, p50 / p95 ({args.runs} runs) | {ms(province_cold)} |",
        f"| served: `province_statistics()` selector, cached (same as-of), p50 / p95 | {ms(province)} |",
        f"| served: `prefecture_statistics(kunming)` with counties, cold / cached p50 | "
        f"{percentile(prefecture_cold, 0.5):,.1f} ms / {percentile(prefecture, 0.5):,.1f} ms |",
        f"| served: GraphQL `provinceStatistics` over HTTP (province API key), cold p50 / p95 | {ms(gql_cold)} |",
        f"| served: GraphQL `provinceStatistics` over HTTP, cached p50 / p95 | {ms(gql)} |",
        f"| served: `/dashboard/` page (province), p50 / p95 | {ms(page)} |",
        f"| served: `/dashboard/export.xlsx` (province), p50 | {percentile(xlsx, 0.5):,.1f} ms |",
        f"| baseline: province figures recomputed live, looping over tenants with the ORM selectors "
        f"(`tenants/stats/reference.py`), p50 of {args.baseline_runs} run(s) | {percentile(baseline, 0.5) / 1000:,.1f} s |",
        f"| speed-up of serving from roll-ups (cold) over the live ORM loop (p50) | "
        f"{percentile(baseline, 0.5) / percentile(province_cold, 0.5):,.0f}× |",
    ]
    return "\n".join(lines) + "\n"


def write_docs(text: str) -> None:
    path = ROOT / "docs" / "BENCHMARKS.md"
    doc = path.read_text(encoding="utf-8")
    start = doc.index(SECTION) + len(SECTION)
    nxt = doc.find("\n## ", start)
    end = nxt if nxt != -1 else len(doc)
    path.write_text(doc[:start] + "\n\n" + text + doc[end:], encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prepare", action="store_true", help="migrate, seed the 16 prefectures and generate data first")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true", help="replace the section in docs/BENCHMARKS.md")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("set DATABASE_URL to a database of its own (e.g. …/liaison_stats_bench)", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")
    import django

    django.setup()
    if args.prepare:
        prepare(args.scale, args.seed)
    text = run(args)
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
