"""Admin for users, memberships and API keys (the key is shown once, on creation)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from liaison.tenants.common.errors import ServiceError

from . import api_keys
from .models import ApiKey, Membership, Role, User
from .principal import principal_for


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "prefecture", "position_ids", "deputy_id")


@admin.register(User)
class LiaisonUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    fieldsets = UserAdmin.fieldsets + (("Liaison", {"fields": ("display_name",)}),)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "prefecture", "created_at")
    list_filter = ("role", "prefecture")
    search_fields = ("user__username", "user__display_name")


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "prefectures", "province", "can_write", "personal_data", "expires_at")

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            prefectures = data.get("prefectures") or []
            if not prefectures and not data.get("province"):
                raise ValidationError("至少授权一个州市或全省。")
            if data.get("province") and data.get("can_write") and not prefectures:
                raise ValidationError("全省密钥只读；写权限须授权具体州市。")
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "display_prefix", "access", "province", "personal_data", "scope", "last_used_at", "revoked_at")
    list_filter = ("can_write", "province", "personal_data", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    readonly_fields = ("display_prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    filter_horizontal = ("prefectures",)
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # Scopes are fixed at creation: to change them, create a new key and revoke this one.
        if obj is not None:
            return self.readonly_fields + ("prefectures", "province", "can_write", "personal_data")
        return self.readonly_fields

    @admin.display(description="前缀")
    def display_prefix(self, obj):
        return f"{api_keys.KEY_PREFIX}{obj.prefix}" if obj.prefix else "（保存后生成）"

    @admin.display(description="权限")
    def access(self, obj):
        return "读写" if obj.can_write else "只读"

    @admin.display(description="授权州市")
    def scope(self, obj):
        return "、".join(p.name for p in obj.prefectures.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prefectures")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = api_keys.create_key(name=form.cleaned_data["name"], prefectures=list(form.cleaned_data["prefectures"]),
                                          province=form.cleaned_data["province"], can_write=form.cleaned_data["can_write"],
                                          personal_data=form.cleaned_data["personal_data"],
                                          expires_at=form.cleaned_data.get("expires_at"), created_by=request.user)
        except ServiceError as exc:  # pragma: no cover - the form validated the same rules
            raise ValidationError(str(exc)) from exc
        obj.pk = created.key.pk
        obj.__dict__.update({k: v for k, v in created.key.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        messages.warning(request, f"API 密钥（只显示这一次，请立即保存）：{created.secret}")

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
        # on creation, create_key already set the prefectures

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"已吊销 {n} 个密钥。", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        # Keys are revoked, not deleted, so the record of who had access stays.
        return False

    # Keys are managed on the province host by province administrators (and superusers).
    def _allowed(self, request) -> bool:
        return connection.schema_name == "public" and Role.PROVINCE_ADMIN in principal_for(request).province_roles

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)
