"""Township practice: year-end attendance notices, talks (约谈) and advice to resign (劝辞)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceNotice(models.Model):
    """The written year-end notice a deputy receives: their attendance and every deputy's
    at the same station (an XLSX kept here, announced through the outbox)."""

    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="attendance_notices", verbose_name=_("代表"))
    position = models.ForeignKey("positions.Position", on_delete=models.PROTECT, related_name="attendance_notices", verbose_name=_("阵地"))
    year = models.PositiveSmallIntegerField(_("年度"))
    document = models.BinaryField(_("通知书（XLSX）"))
    filename = models.CharField(_("文件名"), max_length=200)
    scheduled = models.PositiveIntegerField(_("应到接待日"), default=0)
    attended = models.PositiveIntegerField(_("实到接待日"), default=0)
    notification = models.ForeignKey("notifications.Notification", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("通知"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "position", "deputy"]
        verbose_name = _("年度出勤通知书")
        verbose_name_plural = _("年度出勤通知书")
        constraints = [models.UniqueConstraint(fields=["deputy", "position", "year"], name="notice_once_per_deputy_station_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.deputy} @ {self.position}"


class Talk(models.Model):
    """约谈: the office talks with a deputy about their absence."""

    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="talks", verbose_name=_("代表"))
    held_on = models.DateField(_("约谈日期"))
    note = models.TextField(_("约谈情况"))
    recorded_by = models.CharField(_("记录人"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("约谈记录")
        verbose_name_plural = _("约谈记录")

    def __str__(self) -> str:
        return f"{self.deputy} {self.held_on}"


class ResignationAdvice(models.Model):
    """劝辞: advice to resign after a talk changed nothing; its history is ResignationEvent."""

    class Status(models.TextChoices):
        ADVISED = "advised", _("已劝辞")
        WITHDRAWN = "withdrawn", _("已撤回")
        RESIGNED = "resigned", _("已辞职")

    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="resignation_advice", verbose_name=_("代表"))
    talk = models.ForeignKey(Talk, on_delete=models.PROTECT, related_name="+", verbose_name=_("所依据的约谈"))
    advised_on = models.DateField(_("劝辞日期"))
    reason = models.TextField(_("劝辞理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ADVISED)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-advised_on", "-id"]
        verbose_name = _("劝辞记录")
        verbose_name_plural = _("劝辞记录")

    def __str__(self) -> str:
        return f"{self.deputy} {self.advised_on} {self.get_status_display()}"


class ResignationEvent(models.Model):
    advice = models.ForeignKey(ResignationAdvice, on_delete=models.CASCADE, related_name="history", verbose_name=_("劝辞记录"))
    status = models.CharField(_("状态"), max_length=10, choices=ResignationAdvice.Status.choices)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.CharField(_("操作人"), max_length=128, blank=True)

    class Meta:
        ordering = ["advice", "at", "id"]
        verbose_name = _("劝辞履历")
        verbose_name_plural = _("劝辞履历")

    def __str__(self) -> str:
        return f"{self.advice_id} {self.status} {self.at:%Y-%m-%d}"
