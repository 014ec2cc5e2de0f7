"""Grids and their coverage (grids with at least one assigned active deputy)."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from ..models import Grid, GridDeputy


def grids(division=None) -> QuerySet[Grid]:
    qs = Grid.objects.select_related("division").prefetch_related("deputies")
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    return qs


def with_deputy(qs: QuerySet[Grid] | None = None) -> QuerySet[Grid]:
    qs = Grid.objects.all() if qs is None else qs
    return qs.filter(Exists(GridDeputy.objects.filter(grid=OuterRef("pk"), deputy__active=True)))


def coverage(division=None) -> dict:
    qs = Grid.objects.all()
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    total = qs.count()
    covered = with_deputy(qs).count()
    return {"grids": total, "with_deputy": covered, "rate": round(covered / total, 4) if total else None}
