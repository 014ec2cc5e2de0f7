"""Sentry initialisation (filled in by the operations work)."""
from __future__ import annotations

import sentry_sdk


def init_sentry(dsn: str, environment: str) -> None:
    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False)
