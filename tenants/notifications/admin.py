from __future__ import annotations

from django.contrib import admin, messages

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.divisions.admin import TenantModelAdmin, can_write, report_service_error

from . import services
from .models import MessagingSettings, Notification


@admin.register(Notification)
class NotificationAdmin(TenantModelAdmin):
    list_display = ("created_at", "channel", "recipient_kind", "address", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "recipient_kind")
    search_fields = ("subject", "address", "dedupe_key")
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request, *args):
        return False  # rows are written by services only

    def has_change_permission(self, request, obj=None):
        return False

    def has_write_permission(self, request):
        return can_write(request)

    @admin.action(description="重新发送所选失败通知", permissions=["write"])
    def retry(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                services.retry_failed(pk)
                done += 1
            except ServiceError as exc:
                report_service_error(self, request, exc)
        self.message_user(request, f"已重新入队 {done} 条通知", level=messages.SUCCESS)


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(TenantModelAdmin):
    """One row per prefecture: SMS signature and templates, the mini-program and its
    subscription-message templates. Secrets come from the environment, never from here."""

    list_display = ("__str__", "sms_sign_name", "sms_sdk_app_id", "wechat_app_id", "updated_at")

    def has_add_permission(self, request, *args):
        return can_write(request) and not MessagingSettings.objects.exists()
