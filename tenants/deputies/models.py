"""Deputies on a prefecture's roll."""
from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    NATIONAL = "national", "全国人大代表"
    PROVINCIAL = "provincial", "省人大代表"
    PREFECTURE = "prefecture", "州市人大代表"
    COUNTY = "county", "县（市、区）人大代表"
    TOWNSHIP = "township", "乡镇人大代表"


class Deputy(models.Model):
    roll_number = models.CharField("代表证号", max_length=40, unique=True, help_text="本州市代表名册上的编号")
    name = models.CharField("姓名", max_length=64)
    level = models.CharField("代表层级", max_length=12, choices=Level.choices, db_index=True)
    constituency = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="deputies", verbose_name="选区")
    gender = models.CharField("性别", max_length=8, blank=True)
    ethnicity = models.CharField("民族", max_length=16, blank=True)
    occupation = models.CharField("职业/单位", max_length=128, blank=True)
    # Private: never on a public profile, masked in the API without the personal-data scope.
    phone = models.CharField("联系电话", max_length=32, blank=True)
    id_number = models.CharField("身份证号", max_length=32, blank=True)
    active = models.BooleanField("在任", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["roll_number"]
        verbose_name = "人大代表"
        verbose_name_plural = "人大代表"

    def __str__(self) -> str:
        return self.name
