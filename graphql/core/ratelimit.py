"""Rate limits of the public (citizen) operations, in Django's cache.

Buckets are per API key for key callers (a front end serves many citizens through one
key) and per client IP for anonymous callers; fixed windows. Defaults (override with
settings.LIAISON_RATE_LIMITS = {"submit_opinion": {"anonymous": (n, seconds), "key": …}}):

| operation | anonymous (per IP) | API key (per key) |
|---|---|---|
| submitOpinion | 10 per hour | 600 per hour |
| trackOpinion | 30 per minute | 600 per minute |
| rateOpinion | 10 per hour | 600 per hour |

The cache is Redis when LIAISON_CACHE_URL / LIAISON_REDIS_URL is set (shared by every
worker), else per-process memory. The client IP is REMOTE_ADDR, or the address
LIAISON_TRUSTED_PROXIES hops from the right of X-Forwarded-For when set (behind a proxy).
A refused call is a top-level error `RATE_LIMITED` with `limit`, `window` and
`retryAfter` (seconds) in its extensions.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from graphql import GraphQLError

from liaison.platform.accounts.principal import principal_for

DEFAULT_RATES: dict[str, dict[str, tuple[int, int]]] = {
    "submit_opinion": {"anonymous": (10, 3600), "key": (600, 3600)},
    "track_opinion": {"anonymous": (30, 60), "key": (600, 60)},
    "rate_opinion": {"anonymous": (10, 3600), "key": (600, 3600)},
}


def rates() -> dict[str, dict[str, tuple[int, int]]]:
    custom = getattr(settings, "LIAISON_RATE_LIMITS", {})
    return {op: {**DEFAULT_RATES.get(op, {}), **custom.get(op, {})} for op in {*DEFAULT_RATES, *custom}}


def client_ip(request) -> str:
    hops = int(getattr(settings, "LIAISON_TRUSTED_PROXIES", 0) or 0)
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def caller_bucket(request) -> tuple[str, str]:
    """(kind, id): ("key", "<key id>") for API keys, ("anonymous", "<ip>") otherwise.
    Session users count as their client IP too."""
    p = principal_for(request)
    if p.api_key_id is not None:
        return "key", str(p.api_key_id)
    return "anonymous", client_ip(request)


def check(request, operation: str) -> None:
    """Count one call of `operation`; raise RATE_LIMITED when over the caller's limit."""
    kind, ident = caller_bucket(request)
    limit, window = rates()[operation][kind]
    now = time.time()
    slot = int(now // window)
    key = f"ratelimit:{operation}:{kind}:{ident}:{slot}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            count = 1
    if count > limit:
        retry_after = int((slot + 1) * window - now) + 1
        raise GraphQLError(
            f"请求过于频繁 (rate limited: at most {limit} `{operation}` calls per {window} seconds per "
            f"{'API key' if kind == 'key' else 'client IP'}; retry in {retry_after} s)",
            extensions={"code": "RATE_LIMITED", "limit": limit, "window": window, "retryAfter": retry_after})
