"""Province-wide reference data (public schema)."""
from __future__ import annotations

from django.db import models


class Category(models.Model):
    """The province's opinion taxonomy (editable; defaults seeded by a data migration)."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)
    name_en = models.CharField("英文名称", max_length=64, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "意见类别"
        verbose_name_plural = "意见类别"

    def __str__(self) -> str:
        return self.name
