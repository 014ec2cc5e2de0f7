"""Operations middleware. Both sit at the top of settings.MIDDLEWARE, in this order:

1. HealthCheckMiddleware answers /healthz and /readyz before anything else runs (no
   tenant lookup, no Host validation, no session): probes reach pods by IP.
2. RequestContextMiddleware gives every request an id (the incoming ``X-Request-ID``
   when it is a plain token, else a new one), echoes it in the response's
   ``X-Request-ID``, binds the request for log lines and Sentry events, and writes one
   ``liaison.request`` line per request (method, path without query string, status,
   duration, plus the context fields). It is outside the tenant middleware, so even a
   404 for an unknown host is logged with its id.
"""
from __future__ import annotations

import json
import logging
import re
import time

from . import context, metrics
from .health import ENDPOINTS

request_log = logging.getLogger("liaison.request")


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None and request.path_info == "/metrics":
            endpoint = metrics.metrics_view
        if endpoint is not None and request.method in ("GET", "HEAD"):
            return endpoint(request)
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = context.new_request_id(request.META.get(context.REQUEST_ID_HEADER))
        token = context.bind_request(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            seconds = time.monotonic() - started
            duration_ms = round(seconds * 1000, 1)
            extra = {"method": request.method, "path": request.path, "status": response.status_code, "duration_ms": duration_ms}
            operation = graphql_operation(request)
            if operation:
                extra["graphql_operation"] = operation
            request_log.log(
                logging.WARNING if response.status_code >= 500 else logging.INFO,
                "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms, extra=extra,
            )
            metrics.observe_request(request, response.status_code, seconds)
            return response
        finally:
            context.unbind_request(token)


_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})")
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")


def graphql_operation(request) -> str | None:
    """The GraphQL operation name(s) of a /graphql request, for the log line: the
    `operationName` the client sent, else the name in the document; batches joined by
    commas. Only names (a GraphQL name is letters, digits and _), never variables."""
    if not request.path.startswith("/graphql"):
        return None
    payloads: list = []
    if request.method == "GET":
        payloads = [{"operationName": request.GET.get("operationName"), "query": request.GET.get("query")}]
    else:
        body = getattr(request, "_body", None)  # only what the view already read
        if body and len(body) <= 1_000_000 and "json" in request.META.get("CONTENT_TYPE", ""):
            try:
                parsed = json.loads(body)
            except (ValueError, RecursionError):   # malformed, or nested past the stack: the view refuses it
                return None
            payloads = parsed if isinstance(parsed, list) else [parsed]
    names = []
    for payload in payloads[:20]:
        if not isinstance(payload, dict):
            continue
        name = payload.get("operationName")
        if not (isinstance(name, str) and _NAME.match(name)):
            match = _OPERATION.match(payload.get("query") or "") if isinstance(payload.get("query"), str) else None
            name = match.group(1) if match else None
        names.append(name or "anonymous")
    return ",".join(names) or None
