"""Refreshing a prefecture's statistics: compute in its schema, write to public."""
from __future__ import annotations

import logging

from django.db import transaction
from django_tenants.utils import schema_context

from liaison.tenants.registry.models import Prefecture

from . import compute

log = logging.getLogger("liaison.stats")


def refresh_prefecture(prefecture: Prefecture, *, province: bool = True):
    """Compute `prefecture`'s facts inside its own schema and replace its roll-up rows.

    The two steps are separate on purpose: the computation reads only the tenant's
    schema and returns plain rows; the write touches only public tables. Nothing here
    needs one server to hold both (docs/ARCHITECTURE.md, "Beyond one machine").
    """
    from liaison.platform.rollups import services as rollups

    try:
        with schema_context(prefecture.schema_name):
            facts = compute.compute()
        with schema_context("public"):
            snapshot = rollups.replace_prefecture_facts(prefecture, facts, province=province)
    except Exception as exc:
        log.exception("statistics refresh failed for %s", prefecture.schema_name)
        with schema_context("public"):
            rollups.record_failure(prefecture, f"{type(exc).__name__}: {exc}")
        raise
    log.info("statistics refreshed for %s: %d rows in %.2fs", prefecture.schema_name, snapshot.rows, facts.seconds)
    return snapshot


def refresh(slugs: list[str] | None = None, *, each=None) -> list:
    """Refresh the given prefectures (all when None), one after another, in this process;
    the province's summary is rebuilt once at the end rather than after each. `each(p,
    snapshot)` is called after every prefecture (progress output)."""
    from liaison.platform.rollups import summary

    qs = Prefecture.objects.order_by("code")
    if slugs:
        qs = qs.filter(schema_name__in=slugs)
    snapshots = []
    try:
        for p in qs:
            snapshots.append(refresh_prefecture(p, province=False))
            if each is not None:
                each(p, snapshots[-1])
    finally:
        if snapshots:
            with schema_context("public"), transaction.atomic():
                summary.lock()
                summary.rebuild_province()
    return snapshots
