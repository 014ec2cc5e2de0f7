"""Helpers for generator tests: dump a schema's generated rows for comparison."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from liaison.tenants.generator.api import tenant_models

AS_OF = date(2025, 6, 30)


def dump(schema: str) -> dict[str, list[tuple]]:
    """Every row of every prefecture table (ordered by primary key)."""
    out = {}
    with connection.cursor() as cursor:
        for model in tenant_models():
            if model._meta.app_label in {"contenttypes", "admin"}:
                continue
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{schema}"."{table}" ORDER BY 1')
            out[table] = cursor.fetchall()
    return out


def counts(schema: str) -> dict[str, int]:
    return {table: len(rows) for table, rows in dump(schema).items()}


@pytest.fixture
def as_of() -> date:
    return AS_OF
