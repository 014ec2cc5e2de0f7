"""How front ends reach the API (public schema): the origins allowed to call each host
(CORS), and the trusted documents registered for an API key."""
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


class TrustedDocument(models.Model):
    """A GraphQL document (one or more operations) a front end registered for its API key,
    by the SHA-256 of its exact text (docs/API.md "Trusted documents")."""

    api_key = models.ForeignKey("accounts.ApiKey", on_delete=models.CASCADE, related_name="trusted_documents",
                                verbose_name=_("API 密钥"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    name = models.CharField(_("名称"), max_length=200, blank=True, help_text=_("操作名，如 SubmitOpinion"))
    document = models.TextField(_("GraphQL 文档"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["api_key", "name", "sha256"]
        verbose_name = _("可信文档")
        verbose_name_plural = _("可信文档")
        constraints = [models.UniqueConstraint(fields=["api_key", "sha256"], name="trusted_document_unique")]

    def __str__(self) -> str:
        return f"{self.name or '—'} ({self.sha256[:12]}…)"


class KeyDocumentPolicy(models.Model):
    """Whether an API key may only run its trusted documents."""

    api_key = models.OneToOneField("accounts.ApiKey", on_delete=models.CASCADE, related_name="document_policy",
                                   verbose_name=_("API 密钥"))
    trusted_documents_only = models.BooleanField(_("仅允许可信文档"), default=False,
                                                 help_text=_("开启后，该密钥只能执行已登记的 GraphQL 文档"))

    class Meta:
        verbose_name = _("密钥文档策略")
        verbose_name_plural = _("密钥文档策略")

    def __str__(self) -> str:
        return str(self.api_key)
