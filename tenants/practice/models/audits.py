"""Sanmen: random audits (随机抽查) of deputies' contact and reception records, made public (公示)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    RECEPTION = "reception", _("接待记录")
    CONTACT = "contact", _("联系群众记录")


class AuditResult(models.TextChoices):
    PENDING = "pending", _("待核实")
    TRUE = "true", _("真实")
    FALSE = "false", _("不实")


class Audit(models.Model):
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("抽查期间起"))
    period_end = models.DateField(_("抽查期间止"))
    seed = models.BigIntegerField(_("随机种子"), help_text=_("同一期间、同一种子抽出同一样本"))
    sample_size = models.PositiveIntegerField(_("样本量"))
    population_size = models.PositiveIntegerField(_("总体数量"))
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.CharField(_("抽取人"), max_length=128, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("随机抽查")
        verbose_name_plural = _("随机抽查")
        constraints = [models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="audit_period_in_order")]

    def __str__(self) -> str:
        return self.title


class AuditItem(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="items", verbose_name=_("抽查"))
    kind = models.CharField(_("记录类型"), max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField(_("记录编号"))
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="+", verbose_name=_("代表"))
    position = models.ForeignKey("positions.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("阵地"))
    record_date = models.DateField(_("记录日期"))
    result = models.CharField(_("核查结果"), max_length=8, choices=AuditResult.choices, default=AuditResult.PENDING)
    note = models.TextField(_("核查说明"), blank=True, help_text=_("将公示，勿填写群众个人信息"))
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    checked_by = models.CharField(_("核查人"), max_length=128, blank=True)

    class Meta:
        ordering = ["audit", "id"]
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        constraints = [models.UniqueConstraint(fields=["audit", "kind", "record_id"], name="audit_item_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record_id}: {self.get_result_display()}"
