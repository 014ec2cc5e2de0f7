"""Citizens' opinions and suggestions (群众意见建议)."""
from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    RECEPTION = "reception", "接待日"
    DEPUTY = "deputy", "代表收集"
    OBSERVER = "observer", "民情观察员"
    BOX = "box", "意见箱"
    ONLINE = "online", "网上"


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    TRIAGED = "triaged", "已研判"
    REFERRED = "referred", "已交办"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"


class JurisdictionLevel(models.TextChoices):
    TOWNSHIP = "township", "乡镇"
    COUNTY = "county", "县级"
    PREFECTURE = "prefecture", "州市"
    PROVINCE = "province", "省级"
    NOT_ACCEPTABLE = "not_acceptable", "不予受理（依法疏导）"


class Opinion(models.Model):
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices, db_index=True)
    position = models.ForeignKey("positions.Position", on_delete=models.PROTECT, related_name="opinions", verbose_name="阵地")
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="opinions", verbose_name="所属区划")
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions", verbose_name="收集代表")
    # Personal data: masked wherever the reader has no need, never indexed for search.
    citizen_name = models.CharField("群众姓名", max_length=64, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=32, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    category = models.ForeignKey("province.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="类别")
    jurisdiction_level = models.CharField("管辖层级", max_length=16, choices=JurisdictionLevel.choices, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    registered_at = models.DateTimeField("登记时间", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = "群众意见建议"
        verbose_name_plural = "群众意见建议"

    def __str__(self) -> str:
        return self.title
