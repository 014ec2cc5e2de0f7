"""Gunicorn settings for the `web` role. Every value can be tuned from the environment.

Sizing: each worker process holds one Django instance with a persistent database
connection per thread (CONN_MAX_AGE=60), so connections per pod = WEB_CONCURRENCY x
GUNICORN_THREADS; keep (pods x that) below PostgreSQL's max_connections. A pooler in
front must use session mode (django-tenants sets search_path per connection). See
docs/OPERATIONS.md, "Scale".
"""
from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


bind = f"0.0.0.0:{_int('PORT', 8000)}"
worker_class = "gthread"
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 4)
# A request that takes longer than this is killed and logged; GraphQL limits keep
# legitimate requests far below it.
timeout = _int("GUNICORN_TIMEOUT", 30)
# Shorter than Kubernetes' terminationGracePeriodSeconds (30 s in the chart).
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# Longer than the ingress/load balancer's upstream idle timeout (ingress-nginx: 60 s),
# so the proxy, not gunicorn, closes idle connections (no 502 on a reused socket).
keepalive = _int("GUNICORN_KEEPALIVE", 65)
# Recycle workers now and then so slow leaks cannot accumulate.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The heartbeat file lives in memory: the root filesystem is read-only in Kubernetes.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
# Behind the ingress: trust X-Forwarded-* from any proxy address (the pod is not
# reachable from outside the cluster network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# Access lines come from the application (logger `liaison.request`: request id,
# prefecture, caller, status, duration; never the query string).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicornc's control socket is not used in containers (and HOME is not writable).
control_socket_disable = True
# Import the application before forking: workers share memory and start faster.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}


def _log_format() -> str:
    fmt = os.environ.get("LIAISON_LOG_FORMAT", "").strip().lower()
    if fmt in {"json", "text"}:
        return fmt
    debug = os.environ.get("DEBUG", "true").strip().lower() in {"1", "true", "yes", "on"}
    return "text" if debug else "json"


# gunicorn's own lines (boot, worker restarts, timeouts) in the same format as the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "liaison.platform.ops.logging.JsonFormatter", "fmt": "%(levelname)s %(name)s %(message)s"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": _log_format(), "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        # Off: its lines would carry query strings (GraphQL variables) and no prefecture.
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
