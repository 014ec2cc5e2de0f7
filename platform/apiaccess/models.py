"""How browser front ends reach the API (public schema): the origins allowed to call
each host (CORS)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AllowedOrigin(models.Model):
    """A web origin (scheme://host[:port]) whose pages may call this host's /graphql/.

    `prefecture` null: the province host's list."""

    prefecture = models.ForeignKey("registry.Prefecture", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="allowed_origins", verbose_name=_("州市"),
                                   help_text=_("留空表示省级站点"))
    origin = models.CharField(_("来源"), max_length=255, help_text=_("如 https://portal.example.cn（协议、主机和端口，不含路径）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        ordering = ["prefecture__code", "origin"]
        verbose_name = _("允许的跨域来源")
        verbose_name_plural = _("允许的跨域来源")
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "origin"], name="allowed_origin_unique"),
            models.UniqueConstraint(fields=["origin"], condition=models.Q(prefecture__isnull=True),
                                    name="allowed_origin_unique_province"),
        ]

    def __str__(self) -> str:
        return self.origin
