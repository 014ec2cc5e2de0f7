#!/usr/bin/env python
"""Province statistics served cold: the rows materialised at refresh time against the
cached answer and against aggregating the facts at read time, all in the same run.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_perf
    liaison generate --scale 0.1 --seed 2019 --jobs 2      # or any refreshed database
    .venv/bin/python benchmarks/bench_province_stats.py --runs 40

Goals (issue 17): cold `province_statistics()` p95 <= 3x the cached p95; GraphQL
`provinceStatistics` cold p95 <= 3x `{ __typename }` p95 through the same in-process client
and key. Every side is measured interleaved, call by call, so all see the same load.
Exits 1 when a goal is missed by more than half again (ratio > 4.5).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import header, percentile, setup_django  # noqa: E402

GOAL = 3.0
FAIL_AT = GOAL * 1.5

QUERY = ('{"query": "{ provinceStatistics { asOf totals { figures { positionsTotal opinions onTimeRate citizenSatisfaction } } '
         'prefectures { slug figures { positionsTotal opinions onTimeRate citizenSatisfaction } } '
         'trend { month figures { opinions onTimeRate } } } }"}')
TYPENAME = '{"query": "{ __typename }"}'


def load() -> str:
    return open("/proc/loadavg").read().split()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    import logging

    logging.disable(logging.INFO)  # no request log line per call
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from liaison.platform.accounts import api_keys
    from liaison.platform.accounts.models import ApiKey
    from liaison.platform.rollups import selectors, summary
    from liaison.platform.rollups.models import Fact, Summary
    from liaison.tenants.registry.models import Prefecture
    from liaison.tenants.stats import services

    header("province statistics: materialised rows vs cached vs aggregating the facts")
    connection.set_schema_to_public()
    prefectures = Prefecture.objects.count()
    if not Summary.objects.filter(prefecture__isnull=True).exists() or selectors.province_statistics().as_of is None:
        print("   no materialised rows yet: running `stats refresh` for every prefecture first")
        services.refresh()
    print(f"   {prefectures} prefectures, {Fact.objects.count():,} fact rows, {Summary.objects.count():,} summary rows")

    def cold():
        selectors.province_statistics()

    def aggregated():
        with mock.patch.object(summary, "read_province", return_value=None):
            selectors.province_statistics()

    def cached():
        selectors.province_statistics()

    key = api_keys.create_key(name="province stats benchmark", province=True)
    client = Client(HTTP_HOST="localhost")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key.secret}"}

    def post(body):
        resp = client.post("/graphql/", body, content_type="application/json", **auth)
        assert resp.status_code == 200 and b'"errors"' not in resp.content, resp.content[:300]

    def gql_cold():
        post(QUERY)

    def typename():
        post(TYPENAME)

    sides = {"cold": cold, "cached": cached, "aggregated": aggregated, "gql_cold": gql_cold, "typename": typename}
    before = {"cold": cache.clear, "aggregated": cache.clear, "gql_cold": cache.clear,  # untimed: empty or fill the cache
              "cached": selectors.province_statistics, "typename": lambda: None}
    times: dict[str, list[float]] = {k: [] for k in sides}
    load_start = load()
    try:
        for fn in sides.values():  # warm-up: imports, connections, the schema
            fn()
        cached()
        for _ in range(args.runs):
            for name, fn in sides.items():
                before[name]()
                started = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - started) * 1000)
    finally:
        ApiKey.objects.filter(pk=key.key.pk).delete()
    load_end = load()

    def p(name, q):
        return percentile(times[name], q)

    print(f"   load average {load_start} at start, {load_end} at end; {args.runs} interleaved runs per side")
    for name, label in (("cold", "province_statistics(), cache cleared (materialised rows)"),
                        ("cached", "province_statistics(), cached"),
                        ("aggregated", "province_statistics(), cache cleared, aggregating the facts (before)"),
                        ("gql_cold", "GraphQL provinceStatistics, cache cleared"),
                        ("typename", "GraphQL { __typename }, same client and key")):
        print(f"   {label:<72} p50 {p(name, 50):8.2f} ms   p95 {p(name, 95):8.2f} ms")
    selector_ratio = p("cold", 95) / p("cached", 95)
    gql_ratio = p("gql_cold", 95) / p("typename", 95)
    print(f"   cold / cached p95: {selector_ratio:.2f}x (goal <= {GOAL:g}x)")
    print(f"   GraphQL cold / {{ __typename }} p95: {gql_ratio:.2f}x (goal <= {GOAL:g}x)")
    print(f"   aggregating / materialised, cold p95: {p('aggregated', 95) / p('cold', 95):.1f}x faster now")
    failed = [name for name, r in (("selector", selector_ratio), ("graphql", gql_ratio)) if r > FAIL_AT]
    if failed:
        print(f"   MISSED by a wide margin (> {FAIL_AT:g}x): {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
