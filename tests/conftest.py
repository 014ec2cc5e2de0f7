"""Shared fixtures: the test database gets two prefecture schemas once per session.

`kunming` and `qujing` are provisioned through the real provisioning service (the
template-clone path) right after pytest-django creates the test database, and are
kept for the whole session; each test's rows roll back with its transaction.
Use `in_kunming` / `in_qujing` to run code inside a schema, and `kunming_client` /
`qujing_client` / `province_client` for HTTP on the matching host.
"""
from __future__ import annotations

import time

import pytest
from browser_support import (  # noqa: F401 - fixtures for the browser tests (tests/browser_support.py)
    browser_server,
    chromium_browser,
    login,
    new_page,
    screenshot,
    screenshots_taken_since,
)
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from liaison.tenants.registry.models import Prefecture

TEST_PREFECTURES = ("kunming", "qujing")
_STARTED = time.time()


def pytest_collection_modifyitems(items):
    # a test that drives chromium is a browser test, whether or not it says so
    for item in items:
        if "chromium_browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    shots = screenshots_taken_since(_STARTED)
    if shots:
        terminalreporter.write_line(f"browser screenshots ({len(shots)}): {shots[0].parent}")


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb,
                    django_db_modify_db_settings):
    """pytest-django's setup, but always for the default database: its own version skips
    the test database when no collected test is marked django_db, and a test that then
    unblocks the database would touch the development data."""
    from django.test.utils import setup_databases, teardown_databases

    from liaison.tenants.registry import yunnan
    from liaison.tenants.registry.provisioning import create_prefecture

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False, aliases={"default"},
                                 keepdb=keepdb)
        for slug in TEST_PREFECTURES:
            if not Prefecture.objects.filter(slug=slug).exists():
                seed = yunnan.by_slug(slug)
                create_prefecture(code=seed.code, slug=slug, name=seed.name, name_en=seed.name_en, kind=seed.kind)
        connection.set_schema_to_public()
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()
    # A request with Accept-Language: en leaves English active in this thread
    # (LocaleMiddleware does not reset it): the next test starts in the default language.
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def kunming(db) -> Prefecture:
    return Prefecture.objects.get(slug="kunming")


@pytest.fixture
def qujing(db) -> Prefecture:
    return Prefecture.objects.get(slug="qujing")


@pytest.fixture
def in_kunming(kunming):
    with schema_context("kunming"):
        yield kunming


@pytest.fixture
def in_qujing(qujing):
    with schema_context("qujing"):
        yield qujing


def host_client(host: str) -> Client:
    return Client(HTTP_HOST=host)


@pytest.fixture
def kunming_client(kunming) -> Client:
    return host_client("kunming.localhost")


@pytest.fixture
def qujing_client(qujing) -> Client:
    return host_client("qujing.localhost")


@pytest.fixture
def province_client(db) -> Client:
    return host_client("localhost")


@pytest.fixture
def redis_celery_worker(django_db_setup, django_db_blocker, worker_id):
    """A real Celery worker thread consuming from the Redis broker in LIAISON_TEST_REDIS_URL.

    pytest-xdist workers share one Redis server; each gets its own database number
    (gw0 → the configured one, gw1 → one below, …), since a task taken by another test
    process would run against that process's test database.
    """
    import os

    from celery.contrib.testing.worker import start_worker

    from liaison.platform.celery import app

    url = os.environ.get("LIAISON_TEST_REDIS_URL")
    if not url:
        pytest.skip("set LIAISON_TEST_REDIS_URL to run against a real Redis broker")
    base, _, db = url.rstrip("/").rpartition("/")
    offset = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    broker = f"{base}/{int(db or 0) - offset}"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=broker, task_always_eager=False)
    _forget_producers(app)
    try:
        with app.connection_for_write() as conn:
            app.control.purge(connection=conn)  # leftovers of an interrupted run
        with django_db_blocker.unblock():
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                yield app
    finally:
        app.conf.update(saved)
        _forget_producers(app)


def _forget_producers(app) -> None:
    """Connections and producers made for the eager/memory:// configuration would keep
    publishing there after the broker URL changes; drop both caches, as Celery itself
    does after a fork."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
