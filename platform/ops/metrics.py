"""Prometheus metrics at /metrics (prometheus-client).

Safe under django-tenants: the endpoint is answered by HealthCheckMiddleware before the
tenant middleware runs (no schema lookup, no session), and it is served only
- with `Authorization: Bearer <LIAISON_METRICS_TOKEN>` when that token is set (any host:
  Prometheus scrapes pods by address), or
- without a token, only on the province host (never on a prefecture's host).
Anything else gets a 404, as if there were no endpoint.

Labels never carry personal data or anything a caller typed: the interface (graphql,
admin, workbench, …, from a fixed list), the method, the status class and the
prefecture's schema name. Paths, users, keys and GraphQL operation names are never
labels. With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (an empty directory
per pod) so every worker's counts are summed.
"""
from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

INTERFACES = (("/graphql", "graphql"), ("/admin", "admin"), ("/workbench", "workbench"), ("/ledger", "ledger"),
              ("/dashboard", "dashboard"), ("/p/", "public"), ("/d/", "public"), ("/t/", "public"), ("/static", "static"))

REQUESTS = Counter("liaison_http_requests_total", "HTTP requests answered", ["interface", "method", "status", "prefecture"])
DURATION = Histogram("liaison_http_request_duration_seconds", "Time to answer a request", ["interface"],
                     buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def interface_of(path: str) -> str:
    for prefix, name in INTERFACES:
        if path.startswith(prefix):
            return name
    return "other"


def observe_request(request, status: int, seconds: float) -> None:
    interface = interface_of(request.path)
    tenant = getattr(request, "tenant", None)
    prefecture = getattr(tenant, "schema_name", None) or "none"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(interface=interface, method=method, status=f"{status // 100}xx", prefecture=prefecture).inc()
    DURATION.labels(interface=interface).observe(seconds)


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return DEFAULT_REGISTRY


def _allowed(request) -> bool:
    token = getattr(settings, "LIAISON_METRICS_TOKEN", "")
    if token:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
    from liaison.platform.tenancy import province_hosts

    return host in province_hosts()


def metrics_view(request):
    if not _allowed(request):
        return HttpResponseNotFound()
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
