"""Users live in `public`; what they may do in each prefecture is a Membership."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"


class Role(models.TextChoices):
    PROVINCE_MONITOR = "province_monitor", "省级监测"
    PROVINCE_ADMIN = "province_admin", "省级管理员"
    PREFECTURE_ADMIN = "prefecture_admin", "州市管理员"
    STATION_STAFF = "station_staff", "站点工作人员"
    DEPUTY = "deputy", "代表"


PROVINCE_ROLES = {Role.PROVINCE_MONITOR, Role.PROVINCE_ADMIN}


class Membership(models.Model):
    """A role in one prefecture (prefecture set) or across the province (prefecture null)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    prefecture = models.ForeignKey("registry.Prefecture", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    # Station staff and deputies are limited to their own positions / record; these ids
    # live in the prefecture's schema, so they are plain integers, not foreign keys.
    position_ids = models.JSONField("限定阵地", default=list, blank=True)
    deputy_id = models.BigIntegerField("代表", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "成员资格"
        verbose_name_plural = "成员资格"
        constraints = [
            models.UniqueConstraint(fields=["user", "prefecture", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=(models.Q(role__in=["province_monitor", "province_admin"], prefecture__isnull=True)
                           | (~models.Q(role__in=["province_monitor", "province_admin"]) & models.Q(prefecture__isnull=False))),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.prefecture or '全省'}"
