"""Deputy activity positions (代表活动阵地): homes, stations, offices and their kin."""
from __future__ import annotations

from django.db import models


class Tier(models.TextChoices):
    HOME = "home", "代表之家"
    STATION = "station", "代表工作站"
    OFFICE = "office", "代表联络室"
    ONLINE = "online", "网上代表活动阵地"
    PROFESSIONAL = "professional", "专业代表工作站"
    SPECIAL = "special", "特色代表工作站"


class SpecialKind(models.TextChoices):
    BUILDING = "building", "楼宇"
    BUSINESS_DISTRICT = "business_district", "商圈"
    CAMPUS = "campus", "校园"


class Status(models.TextChoices):
    PLANNED = "planned", "规划中"
    BUILDING = "building", "建设中"
    OPEN = "open", "已运行"
    STANDARD = "standard", "达标"
    CLOSED = "closed", "已关闭"


class Position(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=128)
    tier = models.CharField("类型", max_length=16, choices=Tier.choices, db_index=True)
    special_kind = models.CharField("特色类型", max_length=24, choices=SpecialKind.choices, blank=True)
    field = models.CharField("专业领域", max_length=32, blank=True, help_text="专业代表工作站的领域，如旅游、生态、卫生")
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="positions", verbose_name="所在区划")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级阵地")
    status = models.CharField("建设状态", max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    address = models.CharField("地址", max_length=255, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=255, blank=True)
    established_on = models.DateField("建成日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "代表活动阵地"
        verbose_name_plural = "代表活动阵地"
        indexes = [models.Index(fields=["division", "tier"], name="position_division_tier")]

    def __str__(self) -> str:
        return self.name
