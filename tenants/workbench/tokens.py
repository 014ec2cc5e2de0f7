"""One-time form tokens: a double click or a resubmit after the back button never
performs a step twice.

Each rendered form carries a fresh `form_token`. The first POST claims it atomically
(`cache.add`, atomic in Redis and in the local-memory cache) before calling the service
and records where it led; a second POST with the same token does nothing and is sent
to the same place. A failed attempt releases the token so the corrected form can be
sent again. Registration also passes the token to the service as its idempotency key,
which the database enforces even if the cache is lost.
"""
from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import connection

TTL = 24 * 3600
PENDING = "pending"


def new_token() -> str:
    return uuid.uuid4().hex


def _key(request, token: str) -> str:
    return f"workbench:form:{connection.schema_name}:{request.user.pk}:{token}"


def valid(token: str | None) -> bool:
    return bool(token) and len(token) == 32 and all(c in "0123456789abcdef" for c in token)


def claim(request, token: str) -> bool:
    """True if this request is the first to use the token."""
    return cache.add(_key(request, token), PENDING, TTL)


def done(request, token: str, url: str) -> None:
    cache.set(_key(request, token), url, TTL)


def release(request, token: str) -> None:
    cache.delete(_key(request, token))


def outcome(request, token: str) -> str | None:
    value = cache.get(_key(request, token))
    return None if value in (None, PENDING) else value
