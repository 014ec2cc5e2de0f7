"""Province-wide records kept in the public schema.

- `ProvinceDeputy`: one identity per provincial or national deputy. Each prefecture
  where that person is on the roll or stationed keeps a local `deputies.Deputy` row
  linked to it (`Deputy.identity`), so province statistics can count the person once.
- `StandardTemplateItem`: the province's standards checklist template (Yunnan's "七有"),
  copied into each prefecture's own editable list (positions.StandardItem).
"""
from __future__ import annotations

from django.db import models


class ProvinceLevel(models.TextChoices):
    NATIONAL = "national", "全国人大代表"
    PROVINCIAL = "provincial", "省人大代表"


class ProvinceDeputy(models.Model):
    code = models.CharField("全省代表编号", max_length=40, unique=True)
    name = models.CharField("姓名", max_length=64)
    level = models.CharField("代表层级", max_length=12, choices=ProvinceLevel.choices, db_index=True)
    home_prefecture = models.ForeignKey("registry.Prefecture", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name="所在名册州市")
    gender = models.CharField("性别", max_length=8, blank=True)
    ethnicity = models.CharField("民族", max_length=16, blank=True)
    occupation = models.CharField("职业/单位", max_length=128, blank=True)
    # Private: never public; copied only as contact details into prefectures that station the deputy.
    phone = models.CharField("联系电话", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    id_number = models.CharField("身份证号", max_length=32, blank=True)
    active = models.BooleanField("在任", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "省级及以上代表（全省身份）"
        verbose_name_plural = "省级及以上代表（全省身份）"
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~models.Q(id_number=""), name="province_deputy_unique_id_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class StandardTemplateItem(models.Model):
    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("达标要求", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "全省阵地标准模板项"
        verbose_name_plural = "全省阵地标准模板（七有）"

    def __str__(self) -> str:
        return self.name
