"""Fixtures of the statistics tests: two prefectures with data, refreshed roll-ups, callers."""
from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts import api_keys
from liaison.platform.accounts.models import Membership, Role, User
from liaison.tenants.stats import services

from . import builders

HOSTS = {"kunming": "kunming.localhost", "qujing": "qujing.localhost", "province": "localhost"}


@pytest.fixture(scope="module")
def stats_data(django_db_setup, django_db_blocker):
    """Hand-made data in kunming and qujing, and their roll-ups computed: built once per
    module inside a transaction that is rolled back after the module (each test's own
    changes roll back after the test, in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with schema_context("kunming"):
            builders.build("530100", variant=0)
        with schema_context("qujing"):
            builders.build("530300", variant=1)
        services.refresh()
        connection.set_schema_to_public()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def stats_users(kunming, qujing):
    def make(name, role, prefecture=None):
        user = User.objects.create(username=f"stats_{name}", is_staff=True)  # no password: tests log in with force_login
        Membership.objects.create(user=user, role=role, prefecture=prefecture)
        return user

    return {
        "province": make("province", Role.PROVINCE_MONITOR),
        "kunming_admin": make("kunming_admin", Role.PREFECTURE_ADMIN, kunming),
        "qujing_admin": make("qujing_admin", Role.PREFECTURE_ADMIN, qujing),
    }


@pytest.fixture
def stats_keys(kunming, qujing):
    return {
        "province": api_keys.create_key(name="大屏", province=True).secret,
        "kunming": api_keys.create_key(name="昆明小程序", prefectures=["kunming"]).secret,
        "qujing": api_keys.create_key(name="曲靖小程序", prefectures=["qujing"]).secret,
    }


def gql(host: str, query: str, variables: dict | None = None, *, key: str | None = None, user=None) -> dict:
    client = Client(HTTP_HOST=HOSTS[host])
    if user is not None:
        client.force_login(user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    resp = client.post("/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json", **headers)
    body = json.loads(resp.content)
    body["_status"] = resp.status_code
    return body


def error_codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
