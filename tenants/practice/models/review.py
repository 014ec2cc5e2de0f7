"""Sanmen: closing-period suggestions (闭会期间代表建议), 定时间、定标准、定程序、定主体."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStage(models.TextChoices):
    INITIAL = "initial", _("代表工作机构初审")
    COMMITTEE = "committee", _("专工委联审")
    COUNCIL = "council", _("主任会议审查")
    RECHECK = "recheck", _("复核")


STAGE_ORDER = [ReviewStage.INITIAL, ReviewStage.COMMITTEE, ReviewStage.COUNCIL]


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("审查中")
    APPROVED = "approved", _("审查通过")
    RETURNED = "returned", _("已退回")
    ASSIGNED = "assigned", _("已交办")


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class ClosingSuggestion(models.Model):
    title = models.CharField(_("案由"), max_length=200)
    content = models.TextField(_("内容"))
    township = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("提交乡镇（街道）"))
    lead_deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="closing_suggestions", verbose_name=_("领衔代表"))
    submitted_at = models.DateTimeField(_("提交时间"))
    review_month = models.DateField(_("审查月份"), help_text=_("截止日之后提交的顺延至下月"))
    urgency = models.PositiveSmallIntegerField(_("紧迫性"), null=True, blank=True, validators=SCORE)
    breadth = models.PositiveSmallIntegerField(_("广泛性"), null=True, blank=True, validators=SCORE)
    importance = models.PositiveSmallIntegerField(_("重要性"), null=True, blank=True, validators=SCORE)
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED, db_index=True)
    stage = models.CharField(_("下一审查环节"), max_length=10, choices=ReviewStage.choices, default=ReviewStage.INITIAL)
    returned_reason = models.TextField(_("退回理由"), blank=True)
    suggestion = models.OneToOneField("opinions.Suggestion", null=True, blank=True, on_delete=models.PROTECT, related_name="closing_review",
                                      verbose_name=_("交办的代表建议"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-review_month", "-submitted_at", "-id"]
        verbose_name = _("闭会期间代表建议")
        verbose_name_plural = _("闭会期间代表建议")

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int | None:
        parts = (self.urgency, self.breadth, self.importance)
        return None if None in parts else sum(parts)


class ReviewDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("通过")
        REJECT = "reject", _("退回")

    item = models.ForeignKey(ClosingSuggestion, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("建议"))
    stage = models.CharField(_("审查环节"), max_length=10, choices=ReviewStage.choices)
    decision = models.CharField(_("决定"), max_length=8, choices=Decision.choices)
    note = models.TextField(_("意见"), blank=True)
    decided_at = models.DateTimeField(_("时间"))
    decided_by = models.CharField(_("审查人"), max_length=128, blank=True)

    class Meta:
        ordering = ["item", "decided_at", "id"]
        verbose_name = _("审查记录")
        verbose_name_plural = _("审查记录")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_decision_display()}"
