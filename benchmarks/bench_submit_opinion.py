"""`submitOpinion` over HTTP on loopback with concurrent clients: requests per second,
p50/p95 latency, and a check that every accepted submission is in the database
exactly once — with clients retrying (same idempotency key) after a lost response
or a timeout, and sometimes sending the same submission twice at the same moment.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    liaison migrate_schemas --shared
    .venv/bin/python benchmarks/bench_submit_opinion.py [--clients 8] [--submissions 1200] [--max-seconds 120]

The server is gunicorn (sync workers, production settings: DEBUG off) started by this
script on 127.0.0.1 only and stopped at the end; the load is bounded by count and by
time. Submissions go to a throw-away prefecture (`benchsubmit`, provisioned and
deleted here), one API key per client (third-party front ends each have their own key;
the per-key rate limit is 600 an hour, so at most 600 submissions per client).

The naive comparison is the same load without idempotency handling on the client
side — every retry a new key — which shows what a retry costs when the server cannot
recognise it: duplicates. Both runs are checked.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from _common import header, percentile, setup_django

setup_django()

from django.db import connection  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from liaison.platform.accounts import api_keys  # noqa: E402
from liaison.tenants.divisions.models import Division  # noqa: E402
from liaison.tenants.generator import text  # noqa: E402
from liaison.tenants.registry.models import Prefecture  # noqa: E402
from liaison.tenants.registry.provisioning import create_prefecture, delete_prefecture  # noqa: E402

SLUG = "benchsubmit"
HOST = f"{SLUG}.localhost"
ROOT = Path(__file__).resolve().parents[1]
MUTATION = """mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) {
  created tracking { trackingCode status } errors { field message code } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, log, broker: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.update({
        "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(48), "LIAISON_BASE_HOST": "bench.invalid",
        "LIAISON_EXTRA_HOSTS": ".localhost", "LIAISON_CACHE_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "LIAISON_LOG_LEVEL": "WARNING",
        "LIAISON_STATIC_ROOT": "/tmp/liaison-bench-static",
    })
    if broker:  # production-like: after-commit tasks (search indexing) are queued, not run in the request
        env["CELERY_BROKER_URL"] = broker
    cmd = [str(Path(sys.executable).with_name("gunicorn")), "liaison.platform.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log.name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": HOST})
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: only gunicorn and its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Client(threading.Thread):
    def __init__(self, port, secret, n, position_code, deadline, idempotent, seed):
        super().__init__(daemon=True, name=f"c{seed}")
        self.port, self.secret, self.n, self.position_code = port, secret, n, position_code
        self.deadline, self.idempotent = deadline, idempotent
        self.rng = __import__("random").Random(seed)
        self.latencies: list[float] = []
        self.accepted: dict[str, str] = {}  # idempotency key → tracking code (first answer)
        self.outcomes: Counter = Counter()
        self.requests = 0

    def post(self, payload: dict, timeout: float) -> tuple[float, dict | None]:
        body = json.dumps(payload).encode()
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", "/graphql/", body=body, headers={"Host": HOST, "Content-Type": "application/json",
                                                                  "Authorization": f"Bearer {self.secret}"})
            resp = conn.getresponse()
            data = json.loads(resp.read())
            return time.perf_counter() - started, data
        except (OSError, ValueError):  # timeout or broken connection: the answer is lost
            return time.perf_counter() - started, None
        finally:
            self.requests += 1
            conn.close()

    def run(self):
        rng = self.rng
        for i in range(self.n):
            if time.time() > self.deadline:
                self.outcomes["not sent (time bound)"] += self.n - i
                return
            key = uuid.UUID(int=rng.getrandbits(128)).hex
            cat = text.category_code(rng)
            title, content, _ = text.opinion_text(rng, cat, "基准镇", "邻村", "网友", "online")
            content += f"（{self.name}-{i}）"  # makes each submission's text unique, so duplicates are visible
            payload = {"query": MUTATION, "variables": {"input": {
                "positionCode": self.position_code, "title": title, "content": content, "citizenName": text.masked_citizen(rng),
                "idempotencyKey": key}}}
            # 1 in 10: the client gives up after 5 ms (answer lost, the request may still land)
            timeout = 0.005 if rng.random() < 0.1 else 30
            if rng.random() < 0.05:  # 1 in 20: a double click, two identical requests at once
                twin = threading.Thread(target=self.post, args=(payload, 30))
                twin.start()
            else:
                twin = None
            for attempt in range(6):
                seconds, data = self.post(payload, timeout)
                result = (data or {}).get("data", {}) or {}
                sub = result.get("submitOpinion") if isinstance(result, dict) else None
                if sub and sub.get("tracking") and not sub.get("errors"):
                    self.latencies.append(seconds)
                    self.accepted.setdefault(key, sub["tracking"]["trackingCode"])
                    self.outcomes["created" if sub.get("created") else "retry recognised"] += 1
                    break
                self.outcomes["lost or failed, retried" if data is None else
                              f"error {(data.get('errors') or [{}])[0].get('extensions', {}).get('code', '?')}"] += 1
                timeout = 30
                if not self.idempotent:  # naive client: a retry is a new submission
                    key = uuid.uuid4().hex
                    payload["variables"]["input"]["idempotencyKey"] = key
                time.sleep(0.05 * (attempt + 1))
            if twin is not None:
                twin.join()
                self.requests += 0


def run_load(port, keys, per_client, position_code, max_seconds, idempotent) -> dict:
    deadline = time.time() + max_seconds
    clients = [Client(port, k.secret, per_client, position_code, deadline, idempotent, seed=i) for i, k in enumerate(keys)]
    started = time.perf_counter()
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    elapsed = time.perf_counter() - started
    latencies = [s for c in clients for s in c.latencies]
    accepted = {f"k{k.key.pk}:{key}": code for c, k in zip(clients, keys) for key, code in c.accepted.items()}
    outcomes = sum((c.outcomes for c in clients), Counter())
    return {"elapsed": elapsed, "latencies": latencies, "accepted": accepted, "outcomes": outcomes,
            "requests": sum(c.requests for c in clients), "submissions": sum(len(c.accepted) for c in clients)}


def check_database(accepted: dict[str, str], intended: int) -> dict:
    from liaison.tenants.opinions.models import Opinion

    with schema_context(SLUG):
        rows = list(Opinion.objects.values_list("idempotency_key", "tracking_code", "content"))
    by_key = Counter(k for k, _, _ in rows)
    codes = {k: c for k, c, _ in rows}
    missing = [k for k in accepted if by_key[k] == 0]
    duplicated = [k for k in accepted if by_key[k] > 1]
    wrong_code = [k for k, c in accepted.items() if by_key[k] == 1 and codes[k] != c]
    texts = Counter(t for _, _, t in rows)
    return {"rows": len(rows), "missing": len(missing), "duplicated": len(duplicated), "wrong_code": len(wrong_code),
            "extra_rows": len(rows) - len(accepted), "same_text_twice": sum(n - 1 for n in texts.values() if n > 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--submissions", type=int, default=1200, help="total, split over the clients (≤ 600 per client)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--max-seconds", type=float, default=120, help="time bound per run")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--broker", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
                        help="Celery broker for the server (tasks are queued there and purged afterwards); "
                             "'' runs them eagerly inside each request, as without a broker")
    args = parser.parse_args()
    per_client = min(600, max(1, args.submissions // args.clients))
    header(f"submitOpinion under load: {args.clients} clients × {per_client} submissions, gunicorn {args.workers} sync workers, "
           f"{'tasks queued to ' + args.broker if args.broker else 'tasks run eagerly in the request'}")
    connection.set_schema_to_public()
    if Prefecture.objects.filter(slug=SLUG).exists():
        delete_prefecture(SLUG, confirm=True)
    create_prefecture(code="990300", slug=SLUG, name="基准提交州", name_en="Bench submit", kind="city")
    from liaison.tenants.positions.models import Position

    with schema_context(SLUG):
        county = Division.objects.filter(level="county").first() or Division.objects.get(level="prefecture")
        town = Division.objects.create(code=county.code + "001", name="基准镇", level="township", parent=county)
        Position.objects.create(code="S-benchsubmit", name="基准镇人大代表工作站", tier="station", division=town, status="open")
    all_keys = []
    log = open("/tmp/liaison-bench-gunicorn.log", "w")
    port = free_port()
    proc = start_server(port, args.workers, log, args.broker)
    ok = True
    try:
        for label, idempotent in (("ours: retries reuse the idempotency key", True), ("naive: a retry is a new key", False)):
            if not idempotent and args.skip_naive:
                continue
            from liaison.tenants.opinions.models import Opinion

            with schema_context(SLUG):
                Opinion.objects.all().delete()
            # fresh keys per run: the per-key rate limit (600 an hour) counts each run anew
            keys = [api_keys.create_key(name=f"bench_submit_{i}", prefectures=[SLUG], can_write=True) for i in range(args.clients)]
            all_keys += keys
            r = run_load(port, keys, per_client, "S-benchsubmit", args.max_seconds, idempotent)
            time.sleep(1)  # let in-flight requests of abandoned attempts finish
            db = check_database(r["accepted"], per_client * args.clients)
            lat = r["latencies"] or [0.0]
            print(f"   {label}")
            print(f"      {r['submissions']:,} accepted submissions, {r['requests']:,} HTTP requests in {r['elapsed']:.1f}s = "
                  f"{r['requests'] / r['elapsed']:.0f} requests/s, {r['submissions'] / r['elapsed']:.0f} submissions/s; "
                  f"latency of accepted requests p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms")
            print(f"      outcomes: {dict(r['outcomes'])}")
            print(f"      database: {db['rows']:,} rows for {len(r['accepted']):,} accepted keys — missing {db['missing']}, "
                  f"duplicated {db['duplicated']}, tracking code differs {db['wrong_code']}, rows beyond the accepted "
                  f"{db['extra_rows']}, same text stored twice {db['same_text_twice']}")
            if idempotent:
                # Rows beyond the accepted keys would be requests that landed but were never
                # acknowledged after six tries; they are neither lost nor duplicated, only reported.
                ok = not (db["missing"] or db["duplicated"] or db["wrong_code"] or db["same_text_twice"])
                print(f"      goal: no accepted submission lost or duplicated: {'met' if ok else 'NOT met'}")
    finally:
        stop_server(proc)
        log.close()
        if args.broker:
            import redis

            redis.Redis.from_url(args.broker).flushdb()  # this benchmark's own Redis db: queued tasks, rate-limit counters
        for k in all_keys:
            k.key.delete()
        connection.set_schema_to_public()
        delete_prefecture(SLUG, confirm=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
