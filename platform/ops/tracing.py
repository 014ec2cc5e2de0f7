"""OpenTelemetry: traces of requests (Django), queries (psycopg), tasks (Celery) and
Redis calls, exported over OTLP/HTTP — only when OTEL_EXPORTER_OTLP_ENDPOINT is set
(the standard OpenTelemetry variables apply: OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS,
OTEL_TRACES_SAMPLER, …). Without it nothing is imported or patched.

`trace_id(request)` is what log lines carry: the active span's trace id when tracing is
on, else the trace id of an incoming W3C `traceparent` header (so a line can still be
matched with the caller's trace), else None.

SQL statements are recorded without parameters (psycopg instrumentation never records
bound values), and no request bodies or headers are recorded, so spans carry no
personal data beyond the URL path.
"""
from __future__ import annotations

import os
import re

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_enabled = False


def enabled() -> bool:
    return _enabled


def init_tracing(exporter=None, service_name: str | None = None) -> bool:
    """Install the SDK and the instrumentations. Called from the ops app's ready() when
    OTEL_EXPORTER_OTLP_ENDPOINT is set; tests pass an in-memory `exporter`."""
    global _enabled
    if _enabled:
        return True
    if exporter is None and not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        return False
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint, headers, timeout from OTEL_EXPORTER_OTLP_*
    name = service_name or os.environ.get("OTEL_SERVICE_NAME") or "liaison"
    provider = TracerProvider(resource=Resource.create({"service.name": name,
                                                        "deployment.environment": os.environ.get("LIAISON_ENVIRONMENT", "")}))
    # BatchSpanProcessor re-creates its thread after fork (gunicorn preloads the app).
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(tracer_provider=provider)
    _after_health_checks()
    PsycopgInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    _enabled = True
    return True


def _after_health_checks() -> None:
    """The instrumentation puts its middleware first; it reads request.get_host(), which
    refuses a probe addressed to the pod's IP. Move it behind HealthCheckMiddleware so
    /healthz, /readyz and /metrics answer (untraced) on any Host, as without tracing."""
    from django.conf import settings

    middleware = list(settings.MIDDLEWARE)
    otel = [m for m in middleware if m.startswith("opentelemetry.")]
    rest = [m for m in middleware if not m.startswith("opentelemetry.")]
    health = rest.index("liaison.platform.ops.middleware.HealthCheckMiddleware") if \
        "liaison.platform.ops.middleware.HealthCheckMiddleware" in rest else -1
    settings.MIDDLEWARE = rest[:health + 1] + otel + rest[health + 1:]


def trace_id(request=None) -> str | None:
    if _enabled:
        from opentelemetry import trace

        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            return format(context.trace_id, "032x")
    if request is not None:
        meta = getattr(request, "META", None) or {}
        match = _TRACEPARENT.match(str(meta.get("HTTP_TRACEPARENT", "")).strip().lower())
        if match and match.group(1) != "0" * 32:
            return match.group(1)
    return None
