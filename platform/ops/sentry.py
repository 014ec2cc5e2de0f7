"""Error reporting to Sentry: tagged with the prefecture, free of personal data.

``init_sentry`` is called by settings when SENTRY_DSN is set. It enables the Django,
Celery and Graphene integrations, sets the release (``LIAISON_RELEASE`` or
``liaison@<package version>``) and the environment, and never sends personal data:

- ``send_default_pii=False`` (no cookies, user details or client IPs);
- ``max_request_body_size="never"`` and ``include_local_variables=False``: request
  bodies (GraphQL queries and variables: citizens' names, phones, opinion text) and
  stack-frame locals are not even collected;
- ``before_send`` / ``before_breadcrumb`` scrub whatever remains (``scrub_event``):
  request data, query strings and non-allowlisted headers are dropped, frame variables
  removed, task arguments kept only when they are plain identifiers, and every other
  string goes through liaison.platform.ops.privacy (sensitive keys, phone and ID
  numbers, PostgreSQL row values in error details).

Each event is tagged ``prefecture`` (the schema: ``kunming``; ``public`` for the
province), ``request_id`` (the X-Request-ID of the request, or the Celery task id),
and ``user_id`` / ``key_id`` when known.

Resolver errors. graphene-django's GraphQLView executes through graphql-core directly,
which the Graphene integration (it patches graphene's ``Schema.execute``) does not see;
the errors are turned into the response's ``errors`` and would be lost. The graphene
middleware ``SentryGraphQLMiddleware`` (settings.GRAPHENE["MIDDLEWARE"]) reports each
unexpected resolver exception once and lets graphene answer as usual (the view logs
it). Deliberate errors (GraphQLError, PermissionDenied,
ServiceError, ValidationError) are answers, not bugs, and are not reported. The Graphene
integration stays enabled for code that calls ``schema.execute`` itself; duplicates of
an already reported exception are dropped in ``before_send``.
"""
from __future__ import annotations

import os
import warnings
from importlib import metadata
from typing import Any

import sentry_sdk

from . import context, privacy

# Headers that may be sent; everything else (Authorization, Cookie, X-Forwarded-For …) is dropped.
ALLOWED_HEADERS = frozenset({
    "host", "user-agent", "content-type", "content-length", "accept", "accept-language",
    "x-request-id", "x-forwarded-proto", "x-forwarded-host",
})
CAPTURED_FLAG = "_liaison_sentry_reported"


def release() -> str:
    configured = os.environ.get("LIAISON_RELEASE", "").strip()
    if configured:
        return configured
    try:
        return f"liaison@{metadata.version('liaison')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "liaison@unknown"


def init_sentry(dsn: str, environment: str, *, release_name: str | None = None, transport: Any = None,
                traces_sample_rate: float | None = None) -> None:
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.graphene import GrapheneIntegration

    if traces_sample_rate is None:
        traces_sample_rate = float(os.environ.get("LIAISON_SENTRY_TRACES_SAMPLE_RATE", "0") or 0)
    options: dict[str, Any] = dict(
        dsn=dsn,
        environment=environment,
        release=release_name or release(),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        integrations=[DjangoIntegration(), CeleryIntegration(), GrapheneIntegration()],
        before_send=before_send,
        before_send_transaction=before_send_transaction,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )
    if transport is not None:
        options["transport"] = transport
    with warnings.catch_warnings():
        # sentry-sdk 2.5x deprecates send_default_pii in favour of data_collection; we keep
        # it (explicitly False), which also keeps the SDK's own EventScrubber enabled.
        warnings.filterwarnings("ignore", message="The send_default_pii option is deprecated", category=DeprecationWarning)
        sentry_sdk.init(**options)


# --- GraphQL resolver errors -----------------------------------------------------------------

def _expected_errors() -> tuple[type[BaseException], ...]:
    from django.core.exceptions import PermissionDenied, ValidationError
    from graphql import GraphQLError

    from liaison.tenants.common.errors import ServiceError

    return (GraphQLError, PermissionDenied, ValidationError, ServiceError)


class SentryGraphQLMiddleware:
    """Graphene middleware: report unexpected resolver exceptions once, then re-raise
    (graphene turns them into the response's ``errors``; the GraphQL view logs them)."""

    def resolve(self, next_, root, info, **args):
        try:
            return next_(root, info, **args)
        except _expected_errors():
            raise
        except Exception as exc:
            if not getattr(exc, CAPTURED_FLAG, False):
                try:
                    setattr(exc, CAPTURED_FLAG, True)
                except AttributeError:  # pragma: no cover - exceptions with __slots__
                    pass
                with sentry_sdk.new_scope() as scope:
                    scope.set_tag("graphql.field", f"{info.parent_type.name}.{info.field_name}")
                    sentry_sdk.capture_exception(exc)
            raise


# --- Scrubbing --------------------------------------------------------------------------------

def _scrub_request(request: dict) -> dict:
    cleaned: dict[str, Any] = {}
    for key in ("method", "api_target"):
        if key in request:
            cleaned[key] = request[key]
    if request.get("url"):
        cleaned["url"] = str(request["url"]).split("?", 1)[0]
    if request.get("data") not in (None, "", {}, []):
        cleaned["data"] = privacy.FILTERED
    if request.get("query_string"):
        cleaned["query_string"] = privacy.FILTERED
    headers = request.get("headers") or {}
    if isinstance(headers, dict):
        cleaned["headers"] = {k: privacy.scrub(v) for k, v in headers.items() if k.lower() in ALLOWED_HEADERS}
    env = request.get("env") or {}
    if isinstance(env, dict):
        cleaned["env"] = {k: v for k, v in env.items() if k in ("SERVER_NAME", "SERVER_PORT")}
    return cleaned


def _scrub_frames(container: dict | None) -> None:
    for frame in ((container or {}).get("stacktrace") or {}).get("frames") or []:
        frame.pop("vars", None)


def scrub_breadcrumb(crumb: dict) -> dict:
    crumb = dict(crumb)
    if crumb.get("message"):
        crumb["message"] = privacy.scrub_text(str(crumb["message"]))
    data = crumb.get("data")
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in ("db.params", "db.cursor")}
        crumb["data"] = privacy.scrub(data)
    return crumb


def scrub_event(event: dict) -> dict:
    """Remove personal data from an event (errors and transactions alike)."""
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = privacy.scrub_text(str(exception["value"]))
        _scrub_frames(exception)
    for thread in (event.get("threads") or {}).get("values") or []:
        _scrub_frames(thread)
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict) and isinstance(crumbs.get("values"), list):
        crumbs["values"] = [scrub_breadcrumb(c) for c in crumbs["values"]]
    elif isinstance(crumbs, list):
        event["breadcrumbs"] = [scrub_breadcrumb(c) for c in crumbs]
    if isinstance(event.get("logentry"), dict):
        entry = event["logentry"]
        for key in ("message", "formatted"):
            if entry.get(key):
                entry[key] = privacy.scrub_text(str(entry[key]))
        if entry.get("params"):
            entry["params"] = privacy.identifiers_only(entry["params"])
    if isinstance(event.get("message"), str):
        event["message"] = privacy.scrub_text(event["message"])
    extra = event.get("extra")
    if isinstance(extra, dict):
        job = extra.get("celery-job")
        if isinstance(job, dict):
            extra["celery-job"] = {**job, "args": privacy.identifiers_only(job.get("args")),
                                   "kwargs": privacy.identifiers_only(job.get("kwargs"))}
        event["extra"] = {k: (v if k == "celery-job" else privacy.scrub(v)) for k, v in extra.items()}
    if isinstance(event.get("contexts"), dict):
        # SDK-made contexts (runtime, os, trace …) use keys such as "name": scrub text only.
        event["contexts"] = privacy.scrub(event["contexts"], keys=False)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {k: v for k, v in user.items() if k == "id"}
    for span in event.get("spans") or []:
        if isinstance(span.get("data"), dict):
            span["data"] = privacy.scrub({k: v for k, v in span["data"].items()
                                          if k not in ("db.params", "db.cursor", "graphql.document")})
        if span.get("description"):
            span["description"] = privacy.scrub_text(str(span["description"]).split("?", 1)[0])
    return event


def _tag(event: dict) -> dict:
    tags = event.get("tags")
    if not isinstance(tags, dict):
        tags = {}
    for key, value in context.fields().items():
        if value is not None:
            tags.setdefault(key, str(value))
    event["tags"] = tags
    return event


def _is_duplicate_or_expected(hint: dict | None) -> bool:
    """Drop GraphQL errors that are answers, not bugs, and ones already reported (the
    view's log line for a resolver error, the Graphene integration's copy)."""
    exc_info = (hint or {}).get("exc_info")
    if not exc_info:
        return False
    exc = exc_info[1]
    from graphql import GraphQLError

    if hint.get("log_record") is not None and getattr(exc, CAPTURED_FLAG, False):
        return True
    if isinstance(exc, GraphQLError):
        original = exc.original_error
        if original is None or isinstance(original, _expected_errors()):
            return True  # syntax, validation and deliberate errors
        return bool(getattr(original, CAPTURED_FLAG, False))
    return False


def before_send(event: dict, hint: dict | None) -> dict | None:
    if _is_duplicate_or_expected(hint):
        return None
    return scrub_event(_tag(event))


def before_send_transaction(event: dict, hint: dict | None) -> dict | None:
    return scrub_event(_tag(event))


def before_breadcrumb(crumb: dict, hint: dict | None) -> dict | None:
    return scrub_breadcrumb(crumb)
