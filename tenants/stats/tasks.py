"""Celery tasks. `stats.refresh_prefecture` runs in the prefecture's schema (carried in
the task headers by tenant-schemas-celery; see liaison.platform.tasks.fan_out)."""
from __future__ import annotations

from django.db import connection

from liaison.platform.celery import app
from liaison.tenants.registry.models import Prefecture

from . import services


@app.task(name="stats.refresh_prefecture", acks_late=True)
def refresh_prefecture() -> int:
    schema = connection.schema_name
    prefecture = Prefecture.objects.get(schema_name=schema)
    return services.refresh_prefecture(prefecture).rows
