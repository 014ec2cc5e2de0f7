from __future__ import annotations

from django.db.models import QuerySet

from .models import Division


def subtree(division: Division, include_self: bool = True) -> QuerySet[Division]:
    qs = Division.objects.filter(path__startswith=division.path + "/")
    if include_self:
        qs = qs | Division.objects.filter(pk=division.pk)
    return qs


def ancestors(division: Division) -> list[Division]:
    codes = division.path.split("/")[:-1]
    by_code = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]
