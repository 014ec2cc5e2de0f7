"""Rate limits through a real Redis cache (what several web workers share).

Runs when LIAISON_TEST_REDIS_URL points at a Redis server (CI's second pass sets it),
on database 5 of that server (issue 5's number); the default pass uses the in-memory
cache, which tests/graphql/test_gql_citizen.py exercises.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import caches
from django.test import override_settings

from gql_helpers import gql

REDIS_URL = os.environ.get("LIAISON_TEST_REDIS_URL")
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not REDIS_URL, reason="set LIAISON_TEST_REDIS_URL to run against a real Redis cache")]


def _db5(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/5", parts.query, parts.fragment))


def test_track_limit_is_counted_in_redis(kunming):
    cache_settings = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _db5(REDIS_URL),
                                  "KEY_PREFIX": f"liaison-test-{uuid.uuid4().hex[:8]}"}}
    # override_settings(CACHES=…) rebuilds Django's cache handlers (setting_changed)
    with override_settings(CACHES=cache_settings, LIAISON_RATE_LIMITS={"track_opinion": {"anonymous": (3, 60)}}):
        assert type(caches["default"]).__name__ == "RedisCache"
        for _ in range(3):
            assert gql("kunming", '{ trackOpinion(code: "ZZZZZZZZZZ") { status } }').codes == ["NOT_FOUND"]
        refused = gql("kunming", '{ trackOpinion(code: "ZZZZZZZZZZ") { status } }')
        assert refused.codes == ["RATE_LIMITED"] and refused.errors[0]["extensions"]["limit"] == 3
        keys = caches["default"]._cache.get_client().keys(f"{cache_settings['default']['KEY_PREFIX']}*ratelimit*")
        assert keys, "the counter lives in Redis"
        caches["default"]._cache.get_client().delete(*keys)
