"""Operations overhead: what the probes and the request context, JSON logging and
Sentry reporting cost per request.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_ops   # any migrated DB
    liaison prefecture create --slug kunming                             # if it has none
    .venv/bin/python benchmarks/ops_bench.py [--prefecture kunming] [--repeat 300]

Measures, in-process through the whole Django stack (django.test.Client, no network):

1. `/healthz` and `/readyz` (database only, then with a Redis broker) on a pod-IP host;
2. `{ __typename }` and an introspection query on a prefecture host with the operations
   middleware (request id, log context, one JSON `liaison.request` line written to
   /dev/null) and the Sentry GraphQL middleware, against the same requests without them;
3. the JSON formatter per log line and the Sentry scrubber per event, on their own.
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import time

os.environ.setdefault("LIAISON_LOG_LEVEL", "WARNING")

from _common import header, summary_ms, setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from graphene_django import views as graphene_views  # noqa: E402

from liaison.platform.ops import sentry as ops_sentry  # noqa: E402
from liaison.platform.ops.logging import ContextFilter, JsonFormatter  # noqa: E402

OPS_MIDDLEWARE = {"liaison.platform.ops.middleware.HealthCheckMiddleware",
                  "liaison.platform.ops.middleware.RequestContextMiddleware"}
INTROSPECTION = "{ __schema { types { name fields { name args { name } type { name kind } } } } }"


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefecture", default="kunming")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args()
    header("operations overhead")
    host = f"{args.prefecture}.{settings.LIAISON_BASE_HOST}"

    probe = Client(HTTP_HOST="10.42.0.17:8000")
    print(f"/healthz                         {summary_ms(timed(lambda: probe.get('/healthz'), args.repeat))}")
    print(f"/readyz  (database)              {summary_ms(timed(lambda: probe.get('/readyz'), args.repeat))}")
    with override_settings(CELERY_BROKER_URL=args.redis):
        print(f"/readyz  (database + Redis)      {summary_ms(timed(lambda: probe.get('/readyz'), args.repeat))}")

    # One JSON request line per request, written to an in-memory sink.
    sink = logging.StreamHandler(io.StringIO())
    sink.addFilter(ContextFilter())
    sink.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    request_logger = logging.getLogger("liaison.request")
    request_logger.addHandler(sink)
    request_logger.setLevel(logging.INFO)
    request_logger.propagate = False

    # With and without, alternated request by request so that drift in the machine's load
    # (shared with other work) hits both sides alike.
    import statistics

    sentry_mw = [ops_sentry.SentryGraphQLMiddleware]
    bare_middleware = [m for m in settings.MIDDLEWARE if m not in OPS_MIDDLEWARE]
    for label, query in (("{ __typename }", "{ __typename }"), ("introspection", INTROSPECTION)):
        with_ops = Client(HTTP_HOST=host)
        ours, naive = [], []
        for i in range(args.repeat + 1):
            graphene_views.graphene_settings.MIDDLEWARE = sentry_mw
            started = time.perf_counter()
            with_ops.get("/graphql/", {"query": query})
            elapsed_ours = time.perf_counter() - started
            with override_settings(MIDDLEWARE=bare_middleware):
                bare = Client(HTTP_HOST=host)
                graphene_views.graphene_settings.MIDDLEWARE = []
                started = time.perf_counter()
                bare.get("/graphql/", {"query": query})
                elapsed_naive = time.perf_counter() - started
            if i:  # the first round warms up
                ours.append(elapsed_ours)
                naive.append(elapsed_naive)
        graphene_views.graphene_settings.MIDDLEWARE = sentry_mw
        delta = (statistics.median(ours) - statistics.median(naive)) * 1000
        print(f"{label:15s} with ops         {summary_ms(ours)}")
        print(f"{label:15s} without          {summary_ms(naive)}   median difference {delta:+.2f} ms")

    # The resolver middleware alone: graphql-core execution of the introspection query
    # (4,288 resolver calls), alternated with and without SentryGraphQLMiddleware.
    from django.test import RequestFactory
    from graphql import execute, parse

    from liaison.graphql.schema import schema as liaison_schema

    schema = liaison_schema.graphql_schema
    document = parse(INTROSPECTION)
    request = RequestFactory().get("/")
    with_mw, without_mw = [], []
    for _ in range(args.repeat // 3):
        for bucket, middleware in ((with_mw, [ops_sentry.SentryGraphQLMiddleware()]), (without_mw, None)):
            started = time.perf_counter()
            execute(schema, document, context_value=request, middleware=middleware)
            bucket.append(time.perf_counter() - started)
    delta = (statistics.median(with_mw) - statistics.median(without_mw)) * 1000
    print(f"execute(introspection) + Sentry mw {summary_ms(with_mw)}")
    print(f"execute(introspection) bare        {summary_ms(without_mw)}   median difference {delta:+.2f} ms")

    record = logging.LogRecord("liaison.request", logging.INFO, __file__, 1, "%s %s %s %.1fms",
                               ("GET", "/graphql/", 200, 12.3), None)
    record.method, record.path, record.status, record.duration_ms = "GET", "/graphql/", 200, 12.3
    context_filter, formatter = ContextFilter(), JsonFormatter("%(levelname)s %(name)s %(message)s")

    def format_line():
        rec = logging.makeLogRecord(record.__dict__)
        context_filter.filter(rec)
        formatter.format(rec)
    per_line = timed(format_line, args.repeat * 10)
    print(f"JSON log line (filter + format)  p50 {statistics.median(per_line) * 1e6:8.1f} µs   (n={len(per_line)})")

    event = {
        "request": {"url": f"http://{host}/graphql/", "method": "POST", "data": {"variables": {"citizenName": "李"}},
                    "headers": {"User-Agent": "x", "Authorization": "Bearer y", "Cookie": "z"}},
        "exception": {"values": [{"type": "RuntimeError", "value": "Key (citizen_phone)=(13900001111) already exists",
                                  "stacktrace": {"frames": [{"function": f"f{i}", "vars": {"a": "1"}} for i in range(30)]}}]},
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 1", "data": {"db.params": [1]}}] * 100},
    }
    import copy
    import statistics

    print(f"Sentry scrub_event (30 frames, 100 breadcrumbs) "
          f"{summary_ms(timed(lambda: ops_sentry.scrub_event(copy.deepcopy(event)), args.repeat))}")


if __name__ == "__main__":
    main()
