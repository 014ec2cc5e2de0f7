"""Celery tasks of ledger import and export.

Each runs in one prefecture's schema: tenant-schemas-celery carries the schema in the
task headers, and the schema is also an argument, checked and switched to here, so a
task can never run against another prefecture's tables (nor `public`) by accident.
"""
from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context

from liaison.platform.celery import app


def _in_schema(schema: str, func, *args):
    if schema in ("public", "tenant_template") or not schema:
        raise ValueError(f"ledger tasks run in a prefecture's schema, not {schema!r}")
    if connection.schema_name == schema:
        return func(*args)
    with schema_context(schema):
        return func(*args)


@app.task(name="ledger.check_import")
def check_import(batch_id: str, schema: str) -> str:
    from . import services

    return _in_schema(schema, services.check_batch, batch_id).status


@app.task(name="ledger.apply_import")
def apply_import(batch_id: str, schema: str) -> str:
    from . import services

    return _in_schema(schema, services.apply_batch, batch_id).status


@app.task(name="ledger.run_export")
def run_export(job_id: str, schema: str) -> str:
    from . import services

    return _in_schema(schema, services.run_export, job_id).status
