"""Province-wide reference data (public schema)."""
from __future__ import annotations

from django.db import models

from liaison.tenants.common.audit import audited


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


class CalendarYear(models.Model):
    """One year of the official working-day calendar (State Council holiday notice).

    A year is listed here once its holidays and make-up working days (调休) are entered
    as CalendarDay rows. For a year not listed, working days fall back to Monday–Friday
    and `calendar.is_official(year)` says so.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=255, help_text="如：国务院办公厅关于2026年部分节假日安排的通知")
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = "法定节假日年度"
        verbose_name_plural = "法定节假日年度"

    def __str__(self) -> str:
        return str(self.year)


@audited
class CalendarDay(models.Model):
    """An exception to Monday–Friday: a public holiday, or a weekend day that is worked (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("节日", max_length=32, blank=True, help_text="如：春节、国庆节")

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CrossReferral(models.Model):
    """An opinion referred from one prefecture to another (跨州市转办).

    The only thing that crosses schemas: which opinion went where and how far it got.
    The receiving prefecture holds its own copy (no citizen personal data); replies
    flow back to the origin. Ids repeat across schemas, so each side carries its schema.
    """

    class Status(models.TextChoices):
        REFERRED = "referred", "已转办"
        REPLIED = "replied", "已答复"
        REOPENED = "reopened", "重新办理"
        CLOSED = "closed", "已办结"

    from_schema = models.CharField("转出州市", max_length=63, db_index=True)
    from_id = models.BigIntegerField("转出意见编号")
    to_schema = models.CharField("接收州市", max_length=63, db_index=True)
    to_id = models.BigIntegerField("接收意见编号", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REFERRED, db_index=True)
    created_at = models.DateTimeField("转办时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "跨州市转办"
        verbose_name_plural = "跨州市转办"
        constraints = [
            models.UniqueConstraint(fields=["to_schema", "to_id"], name="crossreferral_unique_target"),
            models.CheckConstraint(condition=~models.Q(from_schema=models.F("to_schema")), name="crossreferral_other_prefecture"),
        ]
        indexes = [models.Index(fields=["from_schema", "from_id"], name="crossreferral_origin")]

    def __str__(self) -> str:
        return f"{self.from_schema}#{self.from_id} → {self.to_schema}#{self.to_id or '?'}"
