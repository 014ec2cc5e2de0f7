"""Search backends: PostgreSQL (default) and Elasticsearch (when ELASTICSEARCH_URL is set)."""
from __future__ import annotations

import contextlib
import threading

from django.conf import settings

from .base import SearchBackend

_local = threading.local()
_configured: SearchBackend | None = None


def get_backend() -> SearchBackend:
    """The backend chosen by configuration (or one installed by `use_backend`)."""
    global _configured
    override = getattr(_local, "override", None)
    if override is not None:
        return override
    if _configured is None:
        _configured = backend_from_settings()
    return _configured


def backend_from_settings() -> SearchBackend:
    if getattr(settings, "ELASTICSEARCH_URL", ""):
        from .elastic import ElasticsearchBackend

        return ElasticsearchBackend.from_settings()
    from .postgres import PostgresBackend

    return PostgresBackend()


@contextlib.contextmanager
def use_backend(backend: SearchBackend):
    """Run a block with another backend (tests, benchmarks, a reindex into a given backend)."""
    previous = getattr(_local, "override", None)
    _local.override = backend
    try:
        yield backend
    finally:
        _local.override = previous
