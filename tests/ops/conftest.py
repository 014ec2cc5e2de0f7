"""Fixtures for the operations tests: a port nothing listens on, WSGI calls as gunicorn
makes them, and a log handler writing through the production formatters."""
from __future__ import annotations

import io
import json
import logging
import socket
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from liaison.platform.ops.logging import ContextFilter, JsonFormatter


@pytest.fixture
def closed_port() -> int:
    """A local TCP port with nothing listening: connecting to it is refused, as it is
    for a stopped server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wsgi_call(method: str, path: str, host: str, body: bytes = b"", content_type: str = "application/json",
              headers: dict | None = None) -> tuple[int, dict, bytes]:
    """Call the WSGI application the way gunicorn does (a real WSGIHandler, not the test
    client), so Sentry's WSGI and Django instrumentation runs as in production."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": host, "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host,
        "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "10.0.0.7",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured: dict = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = {k.lower(): v for k, v in response_headers}

    # As Django's test client does: keep the test's connection open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return captured["status"], captured["headers"], content


class JsonLines:
    def __init__(self):
        self.stream = io.StringIO()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def json_log():
    """Everything logged under `liaison` during the test, as the production JSON lines."""
    lines = JsonLines()
    handler = logging.StreamHandler(lines.stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("liaison")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@pytest.fixture
def wsgi():
    return wsgi_call
