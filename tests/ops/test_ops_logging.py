"""Logs: one JSON object per line with time, level, request id, prefecture and caller;
no personal data; text in development."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import User
from liaison.platform.ops import context
from liaison.platform.ops.logging import build_logging_config

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "LIAISON_BASE_HOST": "rd.yn.example.cn",
    "DATABASE_URL": "postgres://liaison@127.0.0.1:1/liaison",  # never connected: only logging runs
    "SENTRY_DSN": "",
    "LIAISON_LOG_FORMAT": "",
    "DJANGO_SETTINGS_MODULE": "liaison.platform.settings",
}


def test_every_request_gets_an_id_echoed_in_the_response(db):
    first = Client(HTTP_HOST="kunming.localhost").get("/graphql/", {"query": "{ __typename }"})
    second = Client(HTTP_HOST="kunming.localhost").get("/graphql/", {"query": "{ __typename }"})
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_an_upstream_request_id_is_kept_and_a_malformed_one_replaced(db):
    kept = Client(HTTP_HOST="kunming.localhost", HTTP_X_REQUEST_ID="ingress-5f2c9a7e11").get("/graphql/", {"query": "{ __typename }"})
    assert kept["X-Request-ID"] == "ingress-5f2c9a7e11"
    forged = Client(HTTP_HOST="kunming.localhost", HTTP_X_REQUEST_ID='x" level=ERROR\n').get("/graphql/", {"query": "{ __typename }"})
    assert forged["X-Request-ID"] != 'x" level=ERROR\n' and len(forged["X-Request-ID"]) == 32


def test_request_line_is_json_with_id_prefecture_and_no_query_string(db, json_log):
    response = Client(HTTP_HOST="kunming.localhost").get(
        "/graphql/", {"query": "{ __typename }", "variables": json.dumps({"citizenPhone": "13812345678"})})
    (line,) = [r for r in json_log.records() if r["logger"] == "liaison.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["prefecture"] == "kunming"
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    assert line["method"] == "GET" and line["path"] == "/graphql/" and line["status"] == response.status_code
    assert line["user_id"] is None and line["key_id"] is None
    assert "13812345678" not in json_log.text() and "citizenPhone" not in json_log.text()


def test_a_different_prefecture_is_logged_as_itself(db, json_log):
    Client(HTTP_HOST="qujing.localhost").get("/graphql/", {"query": "{ __typename }"})
    Client(HTTP_HOST="localhost").get("/graphql/", {"query": "{ __typename }"})
    assert [r["prefecture"] for r in json_log.records() if r["logger"] == "liaison.request"] == ["qujing", "public"]


def test_an_unknown_host_is_logged_with_its_id_and_no_prefecture(db, json_log):
    response = Client(HTTP_HOST="nowhere.localhost").get("/graphql/")
    (line,) = [r for r in json_log.records() if r["logger"] == "liaison.request"]
    assert line["status"] == response.status_code >= 400
    assert line["request_id"] == response["X-Request-ID"]
    assert line["prefecture"] is None


def test_a_signed_in_user_is_logged_by_id_only(db, json_log):
    user = User.objects.create_user(username="ops-log-user", password="pw-12345678", first_name="张三")
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(user)
    client.get("/admin/")  # the admin looks at request.user
    (line,) = [r for r in json_log.records() if r["logger"] == "liaison.request"]
    assert line["user_id"] == user.pk and line["key_id"] is None
    assert "ops-log-user" not in json_log.text() and "张三" not in json_log.text()


def test_an_api_key_caller_is_logged_by_key_id(json_log):
    request = SimpleNamespace(request_id="r" * 32, tenant=SimpleNamespace(schema_name="kunming"),
                              _liaison_principal=SimpleNamespace(user_id=None, api_key_id=7))
    token = context.bind_request(request)
    try:
        logging.getLogger("liaison.test").info("key call")
    finally:
        context.unbind_request(token)
    (line,) = json_log.records()
    assert (line["request_id"], line["prefecture"], line["user_id"], line["key_id"]) == ("r" * 32, "kunming", None, 7)


def test_a_celery_task_logs_its_task_id_and_schema(db, json_log):
    token = context.bind_task("6f1c0d7e-task", "liaison.test")
    try:
        with schema_context("qujing"):
            logging.getLogger("liaison.test").info("task step")
    finally:
        context.unbind_task(token)
    connection.set_schema_to_public()
    (line,) = json_log.records()
    assert line["request_id"] == "6f1c0d7e-task" and line["prefecture"] == "qujing"


def test_personal_data_is_removed_from_messages_extras_and_tracebacks(json_log):
    log = logging.getLogger("liaison.test")
    log.warning("callback to %s failed for opinion %s", "13812345678", "YN-2024-000123",
                extra={"citizen_name": "张三", "citizenPhone": "13900001111", "opinion_id": 42})
    try:
        raise ValueError('duplicate key value violates unique constraint\nDETAIL:  Key (citizen_phone, title)=(13700002222, 路灯坏了) already exists.')
    except ValueError:
        log.exception("insert failed; id card 53010219900101123X")
    text = json_log.text()
    for secret in ("13812345678", "张三", "13900001111", "13700002222", "路灯坏了", "53010219900101123X"):
        assert secret not in text
    first, second = json_log.records()
    assert first["message"] == "callback to [Filtered] failed for opinion YN-2024-000123"
    assert first["citizen_name"] == "[Filtered]" and first["opinion_id"] == 42
    assert "Key (citizen_phone, title)=([Filtered]) already exists" in second["exc_info"]


def test_format_is_text_in_development_and_json_otherwise(monkeypatch):
    monkeypatch.delenv("LIAISON_LOG_FORMAT", raising=False)
    assert build_logging_config(debug=True)["handlers"]["console"]["formatter"] == "text"
    assert build_logging_config(debug=False)["handlers"]["console"]["formatter"] == "json"
    monkeypatch.setenv("LIAISON_LOG_FORMAT", "json")
    assert build_logging_config(debug=True)["handlers"]["console"]["formatter"] == "json"
    monkeypatch.setenv("LIAISON_LOG_FORMAT", "text")
    assert build_logging_config(debug=False)["handlers"]["console"]["formatter"] == "text"


def _log_from_fresh_process(extra_env: dict) -> str:
    env = {**os.environ, **PRODUCTION_ENV, **extra_env}
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('liaison.ops.check').warning('reached %s', '13812345678')")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_production_settings_write_json_lines():
    """The real settings with DEBUG=false, in a fresh interpreter: stderr carries JSON."""
    line = json.loads(_log_from_fresh_process({}))
    assert line["level"] == "WARNING" and line["logger"] == "liaison.ops.check"
    assert line["message"] == "reached [Filtered]"
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "prefecture", "user_id", "key_id"}


def test_liaison_log_format_text_overrides_production_default():
    line = _log_from_fresh_process({"LIAISON_LOG_FORMAT": "text"})
    assert "WARNING liaison.ops.check [- -] reached [Filtered]" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_django_request_lines_carry_the_context_but_not_the_query_string(db):
    """django.request logs 404s after the middleware has returned, passing the request
    object; the line still gets the request id and never the query string."""
    from io import StringIO

    from liaison.platform.ops.logging import ContextFilter, JsonFormatter

    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client(HTTP_HOST="kunming.localhost").get("/no-such-page/", {"citizenPhone": "13812345678", "q": "张三"})
    finally:
        logger.removeHandler(handler)
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert response.status_code == 404
    assert line["request_id"] == response["X-Request-ID"] and line["prefecture"] == "kunming"
    assert line["request"] == "GET /no-such-page/"
    assert "13812345678" not in stream.getvalue() and "张三" not in stream.getvalue()
