"""Yunnan: 群众点单、代表接单、部门领单 — a citizen's request published to the deputies
stationed in the area, claimed by a deputy and by a handling unit."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    PUBLISHED = "published", _("待接单")
    ESCALATED = "escalated", _("超时未接单（已报站）")
    CLAIMED = "claimed", _("代表已接单")
    HANDLING = "handling", _("部门已领单")
    CLOSED = "closed", _("已办结")


class Request(models.Model):
    """Public text only: the citizen's name and phone stay on the opinion."""

    title = models.CharField(_("点单事项"), max_length=200)
    summary = models.TextField(_("事项说明"), help_text=_("公开给代表，勿含群众个人信息"))
    opinion = models.ForeignKey("opinions.Opinion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("来源意见"))
    position = models.ForeignKey("positions.Position", on_delete=models.PROTECT, related_name="requests", verbose_name=_("所属站点"))
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PUBLISHED, db_index=True)
    published_at = models.DateTimeField(_("发布时间"))
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="claimed_requests", verbose_name=_("接单代表"))
    claimed_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    unit = models.ForeignKey("opinions.HandlingUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="claimed_requests", verbose_name=_("领单部门"))
    unit_claimed_at = models.DateTimeField(_("领单时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("群众点单")
        verbose_name_plural = _("群众点单")

    def __str__(self) -> str:
        return self.title


class RequestEvent(models.Model):
    class Action(models.TextChoices):
        PUBLISH = "publish", _("发布")
        CLAIM = "claim", _("代表接单")
        RELEASE = "release", _("代表退单")
        UNIT_CLAIM = "unit_claim", _("部门领单")
        UNIT_RELEASE = "unit_release", _("部门退单")
        ESCALATE = "escalate", _("超时上报")
        CLOSE = "close", _("办结")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events", verbose_name=_("点单"))
    action = models.CharField(_("操作"), max_length=14, choices=Action.choices)
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("代表"))
    unit = models.ForeignKey("opinions.HandlingUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["request", "at", "id"]
        verbose_name = _("点单记录")
        verbose_name_plural = _("点单记录")
