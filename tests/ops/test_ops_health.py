"""/healthz and /readyz: unauthenticated, on every host (even a pod IP), and /readyz
names the dependency that is down — checked against real refused connections."""
from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client, override_settings

PROBE_HOSTS = ["localhost", "kunming.localhost", "qujing.localhost", "10.42.0.17:8000", "unknown.example.org"]


@pytest.mark.parametrize("host", PROBE_HOSTS)
def test_healthz_answers_on_every_host_without_touching_the_database(host):
    # No `db` fixture: any query would fail the test.
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("host", PROBE_HOSTS)
def test_readyz_reports_the_database_ready_on_every_host(db, host):
    response = Client(HTTP_HOST=host).get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_health_endpoints_answer_head_requests(db):
    assert Client(HTTP_HOST="10.42.0.17").head("/healthz").status_code == 200
    assert Client(HTTP_HOST="10.42.0.17").head("/readyz").status_code == 200


def test_readyz_reports_503_naming_the_database_when_it_is_stopped(django_db_setup, django_db_blocker, closed_port):
    """The default connection is pointed at a port where no server listens (a stopped
    PostgreSQL): the real driver fails to connect and /readyz says so."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    with django_db_blocker.unblock():
        conn.close()
        conn.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port))
        try:
            response = Client(HTTP_HOST="kunming.localhost").get("/readyz")
            liveness = Client(HTTP_HOST="kunming.localhost").get("/healthz")
        finally:
            conn.close()
            conn.settings_dict.clear()
            conn.settings_dict.update(saved)
        # and the real database is reachable again afterwards
        assert Client(HTTP_HOST="kunming.localhost").get("/readyz").status_code == 200
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unavailable: OperationalError"
    assert str(closed_port) not in response.content.decode()  # no connection details leak
    assert liveness.status_code == 200  # liveness does not depend on the database


def test_readyz_checks_a_configured_redis_broker(db):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/8"):
        response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_reports_a_stopped_broker(db, closed_port):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port}/8"):
        response = Client(HTTP_HOST="kunming.localhost").get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "unavailable: ConnectionError"}


def test_readyz_skips_the_broker_when_tasks_run_eagerly(db, settings):
    assert settings.CELERY_BROKER_URL == "memory://"  # no CELERY_BROKER_URL in the test environment
    assert "broker" not in Client(HTTP_HOST="localhost").get("/readyz").json()["checks"]


def test_readyz_reports_unreachable_elasticsearch(db, closed_port):
    with override_settings(ELASTICSEARCH_URL=f"http://127.0.0.1:{closed_port}"):
        response = Client(HTTP_HOST="kunming.localhost").get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["search"].startswith("unavailable: ")


def test_an_optional_check_is_reported_but_keeps_the_pod_ready(db, closed_port, monkeypatch):
    monkeypatch.setenv("LIAISON_READYZ_OPTIONAL", "search")
    with override_settings(ELASTICSEARCH_URL=f"http://127.0.0.1:{closed_port}"):
        response = Client(HTTP_HOST="kunming.localhost").get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["search"].startswith("unavailable: ")


def test_other_paths_on_an_unknown_host_are_still_refused(db):
    """Only the probes bypass host routing: anything else on a host that is neither the
    province nor a prefecture is not served."""
    response = Client(HTTP_HOST="unknown.localhost").get("/graphql/")
    assert response.status_code in (400, 404)
