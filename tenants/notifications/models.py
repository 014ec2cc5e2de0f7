"""The notification outbox: every message the platform sends is a row here first.

A row is written inside the caller's transaction (so a rolled-back reception day never
sends a reminder), delivered after commit by a retrying Celery task, and carries a
unique `dedupe_key` so the same reminder is never queued, let alone sent, twice.
"""
from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    CONSOLE = "console", "控制台"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"


class RecipientKind(models.TextChoices):
    DEPUTY = "deputy", "代表"
    STAFF = "staff", "工作人员"
    CITIZEN = "citizen", "群众"
    USER = "user", "平台用户"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    recipient_kind = models.CharField("收件人类型", max_length=12, choices=RecipientKind.choices)
    recipient_id = models.BigIntegerField("收件人编号", null=True, blank=True, help_text="本州市库内的代表/工作人员等编号")
    address = models.CharField("地址", max_length=255, help_text="邮箱、手机号、微信 openid 或姓名（控制台）")
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    dedupe_key = models.CharField("去重键", max_length=200, unique=True, help_text="同一键只入队一次，提醒不会重复发送")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("入队时间", auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知"
        verbose_name_plural = "通知发件箱"
        indexes = [models.Index(fields=["recipient_kind", "recipient_id"], name="notification_recipient")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.subject}"


class MessagingSettings(models.Model):
    """How this prefecture sends SMS (Tencent Cloud SMS) and WeChat subscription messages
    (its mini-program): one row per prefecture schema, edited by its administrators.

    Secrets are never stored here: the Tencent Cloud SecretId/SecretKey and the
    mini-program's AppSecret come from the environment (docs/OPERATIONS.md "Message
    delivery"). Templates are per notification kind (see backends `kind_of`), e.g.
        sms_templates = {"event_reminder": {"template_id": "1234567", "params": ["subject", "date"]},
                         "default": {"template_id": "1234568", "params": ["subject"]}}
        wechat_templates = {"default": {"template_id": "tmpl-…", "data": {"thing1": "subject", "time2": "date"}}}
    Parameter names: subject, body, date (the first date in the text), link (none yet).
    """

    sms_sdk_app_id = models.CharField("短信应用 SdkAppId", max_length=32, blank=True)
    sms_sign_name = models.CharField("短信签名", max_length=32, blank=True, help_text="已审核通过的签名内容，如“昆明市人大常委会”")
    sms_region = models.CharField("短信地域", max_length=32, default="ap-guangzhou")
    sms_templates = models.JSONField("短信模板", default=dict, blank=True,
                                     help_text='按通知类型：{"类型": {"template_id": "模板ID", "params": ["subject", "date"]}}，"default" 为其余类型')
    wechat_app_id = models.CharField("小程序 AppID", max_length=32, blank=True)
    wechat_page = models.CharField("小程序跳转页面", max_length=128, blank=True)
    wechat_templates = models.JSONField("订阅消息模板", default=dict, blank=True,
                                        help_text='按通知类型：{"类型": {"template_id": "模板ID", "data": {"thing1": "subject"}}}')
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "短信与微信发送设置"
        verbose_name_plural = "短信与微信发送设置"

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "MessagingSettings":
        return cls.objects.order_by("pk").first() or cls()
