"""Sentry: a failing resolver on a prefecture host reaches Sentry's transport once,
tagged with the prefecture and request id, with none of the citizen's data.

Sentry is initialised through the production `init_sentry` with an in-memory transport
(a sentry_sdk Transport subclass that keeps envelopes), and the request goes through
Django's WSGIHandler as gunicorn calls it.
"""
from __future__ import annotations

import json

import graphene
import pytest
import sentry_sdk
from celery import shared_task
from django.conf import settings as django_settings
from django.utils.module_loading import import_string
from graphene_django import views as graphene_views
from graphql import GraphQLError
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from liaison.platform.ops import sentry as ops_sentry

CITIZEN = {"citizenName": "李秀英", "citizenPhone": "13987654321", "content": "村口的路灯已经坏了三个月，晚上孩子放学很危险。"}
SECRETS = ("李秀英", "13987654321", "路灯已经坏了")


class MemoryTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for env in self.envelopes for item in env.items if item.headers.get("type") == "event"]

    def raw(self) -> str:
        return b"".join(env.serialize() for env in self.envelopes).decode("utf-8")


@pytest.fixture
def transport():
    memory = MemoryTransport()
    ops_sentry.init_sentry(dsn="https://public@sentry.invalid/42", environment="test-province", transport=memory)
    try:
        yield memory
    finally:
        client = sentry_sdk.get_client()
        client.flush(timeout=2)
        client.close(timeout=2)
        sentry_sdk.get_global_scope().set_client(None)


class FeedbackResult(graphene.ObjectType):
    ok = graphene.Boolean()


def _store_feedback(citizen_name, citizen_phone, content):
    sentry_sdk.add_breadcrumb(category="feedback", message=f"storing feedback from {citizen_phone}",
                              data={"citizen_name": citizen_name, "content": content})
    raise RuntimeError("feedback store unavailable")


class Query(graphene.ObjectType):
    ping = graphene.String()

    def resolve_ping(root, info):
        return "pong"


class Mutation(graphene.ObjectType):
    submit_feedback = graphene.Field(FeedbackResult, citizen_name=graphene.String(), citizen_phone=graphene.String(),
                                     content=graphene.String())
    refuse_feedback = graphene.Field(FeedbackResult, citizen_name=graphene.String())

    def resolve_submit_feedback(root, info, citizen_name, citizen_phone, content):
        opinion_text = content  # a local variable holding the citizen's words
        return _store_feedback(citizen_name, citizen_phone, opinion_text)

    def resolve_refuse_feedback(root, info, citizen_name):
        raise GraphQLError("请先登录 (deliberate, user-facing error)")


FAILING_SCHEMA = graphene.Schema(query=Query, mutation=Mutation)
SUBMIT = """mutation Submit($citizenName: String, $citizenPhone: String, $content: String) {
  submitFeedback(citizenName: $citizenName, citizenPhone: $citizenPhone, content: $content) { ok }
}"""


@pytest.fixture
def failing_schema(monkeypatch):
    """The tiny schema served at /graphql/ through the project's own view and URL.

    graphene-django's view reads `graphene_settings` through a module-level reference
    that override_settings(GRAPHENE=...) does not refresh once read, so the setting is
    patched on that object (restored afterwards)."""
    try:
        from liaison.graphql.core import permissions
    except ImportError:  # pragma: no cover - the view without a permission matrix
        permissions = None
    if permissions is not None and hasattr(permissions, "ROOT_PERMISSIONS"):
        from liaison.platform.accounts.principal import Op

        monkeypatch.setitem(permissions.ROOT_PERMISSIONS, "Mutation.submitFeedback", Op.PUBLIC)
        monkeypatch.setitem(permissions.ROOT_PERMISSIONS, "Mutation.refuseFeedback", Op.PUBLIC)
    monkeypatch.setattr(graphene_views.graphene_settings, "SCHEMA", FAILING_SCHEMA, raising=False)
    # the production middleware list, as settings.GRAPHENE names it
    monkeypatch.setattr(graphene_views.graphene_settings, "MIDDLEWARE",
                        [import_string(m) for m in django_settings.GRAPHENE["MIDDLEWARE"]], raising=False)


@pytest.fixture
def post_graphql(wsgi):
    def post(host: str, query: str, variables: dict) -> tuple[int, dict, dict]:
        status, headers, body = wsgi("POST", "/graphql/", host, json.dumps({"query": query, "variables": variables}).encode())
        return status, headers, json.loads(body)
    return post


def test_failing_resolver_on_a_prefecture_host_yields_one_tagged_scrubbed_event(
        django_db_setup, django_db_blocker, transport, failing_schema, post_graphql):
    with django_db_blocker.unblock():
        status, headers, body = post_graphql("kunming.localhost", SUBMIT, CITIZEN)
    assert body["data"] == {"submitFeedback": None}
    assert body["errors"][0]["path"] == ["submitFeedback"]  # graphene answered with an error...
    sentry_sdk.flush(timeout=2)

    (event,) = transport.events()  # ...and Sentry got exactly one event
    assert event["tags"]["prefecture"] == "kunming"
    assert event["tags"]["request_id"] == headers["x-request-id"]
    assert event["environment"] == "test-province"
    assert event["release"].startswith("liaison@")
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError" and exception["value"] == "feedback store unavailable"
    assert [f["function"] for f in exception["stacktrace"]["frames"]][-2:] == ["resolve_submit_feedback", "_store_feedback"]
    assert all("vars" not in f for f in exception["stacktrace"]["frames"])
    assert event["request"]["url"].startswith("http://kunming.localhost/graphql/")
    assert "REMOTE_ADDR" not in event["request"].get("env", {})
    raw = transport.raw()
    for secret in SECRETS:
        assert secret not in raw, f"{secret!r} reached Sentry"


def test_the_same_failure_on_another_prefecture_is_tagged_with_that_prefecture(
        django_db_setup, django_db_blocker, transport, failing_schema, post_graphql):
    with django_db_blocker.unblock():
        post_graphql("qujing.localhost", SUBMIT, CITIZEN)
    sentry_sdk.flush(timeout=2)
    (event,) = transport.events()
    assert event["tags"]["prefecture"] == "qujing"


def test_deliberate_graphql_errors_are_answers_not_sentry_events(
        django_db_setup, django_db_blocker, transport, failing_schema, post_graphql):
    with django_db_blocker.unblock():
        status, _, body = post_graphql("kunming.localhost", "mutation { refuseFeedback(citizenName: \"李秀英\") { ok } }", {})
        post_graphql("kunming.localhost", "{ notAField }", {})  # validation error
    assert body["errors"][0]["message"].startswith("请先登录")
    sentry_sdk.flush(timeout=2)
    assert transport.events() == []


def test_without_the_middleware_graphene_django_would_swallow_the_error(
        django_db_setup, django_db_blocker, transport, failing_schema, monkeypatch, post_graphql):
    """Why SentryGraphQLMiddleware exists: the Graphene integration alone does not see
    graphene-django's execution, and only a log line could report the error."""
    monkeypatch.setattr(graphene_views.graphene_settings, "MIDDLEWARE", [])
    with sentry_sdk.new_scope() as scope:
        scope.add_event_processor(lambda event, hint: None if "log_record" in hint else event)
        with django_db_blocker.unblock():
            post_graphql("kunming.localhost", SUBMIT, CITIZEN)
    sentry_sdk.flush(timeout=2)
    assert transport.events() == []


def test_scrubber_removes_personal_data_everywhere_it_can_hide():
    event = {
        "request": {
            "url": "https://kunming.rd.example.cn/graphql/?variables=%7B%22citizenName%22%3A%22%E6%9D%8E%22%7D",
            "method": "POST",
            "query_string": "variables=...13987654321",
            "data": {"query": SUBMIT, "variables": CITIZEN},
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Bearer lsk_secret", "Cookie": "sessionid=abc", "User-Agent": "probe",
                        "X-Forwarded-For": "1.2.3.4", "X-Request-ID": "req-123456"},
            "env": {"REMOTE_ADDR": "1.2.3.4", "SERVER_NAME": "kunming.rd.example.cn"},
        },
        "exception": {"values": [{
            "type": "IntegrityError",
            "value": 'duplicate key\nDETAIL:  Key (citizen_phone)=(13987654321) already exists.',
            "stacktrace": {"frames": [{"function": "register", "vars": {"citizen_name": "'李秀英'", "content": "'路灯已经坏了'"}}]},
        }]},
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "run", "vars": {"x": "'李秀英'"}}]}}]},
        "breadcrumbs": {"values": [
            {"category": "query", "message": "INSERT INTO opinions_opinion VALUES (%s, %s)", "data": {"db.params": ["李秀英", "13987654321"]}},
            {"category": "log", "message": "sms to 13987654321 queued", "data": {"citizenName": "李秀英"}},
        ]},
        "logentry": {"message": "reply to %s", "params": ["李秀英 路灯已经坏了"]},
        "extra": {"celery-job": {"task_name": "liaison.notify", "args": ["kunming", 42, "李秀英"],
                                 "kwargs": {"phone": "13987654321", "opinion_id": 42}},
                  "citizen_phone": "13987654321"},
        "contexts": {"runtime": {"name": "CPython"}, "note": {"detail": "call 13987654321"}},
        "user": {"id": 5, "username": "li", "email": "li@example.com", "ip_address": "1.2.3.4"},
    }
    cleaned = ops_sentry.scrub_event(json.loads(json.dumps(event)))
    raw = json.dumps(cleaned, ensure_ascii=False)
    for secret in (*SECRETS, "lsk_secret", "sessionid=abc", "1.2.3.4", "li@example.com", "%E6%9D%8E"):
        assert secret not in raw, secret
    assert cleaned["request"]["headers"] == {"User-Agent": "probe", "X-Request-ID": "req-123456"}
    assert cleaned["extra"]["celery-job"]["args"] == ["kunming", 42, "[Filtered]"]
    assert cleaned["extra"]["celery-job"]["kwargs"] == {"phone": "[Filtered]", "opinion_id": 42}
    assert cleaned["contexts"]["runtime"] == {"name": "CPython"}
    assert cleaned["user"] == {"id": 5}
    assert cleaned["breadcrumbs"]["values"][0]["message"] == "INSERT INTO opinions_opinion VALUES (%s, %s)"


def test_release_comes_from_liaison_release_when_set(monkeypatch):
    monkeypatch.setenv("LIAISON_RELEASE", "liaison@2026.11.3+g1a2b3c")
    assert ops_sentry.release() == "liaison@2026.11.3+g1a2b3c"
    monkeypatch.delenv("LIAISON_RELEASE")
    assert ops_sentry.release().startswith("liaison@")


def test_integrations_and_privacy_options_are_set(transport):
    options = sentry_sdk.get_client().options
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    installed = {i.identifier for i in sentry_sdk.get_client().integrations.values()}
    assert {"django", "celery", "graphene"} <= installed



@shared_task(name="liaison.tests.ops.failing_notify")
def failing_notify(opinion_id, message):
    raise RuntimeError("gateway refused the message")


def test_a_failing_task_is_reported_with_its_prefecture_and_without_text_arguments(transport, in_qujing):
    """A Celery task run in a prefecture's schema (eagerly here: no broker in the test
    settings) is tagged with that prefecture and its task id; the arguments, which may
    carry a citizen's words, are not sent (the SDK withholds them without PII; if they
    were sent, the scrubber would keep only identifiers)."""
    message = f"{CITIZEN['citizenName']}您好，您反映的问题已受理：{CITIZEN['content']} 回电 {CITIZEN['citizenPhone']}"
    result = failing_notify.apply(args=[42, message])
    assert result.failed()
    sentry_sdk.flush(timeout=2)
    (event,) = transport.events()
    assert event["tags"]["prefecture"] == "qujing"
    assert event["tags"]["request_id"] == result.id
    raw = transport.raw()
    for secret in SECRETS:
        assert secret not in raw
    job = event["extra"]["celery-job"]
    assert job["task_name"] == "liaison.tests.ops.failing_notify"
    assert job["args"] == "[Filtered]" and job["kwargs"] == "[Filtered]"
