"""Absolute addresses on the current prefecture's host (for QR codes and messages)."""
from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import connection

# The port the current request came in on (set by ServingPortMiddleware).
_serving_port: ContextVar[str | None] = ContextVar("liaison_serving_port", default=None)


def prefecture_url(path: str, schema: str | None = None) -> str:
    """`<scheme>://<slug>.<base host>[:port]<path>`. The port is LIAISON_PUBLIC_PORT when
    set ("" for none); unset, in development the port that serves the current request
    (`liaison serve 127.0.0.1:8123` → :8123; 8000 outside a request), in production
    none (a proxy's inner port is not the public one)."""
    host = f"{schema or getattr(connection, 'schema_name')}.{settings.LIAISON_BASE_HOST}"
    port = public_port()
    return f"{settings.LIAISON_PUBLIC_SCHEME}://{host}{f':{port}' if port else ''}{path}"


def public_port() -> str:
    serving = _serving_port.get()
    if serving and getattr(settings, "LIAISON_PUBLIC_PORT_FROM_REQUEST", False):
        return "" if serving in ("80", "443") else serving
    return settings.LIAISON_PUBLIC_PORT or ""


class ServingPortMiddleware:
    """Remembers the request's port for prefecture_url while the request is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _serving_port.set(str(request.get_port()))
        try:
            return self.get_response(request)
        finally:
            _serving_port.reset(token)
