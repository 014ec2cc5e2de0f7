"""Absolute addresses on the current prefecture's host (for QR codes and messages)."""
from __future__ import annotations

from django.conf import settings
from django.db import connection


def prefecture_url(path: str, schema: str | None = None) -> str:
    """`<scheme>://<slug>.<base host>[:port]<path>`; scheme and port from settings
    (development: http on :8000, where `liaison serve` listens)."""
    host = f"{schema or connection.schema_name}.{settings.LIAISON_BASE_HOST}"
    port = f":{settings.LIAISON_PUBLIC_PORT}" if settings.LIAISON_PUBLIC_PORT else ""
    return f"{settings.LIAISON_PUBLIC_SCHEME}://{host}{port}{path}"
