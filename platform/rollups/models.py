"""Roll-up tables (public schema): each prefecture's statistics, computed inside its own
schema by liaison.tenants.stats and written here, replaced whole per prefecture.

The province reads only these tables; no province query spans tenant schemas. Rows
carry the prefecture (registry) so nothing here depends on which server holds a
prefecture's schema (see docs/ARCHITECTURE.md, "Beyond one machine").
"""
from __future__ import annotations

from django.db import models


class Snapshot(models.Model):
    """When a prefecture's figures were computed, and whether they are known stale."""

    prefecture = models.OneToOneField("registry.Prefecture", on_delete=models.CASCADE, related_name="stats_snapshot", verbose_name="州市")
    as_of = models.DateTimeField("统计截至", null=True, blank=True, help_text="计算时刻：所有数据截至该时刻")
    computed_seconds = models.FloatField("计算耗时（秒）", default=0)
    rows = models.PositiveIntegerField("汇总行数", default=0)
    stale = models.BooleanField("待刷新", default=True, db_index=True)
    stale_since = models.DateTimeField("待刷新起始", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "州市统计快照"
        verbose_name_plural = "州市统计快照"

    def __str__(self) -> str:
        return f"{self.prefecture_id} @ {self.as_of}"


class Area(models.Model):
    """An area of a prefecture's breakdown: a county, or the prefecture's own level (本级)."""

    prefecture = models.ForeignKey("registry.Prefecture", on_delete=models.CASCADE, related_name="stats_areas", verbose_name="州市")
    code = models.CharField("区划代码", max_length=20)
    name = models.CharField("名称", max_length=64)
    prefecture_level = models.BooleanField("州市本级", default=False)

    class Meta:
        ordering = ["prefecture", "code"]
        verbose_name = "统计区域"
        verbose_name_plural = "统计区域"
        constraints = [models.UniqueConstraint(fields=["prefecture", "code"], name="rollup_area_unique")]

    def __str__(self) -> str:
        return self.name


class Fact(models.Model):
    """One raw figure: (prefecture, area, month, metric, dimension) → value.

    area "" = the whole prefecture; month NULL = a stock fact at the as-of time, else
    the first day of the month of the fact's time basis. Zero values are not stored.
    Metrics and dimensions are defined in liaison.tenants.stats.catalogue.
    """

    prefecture = models.ForeignKey("registry.Prefecture", on_delete=models.CASCADE, related_name="stats_facts", verbose_name="州市")
    area = models.CharField("区域", max_length=20, blank=True)
    month = models.DateField("月份", null=True, blank=True)
    metric = models.CharField("指标", max_length=40)
    dimension = models.CharField("维度", max_length=64, blank=True)
    value = models.BigIntegerField("数值")

    class Meta:
        verbose_name = "统计事实"
        verbose_name_plural = "统计事实"
        indexes = [
            models.Index(fields=["area", "month", "metric"], name="rollup_fact_area_month"),
            models.Index(fields=["prefecture", "area", "month"], name="rollup_fact_pref_area"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "area", "month", "metric", "dimension"], name="rollup_fact_unique",
                                    nulls_distinct=False),
        ]


class Summary(models.Model):
    """The province page's figures materialised at refresh time, so a cold read is a few
    indexed rows rather than an aggregate over every prefecture's facts.

    Each row holds the area "" (whole-prefecture) raw facts of one scope, summed:
    prefecture NULL = the province (the sum of the prefectures).
    kind "since": the stock facts plus every flow from `month` on, i.e. the figures
      cumulative since that month; one row per month that has flows, and one at
      FAR_FUTURE with the stock facts alone. A read for `since` takes, per scope, the
      first row with month >= since (no flows lie between the two).
    kind "month": the province's flows of `month` (the monthly trend).
    `figures` holds the catalogue's figures computed from those values at refresh time.
    `version` identifies the catalogue (prefecture rows) or the catalogue and the
    prefectures' as-of times (province rows) the row was computed with; a reader that
    sees anything else falls back to aggregating the facts.
    """

    KIND_SINCE = "since"
    KIND_MONTH = "month"

    prefecture = models.ForeignKey("registry.Prefecture", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="stats_summaries", verbose_name="州市")
    kind = models.CharField("类型", max_length=8)
    month = models.DateField("月份")
    version = models.CharField("版本", max_length=40, blank=True)
    raw = models.JSONField("汇总值", default=list, blank=True)  # [[metric, dimension, value], ...]; none on "month" rows
    figures = models.JSONField("指标值", default=dict)  # the catalogue's figures of `raw` (trend series on "month" rows)

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        constraints = [  # also the index of the reads: kind, then per prefecture by month
            models.UniqueConstraint(fields=["kind", "prefecture", "month"], name="rollup_summary_unique", nulls_distinct=False),
        ]
