#!/usr/bin/env python
"""Search (PostgreSQL backend) on the documents `liaison generate` indexed: 1- to 4-character
queries in one prefecture and province-wide, against the same search with every match
read and an exact total (how the backend worked before), and against `icontains`
(ILIKE over title, content and reply), all in the same run, interleaved query by query.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_perf
    liaison generate --scale 0.1 --seed 2019 --jobs 2       # indexes 59,050 opinions
    .venv/bin/python benchmarks/bench_search.py --runs 7

Each search is what `searchOpinions` runs: ranking, 20 hits with highlighted snippets,
total, category/status/prefecture facets. The `icontains` side answers the same
questions (newest 20, total, the three facets) in one statement over the same table.

Goals (issue 17): one prefecture, p95 of 1-character searches <= 2x the p95 of
2-character searches; province-wide, 1 to 4 characters each >= 20x faster (p50) than
icontains. Exits 1 when a goal is missed by a wide margin (one prefecture > 3x;
province-wide < 13x).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import header, percentile, setup_django  # noqa: E402

QUERIES = {
    1: ["路", "水", "村", "学"],
    2: ["道路", "学校", "饮水", "保险"],
    3: ["停车场", "幼儿园", "路灯杆", "卫生室"],
    4: ["道路硬化", "农业保险", "饮水安全", "校舍老旧"],
}


def load() -> str:
    return open("/proc/loadavg").read().split()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs per query and side (after one warm-up)")
    parser.add_argument("--prefecture", help="the one-prefecture scope (default: the one with most documents)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import override_settings

    from liaison.search.backends.postgres import TABLE, PostgresBackend
    from liaison.search.text import parse_query
    from liaison.search.types import FACETS, SearchFilters, SearchRequest
    from liaison.tenants.registry.models import Prefecture

    header("search: bounded evaluation vs every match vs icontains")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT schema_name, count(*) FROM {TABLE} GROUP BY 1 ORDER BY 2 DESC")
        counts = dict(cursor.fetchall())
    if not counts:
        print("no documents indexed: run `liaison generate --scale 0.1` first", file=sys.stderr)
        return 2
    every = sorted(Prefecture.objects.values_list("schema_name", flat=True))
    one = args.prefecture or next(iter(counts))
    print(f"   {sum(counts.values()):,} documents in {len(counts)} prefectures; one-prefecture scope: {one} ({counts[one]:,})")
    backend = PostgresBackend()
    now = dt.datetime.now(dt.timezone.utc)

    def request(q: str, schemas: list[str]) -> SearchRequest:
        return SearchRequest(query=parse_query(q), schemas=tuple(schemas), filters=SearchFilters(), facets=FACETS,
                             sort="relevance", after=None, first=20, now=now, all_prefectures=schemas == every)

    def ours(q, schemas):
        return backend.search(request(q, schemas))

    def every_match(q, schemas):  # before: exact totals, every match read, the per-prefecture filter
        with override_settings(LIAISON_SEARCH_EXACT_TOTAL_UP_TO=0):
            return backend.search(dataclasses.replace(request(q, schemas), all_prefectures=False))

    def icontains(q, schemas):
        like = f"%{q}%"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH m AS MATERIALIZED (
                        SELECT doc_id, schema_name, category_code, status, registered_at FROM {TABLE}
                        WHERE schema_name = ANY(%s) AND (title ILIKE %s OR content ILIKE %s OR reply_text ILIKE %s))
                    SELECT 'c', category_code, status, schema_name, count(*) FROM m
                    GROUP BY GROUPING SETS ((category_code), (status), (schema_name), ())
                    UNION ALL
                    SELECT 'p', doc_id, NULL, NULL, NULL FROM (SELECT doc_id FROM m ORDER BY registered_at DESC LIMIT 21) p""",
                [schemas, like, like, like])
            return cursor.fetchall()

    sides = {"ours": ours, "every": every_match, "icontains": icontains}
    scopes = {"one": [one], "all": every}
    times = {(scope, n, side): [] for scope in scopes for n in QUERIES for side in sides}
    totals = {}
    load_start = load()
    for scope, schemas in scopes.items():
        for n, queries in QUERIES.items():
            for q in queries:
                for side, fn in sides.items():
                    result = fn(q, schemas)  # warm-up
                    if side == "ours":
                        totals[(scope, q)] = (result.total, result.total_is_exact)
                for _ in range(args.runs):
                    for side, fn in sides.items():
                        started = time.perf_counter()
                        fn(q, schemas)
                        times[(scope, n, side)].append((time.perf_counter() - started) * 1000)
    load_end = load()
    print(f"   load average {load_start} at start, {load_end} at end; {args.runs} runs per query and side, interleaved")
    for scope in scopes:
        for n, queries in QUERIES.items():
            found = ", ".join(f"{q} {t:,}{'' if exact else '≈'}" for q in queries for t, exact in [totals[(scope, q)]])
            print(f"   {scope:<3} {n} char(s) — matches: {found}")
            for side in sides:
                ms = times[(scope, n, side)]
                print(f"       {side:<10} p50 {statistics.median(ms):8.1f} ms   p95 {percentile(ms, 95):8.1f} ms")
    failed = []
    one_ratio = percentile(times[("one", 1, "ours")], 95) / percentile(times[("one", 2, "ours")], 95)
    print(f"   one prefecture, p95 1 char / 2 chars: {one_ratio:.2f}x (goal <= 2x)")
    if one_ratio > 3:
        failed.append("one prefecture 1 char")
    for n in QUERIES:
        r = statistics.median(times[("all", n, "icontains")]) / statistics.median(times[("all", n, "ours")])
        r_before = statistics.median(times[("all", n, "icontains")]) / statistics.median(times[("all", n, "every")])
        print(f"   province-wide {n} char(s): icontains / ours p50 {r:.1f}x (goal >= 20x); every match read: {r_before:.1f}x")
        if r < 13:
            failed.append(f"province-wide {n} chars")
    if failed:
        print(f"   MISSED by a wide margin: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
