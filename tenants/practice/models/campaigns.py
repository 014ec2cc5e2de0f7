"""Weidong: one themed campaign a year (一个活动) in five phases."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignPhase(models.TextChoices):
    PREPARATION = "preparation", _("基础准备")
    GROUP_SHOWCASE = "group_showcase", _("分组展示")
    EVALUATION = "evaluation", _("观摩评优")
    SHOWCASE = "showcase", _("集中展示")
    COMMITMENT = "commitment", _("落实承诺")


PHASE_ORDER = list(CampaignPhase.values)


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    theme = models.CharField(_("主题"), max_length=200)
    phase = models.CharField(_("阶段"), max_length=16, choices=CampaignPhase.choices, default=CampaignPhase.PREPARATION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("主题活动")
        verbose_name_plural = _("主题活动")

    def __str__(self) -> str:
        return f"{self.year} {self.theme}"


class PhaseChange(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phase_history", verbose_name=_("主题活动"))
    phase = models.CharField(_("阶段"), max_length=16, choices=CampaignPhase.choices)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["campaign", "at", "id"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")


class CampaignGroup(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="groups", verbose_name=_("主题活动"))
    name = models.CharField(_("组名"), max_length=100)

    class Meta:
        ordering = ["campaign", "name"]
        verbose_name = _("活动小组")
        verbose_name_plural = _("活动小组")
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="campaign_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants", verbose_name=_("主题活动"))
    group = models.ForeignKey(CampaignGroup, on_delete=models.PROTECT, related_name="participants", verbose_name=_("小组"))
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="campaign_participations", verbose_name=_("代表"))
    outstanding = models.BooleanField(_("评为优秀"), default=False)
    selected_at = models.DateTimeField(_("评优时间"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "group", "deputy"]
        verbose_name = _("参与代表")
        verbose_name_plural = _("参与代表")
        constraints = [models.UniqueConstraint(fields=["campaign", "deputy"], name="campaign_participant_once")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.campaign}"


class Showcase(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="showcases", verbose_name=_("参与代表"))
    phase = models.CharField(_("阶段"), max_length=16, choices=CampaignPhase.choices)
    title = models.CharField(_("展示主题"), max_length=200)
    description = models.TextField(_("展示内容"), blank=True)
    held_on = models.DateField(_("展示日期"))

    class Meta:
        ordering = ["participant", "held_on", "id"]
        verbose_name = _("履职展示")
        verbose_name_plural = _("履职展示")

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("落实中")
        FULFILLED = "fulfilled", _("已兑现")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("主题活动"))
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("参与代表"))
    content = models.TextField(_("承诺内容"))
    due_on = models.DateField(_("承诺兑现期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(_("兑现佐证"), blank=True)
    fulfilled_on = models.DateField(_("兑现日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "participant", "id"]
        verbose_name = _("公开承诺")
        verbose_name_plural = _("公开承诺")
        constraints = [models.CheckConstraint(condition=models.Q(status="open") | ~models.Q(evidence=""), name="commitment_fulfilled_has_evidence")]

    def __str__(self) -> str:
        return self.content[:40]
