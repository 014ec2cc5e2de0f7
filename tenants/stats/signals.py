"""A changed opinion marks its prefecture's statistics stale (refreshed by beat)."""
from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from liaison.tenants.opinions.models import Opinion
from liaison.tenants.opinions.signals import opinion_changed


def _mark_current_schema_stale(**kwargs) -> None:
    # opinion_changed carries the schema; post_save/post_delete run in it.
    schema = kwargs.get("schema_name") or connection.schema_name
    if schema == "public":
        return

    def mark():
        from liaison.platform.rollups.services import mark_stale

        mark_stale(schema)

    transaction.on_commit(mark)


def connect() -> None:
    """Subscribe to the opinions services' signal (batch imports send it too) and to the
    model's own, for writes that go straight through the ORM."""
    opinion_changed.connect(_mark_current_schema_stale, dispatch_uid="stats-opinion-changed")
    post_save.connect(_mark_current_schema_stale, sender=Opinion, dispatch_uid="stats-opinion-saved")
    post_delete.connect(_mark_current_schema_stale, sender=Opinion, dispatch_uid="stats-opinion-deleted")
