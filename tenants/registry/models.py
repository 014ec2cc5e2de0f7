"""The prefecture registry (public schema): one row and one schema per prefecture."""
from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Prefecture(TenantMixin):
    class Kind(models.TextChoices):
        CITY = "city", "地级市"
        AUTONOMOUS_PREFECTURE = "autonomous_prefecture", "自治州"

    code = models.CharField("区划代码", max_length=6, unique=True, help_text="GB/T 2260 six-digit code, e.g. 530100")
    name = models.CharField("名称", max_length=64)
    name_en = models.CharField("英文名称", max_length=64)
    slug = models.SlugField("标识", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are dropped only through the deliberate `liaison prefecture delete --confirm`.
    auto_drop_schema = False
    auto_create_schema = True

    class Meta:
        ordering = ["code"]
        verbose_name = "州市"
        verbose_name_plural = "州市"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_province(self) -> bool:
        return False


class Domain(DomainMixin):
    class Meta:
        verbose_name = "域名"
        verbose_name_plural = "域名"
