"""GraphQL list queries: p50/p95 latency and SQL queries per request at page sizes 10
and 100, with the per-request batching loaders (ours) and with batching switched off
(the same schema, each nested field fetched for its own object: N+1).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    liaison generate --scale 0.1          # or 1.0; the prefecture must hold data
    .venv/bin/python benchmarks/bench_graphql.py [--prefecture kunming] [--repeat 30]

Requests go through the whole Django stack in-process (middleware, API-key
authentication, permissions, limits, the GraphQL view) on the prefecture's host, as
`django.test.Client` sends them; no network. "Without batching" replaces
`liaison.graphql.core.loaders.batch_of` so every object is its own batch — what the
resolvers would do without the loaders. Queries: the four main lists (positions,
opinions, events, deputies) with the deep nesting the tests of issue 5 use, and the
positions and opinions lists with what a list page shows (one table row per item).
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from contextlib import contextmanager

import os

os.environ.setdefault("LIAISON_LOG_LEVEL", "WARNING")  # one log line per request would be measured too

from _common import header, percentile, ratio, setup_django  # noqa: E402

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from liaison.graphql.core import loaders  # noqa: E402
from liaison.platform.accounts import api_keys  # noqa: E402

QUERIES = {
    "positions": """query($n: Int) { positions(first: $n, orderBy: [CODE]) { totalCount edges { node {
  code publicUrl division { name parent { name } } parent { code division { name } }
  checklist { item { code } met } staff { name deputy { name } }
  stationedDeputies { startOn deputy { name constituency { name } stationings { position { code } } } }
  children { code } statusHistory { toStatus }
} } } }""",
    "opinions": """query($n: Int) { opinions(first: $n) { totalCount edges { node {
  title citizenName status overdue category { code } division { name } position { code division { name } }
  deputy { name } handlingUnit { name }
  referrals { dueOn state unit { name division { name } } }
  replies { content evaluations { satisfaction } }
  transitions { action actorLabel at }
} } } }""",
    "events": """query($n: Int) { events(first: $n) { edges { node {
  title kind position { code } scheduledDeputies { name constituency { name } } signIns { deputy { name } }
  receptions { peopleReceived visitors { name } }
} } } }""",
    "deputies": """query($n: Int) { deputies(first: $n) { edges { node {
  name constituency { name parent { name } } stationings { position { code division { name } } }
  performance { dutyDays receptions opinions points }
} } } }""",
}
# What a list page shows (a table row per item): the "main list queries" of the goal.
QUERIES_LIST = {
    "positions (list page)": """query($n: Int) { positions(first: $n, orderBy: [CODE]) { totalCount edges { node {
  id code name tier statusLabel establishedOn division { name parent { name } } parent { name }
} } } }""",
    "opinions (list page)": """query($n: Int) { opinions(first: $n) { totalCount edges { node {
  id trackingCode title status statusLabel channel registeredAt dueOn overdue category { name } division { name }
  position { name } handlingUnit { name }
} } } }""",
}
QUERIES.update(QUERIES_LIST)
LIMITS = {"max_page_size": 100, "max_complexity": 1_000_000, "max_depth": 12}


@contextmanager
def batching(enabled: bool):
    original = loaders.batch_of
    if not enabled:
        loaders.batch_of = lambda obj: [obj]
    try:
        yield
    finally:
        loaders.batch_of = original


def request(client: Client, key: str, name: str, n: int) -> tuple[float, dict]:
    started = time.perf_counter()
    resp = client.post("/graphql/", json.dumps({"query": QUERIES[name], "variables": {"n": n}}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {key}")
    seconds = time.perf_counter() - started
    body = resp.json()
    if resp.status_code != 200 or body.get("errors"):
        raise SystemExit(f"{name}: {resp.status_code} {json.dumps(body, ensure_ascii=False)[:500]}")
    return seconds, body["data"]


class QueryCounter:
    """Counts every SQL statement the connection executes (independent of DEBUG logging);
    django-tenants' `SET search_path` statements are counted apart."""

    def __init__(self):
        self.n = 0
        self.search_path = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SET SEARCH_PATH"):
            self.search_path += 1
        else:
            self.n += 1
        return execute(sql, params, many, context)


def measure(client, key, name, n, repeat) -> dict:
    request(client, key, name, n)  # warm-up (caches, key stamp)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        _, data = request(client, key, name, n)
    items = len(next(iter(data.values()))["edges"])
    times = [request(client, key, name, n)[0] for _ in range(repeat)]
    return {"queries": counter.n, "search_path": counter.search_path, "items": items, "p50": statistics.median(times),
            "p95": percentile(times, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefecture", default="kunming")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", nargs="*", choices=list(QUERIES), metavar="QUERY", help=", ".join(QUERIES))
    args = parser.parse_args()
    header(f"GraphQL list queries on {args.prefecture}")
    from django_tenants.utils import schema_context

    from liaison.tenants.opinions.models import Opinion
    from liaison.tenants.positions.models import Position

    with schema_context(args.prefecture):
        print(f"   data: {Position.objects.count():,} positions, {Opinion.objects.count():,} opinions in {args.prefecture}")
    created = api_keys.create_key(name="bench_graphql", prefectures=[args.prefecture], personal_data=True)
    client = Client(HTTP_HOST=f"{args.prefecture}.localhost")
    rows = []
    try:
        with override_settings(LIAISON_GRAPHQL_LIMITS=LIMITS, DEBUG=False):
            for name in args.only or QUERIES:
                for n in (10, 100):
                    with batching(True):
                        ours = measure(client, created.secret, name, n, args.repeat)
                    with batching(False):
                        naive = measure(client, created.secret, name, n, max(3, args.repeat // 3))
                    rows.append((name, n, ours, naive))
                    print(f"   {name:<21} first {n:>3} ({ours['items']:>3} items)  ours: {ours['queries']:>3} queries "
                          f"(+{ours['search_path']} SET search_path)  "
                          f"p50 {ours['p50'] * 1000:7.1f} ms  p95 {ours['p95'] * 1000:7.1f} ms   |  no batching: "
                          f"{naive['queries']:>5} queries  p50 {naive['p50'] * 1000:8.1f} ms  p95 {naive['p95'] * 1000:8.1f} ms   "
                          f"→ {ratio(ours['p95'], naive['p95'], higher_is_better=False)} faster at p95")
    finally:
        api_keys.revoke_key(created.key.prefix)
        created.key.delete()
    print("   queries from 10 to 100 items (ours): "
          + ", ".join(f"{name} {a['queries']} → {b['queries']}" for (name, n, a, _), (_, _, b, _) in zip(rows[0::2], rows[1::2]))
          + "  (a difference of one to three is a batch query for a relation none of the first 10 items has —"
            " e.g. the newest opinions have no handling unit yet — not a query per item)")
    for label, names in (("list-page queries", [q for q in QUERIES_LIST]), ("deep queries", [q for q in QUERIES if q not in QUERIES_LIST])):
        hits = [(r[0], r[2]["p95"]) for r in rows if r[1] == 100 and r[0] in names]
        if hits:
            name, worst = max(hits, key=lambda h: h[1])
            print(f"   goal < 150 ms p95 for 100 items, {label}: {'met' if worst < 0.150 else 'NOT met'} "
                  f"(worst {name}: {worst * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
