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

import logging
import time

from . import context
from .health import ENDPOINTS

request_log = logging.getLogger("liaison.request")


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info)
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
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            request_log.log(
                logging.WARNING if response.status_code >= 500 else logging.INFO,
                "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
                extra={"method": request.method, "path": request.path, "status": response.status_code, "duration_ms": duration_ms},
            )
            return response
        finally:
            context.unbind_request(token)
