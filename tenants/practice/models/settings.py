"""The prefecture's settings of the practices (one row per prefecture schema)."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    DAY = "day", _("日")
    WEEK = "week", _("周")
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")


class PracticeSettings(models.Model):
    """Yunnan's cadence 日在线、周驻室、月进站、常回家 (each: a period and how many days with the
    qualifying activity it needs), the township absence threshold, the closing-period
    cut-off day and the escalation time of unclaimed requests. Defaults are the issue's."""

    online_period = models.CharField(_("日在线：周期"), max_length=8, choices=Period.choices, default=Period.DAY)
    online_threshold = models.PositiveSmallIntegerField(_("日在线：每周期至少天数"), default=1)
    office_period = models.CharField(_("周驻室：周期"), max_length=8, choices=Period.choices, default=Period.WEEK)
    office_threshold = models.PositiveSmallIntegerField(_("周驻室：每周期至少天数"), default=1)
    station_period = models.CharField(_("月进站：周期"), max_length=8, choices=Period.choices, default=Period.MONTH)
    station_threshold = models.PositiveSmallIntegerField(_("月进站：每周期至少天数"), default=1)
    home_period = models.CharField(_("常回家：周期"), max_length=8, choices=Period.choices, default=Period.QUARTER)
    home_threshold = models.PositiveSmallIntegerField(_("常回家：每周期至少天数"), default=1)
    absence_threshold = models.PositiveSmallIntegerField(_("缺席提醒阈值（年度缺席接待日次数）"), default=3)
    review_cutoff_day = models.PositiveSmallIntegerField(
        _("闭会期间建议每月截止日"), default=20, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1–28；截止日之后提交的顺延至下月"))
    claim_escalation_hours = models.PositiveIntegerField(_("未接单上报时限（小时）"), default=72)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("履职实践设置")
        verbose_name_plural = _("履职实践设置")
        constraints = [models.CheckConstraint(condition=models.Q(review_cutoff_day__gte=1, review_cutoff_day__lte=28),
                                              name="practice_cutoff_day_1_28")]

    def __str__(self) -> str:
        return str(_("履职实践设置"))
