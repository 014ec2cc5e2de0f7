"""Users live in `public`; what they may do in each prefecture is a Membership."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from liaison.tenants.common.audit import audited


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


@audited
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


@audited
class ApiKey(models.Model):
    """A third-party client's credential (`Authorization: Bearer lsk_<prefix>_<secret>`).

    The full key is shown once at creation; only its SHA-256 is stored (the secret has
    256 bits of entropy, so a slow password hash adds nothing), looked up by `prefix`.
    Scope: the listed prefectures (read, or read/write), and/or the whole province
    (read-only: province keys never write into a prefecture), with or without
    citizens' and deputies' personal data. See liaison.platform.accounts.principal.
    """

    name = models.CharField("名称", max_length=128, help_text="使用方，如“五华区人大微信小程序”")
    prefix = models.CharField("前缀", max_length=16, unique=True, editable=False)
    secret_hash = models.CharField("密钥摘要", max_length=64, editable=False)
    prefectures = models.ManyToManyField("registry.Prefecture", blank=True, related_name="api_keys", verbose_name="授权州市")
    province = models.BooleanField("全省只读", default=False, help_text="可读取全省及每个州市（只读）")
    can_write = models.BooleanField("可写", default=False, help_text="对授权州市可读写；否则只读")
    personal_data = models.BooleanField("可读个人信息", default=False, help_text="群众姓名、电话和代表联系方式不打码")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API 密钥"
        verbose_name_plural = "API 密钥"

    def __str__(self) -> str:
        return f"{self.name} (lsk_{self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
