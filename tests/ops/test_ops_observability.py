"""Observability: /metrics (safe under django-tenants, no personal data in labels), the
request log line's trace id and GraphQL operation name, and OpenTelemetry export when an
OTLP endpoint is configured (to a local HTTP server standing in for the collector)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_metrics_are_served_on_the_province_host_only_without_a_token(kunming):
    Client(HTTP_HOST="kunming.localhost").get("/p/SECRET-CODE-123/")
    response = Client(HTTP_HOST="localhost").get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'liaison_http_requests_total{interface="public",method="GET",prefecture="kunming",status="4xx"}' in text
    assert "SECRET-CODE-123" not in text  # paths are never labels
    assert Client(HTTP_HOST="kunming.localhost").get("/metrics").status_code == 404


@override_settings(LIAISON_METRICS_TOKEN="m" * 40)
def test_with_a_token_metrics_need_it_on_every_host(kunming):
    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 404
    assert Client(HTTP_HOST="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    ok = Client(HTTP_HOST="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION="Bearer " + "m" * 40)
    assert ok.status_code == 200 and "liaison_http_request_duration_seconds" in ok.content.decode()


def test_request_line_carries_the_trace_id_and_the_graphql_operation(kunming, json_log):
    client = Client(HTTP_HOST="kunming.localhost")
    client.post("/graphql/", json.dumps({"query": "query PositionsPage { __typename }", "operationName": "PositionsPage"}),
                content_type="application/json", HTTP_TRACEPARENT=f"00-{TRACE}-00f067aa0ba902b7-01")
    client.post("/graphql/", json.dumps([{"query": "query A { __typename }"}, {"query": "{ __typename }"}]),
                content_type="application/json")
    first, batch = [r for r in json_log.records() if r["logger"] == "liaison.request"]
    assert first["graphql_operation"] == "PositionsPage" and first["trace_id"] == TRACE
    assert batch["graphql_operation"] == "A,anonymous" and batch["trace_id"] is None


class Collector(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Collector.received.append((self.path, self.headers.get("Content-Type"), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args):
        pass


SCRIPT = """
import io, sys, django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from opentelemetry import trace
from liaison.platform.ops import tracing
assert tracing.enabled()
def call(path, host):
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": host, "SERVER_PORT": "80",
           "HTTP_HOST": host, "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http"}
    status = []
    out = b"".join(WSGIHandler()(env, lambda s, headers, exc=None: status.append(s)))
    return status[0]
assert call("/healthz", "10.0.0.9").startswith("200")  # probes by address: not traced, not refused
assert call("/no-such-page/", "localhost").startswith("404")
trace.get_tracer_provider().force_flush()
print("done")
"""


def test_traces_are_exported_over_otlp_only_when_an_endpoint_is_set():
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received = []
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "DEBUG"))}
    base.update({"DJANGO_SETTINGS_MODULE": "liaison.platform.settings", "DATABASE_URL": "postgres://x@127.0.0.1:1/x",
                 "OTEL_SERVICE_NAME": "liaison-web-test"})
    try:
        without = subprocess.run([sys.executable, "-c", SCRIPT], env=base, capture_output=True, text=True, timeout=120)
        assert without.returncode != 0 and "AssertionError" in without.stderr  # nothing installed
        endpoint = f"http://127.0.0.1:{server.server_port}"
        result = subprocess.run([sys.executable, "-c", SCRIPT], env={**base, "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    finally:
        server.shutdown()
    (path, content_type, body), *_ = Collector.received
    assert path == "/v1/traces" and content_type == "application/x-protobuf"
    assert b"liaison-web-test" in body and b"GET" in body and b"/healthz" not in body
