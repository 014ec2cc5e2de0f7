"""Administrative divisions inside one prefecture: prefecture → county → township → village."""
from __future__ import annotations

from django.db import models


class Division(models.Model):
    class Level(models.TextChoices):
        PREFECTURE = "prefecture", "州市"
        COUNTY = "county", "县（市、区）"
        TOWNSHIP = "township", "乡镇（街道）"
        VILLAGE = "village", "村（社区）"

    LEVEL_DEPTH = {Level.PREFECTURE: 0, Level.COUNTY: 1, Level.TOWNSHIP: 2, Level.VILLAGE: 3}

    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级")
    # Materialised path of codes ("530100/530102/530102001"): subtree filters are one
    # indexed prefix match instead of a recursive query.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_community = models.BooleanField("城市社区", default=False, help_text="村为否，社区为是（仅村级）")

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        indexes = [models.Index(fields=["path"], name="division_path_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.LEVEL_DEPTH[self.level]
