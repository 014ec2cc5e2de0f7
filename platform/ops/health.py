"""Cheap, unauthenticated health endpoints, answered on every host.

- ``/healthz`` (liveness): the process serves requests. No I/O, so a slow database
  never gets a healthy pod restarted.
- ``/readyz`` (readiness): the database answers ``SELECT 1``; the broker answers when
  CELERY_BROKER_URL is set; Elasticsearch answers when ELASTICSEARCH_URL is set. Each
  check has a short timeout. 200 when every required check passes, else 503; the body
  names each check: ``{"status": "unavailable", "checks": {"database": "unavailable:
  OperationalError"}}``. Only the exception class is shown, never its message (which can
  name hosts); the message is logged.

Both are served by HealthCheckMiddleware, first in MIDDLEWARE, before the tenant
middleware and before Django validates the Host header: Kubernetes probes call the pod
by IP (``Host: 10.1.2.3:8000``), which is neither the province nor a prefecture host.
They reveal nothing but the checks' names and states. ``LIAISON_READYZ_OPTIONAL``
(comma-separated check names, e.g. ``search``) keeps a check in the report without
letting it take pods out of service.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

log = logging.getLogger("liaison.health")

TIMEOUT_SECONDS = float(os.environ.get("LIAISON_READYZ_TIMEOUT", "2"))
_clients: dict[tuple[str, str], object] = {}


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    return _no_store(JsonResponse({"status": "ok"}))


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker_url() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    return "" if url.startswith("memory://") else url


def check_broker() -> None:
    url = broker_url()
    if url.startswith(("redis://", "rediss://", "unix://")):
        client = _clients.get(("redis", url))
        if client is None:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0), health_check_interval=0,
            )
            _clients[("redis", url)] = client
        client.ping()
    else:  # any other kombu transport (amqp:// …)
        from kombu import Connection

        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)


def check_search() -> None:
    url = settings.ELASTICSEARCH_URL
    client = _clients.get(("search", url))
    if client is None:
        from elasticsearch import Elasticsearch

        client = Elasticsearch(url, request_timeout=TIMEOUT_SECONDS, max_retries=0, retry_on_timeout=False)
        _clients[("search", url)] = client
    client.info()


def configured_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    if broker_url():
        checks["broker"] = check_broker
    if getattr(settings, "ELASTICSEARCH_URL", ""):
        checks["search"] = check_search
    return checks


def optional_checks() -> set[str]:
    raw = os.environ.get("LIAISON_READYZ_OPTIONAL", "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def run_checks() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    ready = True
    optional = optional_checks()
    for name, check in configured_checks().items():
        started = time.monotonic()
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            results[name] = f"unavailable: {exc.__class__.__name__}"
            log.warning("readiness check %s failed after %.0f ms: %s", name, (time.monotonic() - started) * 1000, exc)
            if name not in optional:
                ready = False
    return ready, results


def readyz(request):
    ready, results = run_checks()
    body = {"status": "ok" if ready else "unavailable", "checks": results}
    return _no_store(JsonResponse(body, status=200 if ready else 503))


ENDPOINTS = {"/healthz": healthz, "/healthz/": healthz, "/readyz": readyz, "/readyz/": readyz}
