"""Fixtures for the GraphQL API tests: API keys of every scope and users of every role.
Helpers (`gql`, `post`) are in gql_helpers.py.

(No __init__.py here: a package named `graphql` would shadow graphql-core.)
"""
from __future__ import annotations

import pytest

from liaison.platform.accounts import api_keys
from liaison.platform.accounts.models import Membership, Role, User


@pytest.fixture
def make_key(db):
    def make(*prefectures, province=False, write=False, personal=False, name="test client"):
        return api_keys.create_key(name=name, prefectures=list(prefectures), province=province, can_write=write,
                                   personal_data=personal).secret
    return make


@pytest.fixture
def keys(make_key, kunming, qujing):
    """One key per scope the matrix distinguishes."""
    return {
        "kunming_read": make_key("kunming"),
        "kunming_personal": make_key("kunming", personal=True),
        "kunming_write": make_key("kunming", write=True),
        "kunming_write_personal": make_key("kunming", write=True, personal=True),
        "qujing_read": make_key("qujing"),
        "qujing_write": make_key("qujing", write=True),
        "province": make_key(province=True),
        "both_read": make_key("kunming", "qujing"),
    }


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(role: str, prefecture=None, position_ids=(), deputy_id=None):
        counter["n"] += 1
        user = User(username=f"u{counter['n']}_{role}")
        user.set_unusable_password()  # tests log in with force_login; no slow password hashing
        user.save()
        Membership.objects.create(user=user, role=role, prefecture=prefecture, position_ids=list(position_ids),
                                  deputy_id=deputy_id)
        return user
    return make


@pytest.fixture
def users(make_user, kunming, qujing):
    return {
        "province_monitor": make_user(Role.PROVINCE_MONITOR),
        "province_admin": make_user(Role.PROVINCE_ADMIN),
        "kunming_admin": make_user(Role.PREFECTURE_ADMIN, kunming),
        "kunming_staff": make_user(Role.STATION_STAFF, kunming),
        "kunming_deputy": make_user(Role.DEPUTY, kunming),
        "qujing_admin": make_user(Role.PREFECTURE_ADMIN, qujing),
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
