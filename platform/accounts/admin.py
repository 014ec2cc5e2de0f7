"""Admin for users, memberships and API keys (the key is shown once, on creation)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from liaison.tenants.common.errors import ServiceError

from . import api_keys, memberships
from .models import PROVINCE_ROLES, ApiKey, Membership, Role, User
from .principal import principal_for


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "prefecture", "position_ids", "deputy_id")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "成员资格（在“成员资格”中管理）"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class LiaisonUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    fieldsets = UserAdmin.fieldsets + (("Liaison", {"fields": ("display_name",)}),)


def _on_prefecture_host() -> bool:
    return connection.schema_name not in ("public", "tenant_template")


def _current_prefecture():
    from liaison.tenants.registry.models import Prefecture

    return Prefecture.objects.filter(schema_name=connection.schema_name).first()


class MembershipForm(forms.ModelForm):
    """Positions and the deputy are chosen from this prefecture's records (by code and
    代表证号); the service checks them and the caller's right to grant the role."""

    username = forms.CharField(label="用户名", max_length=150)
    positions = forms.CharField(label="限定阵地", required=False, help_text="站点工作人员：阵地编码，逗号分隔；留空为全部阵地")
    deputy = forms.CharField(label="代表证号", required=False, help_text="代表角色：本州市代表名册上的代表证号")

    class Meta:
        model = Membership
        fields = ("role",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v not in PROVINCE_ROLES]
        if self.instance.pk:
            described = memberships.describe(self.instance)
            self.fields["username"].disabled = True
            self.fields["role"].disabled = True
            self.initial.update(username=described["user"], positions=",".join(described["positions"]),
                                deputy=described["deputy"] or "")

    def service_args(self) -> dict:
        data = self.cleaned_data
        return {"username": data.get("username", ""), "role": data.get("role", ""), "prefecture": _current_prefecture(),
                "positions": [c for c in (data.get("positions") or "").replace("，", ",").split(",") if c.strip()],
                "deputy": (data.get("deputy") or "").strip() or None}

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                memberships.validate_membership(**self.service_args(), actor=principal_for(self.request))
            except ServiceError as exc:
                for error in exc.errors:
                    self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Province administrators see every membership on the province host; a prefecture
    administrator manages their own prefecture's on its host. Writes go through
    liaison.platform.accounts.memberships."""

    form = MembershipForm
    list_display = ("user", "role", "prefecture", "scope", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name")

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.request = request

        return RequestForm

    @admin.display(description="限定阵地 / 代表")
    def scope(self, obj):
        d = memberships.describe(obj)
        return "、".join(d["positions"]) or d["deputy"] or "—"

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user", "prefecture")
        if _on_prefecture_host():
            return qs.filter(prefecture__schema_name=connection.schema_name)
        return qs

    def _manages(self, request) -> bool:
        principal = principal_for(request)
        if _on_prefecture_host():
            return Role.PREFECTURE_ADMIN in principal.prefecture_roles.get(connection.schema_name, ())
        return False

    def _reads(self, request) -> bool:
        principal = principal_for(request)
        if _on_prefecture_host():
            return self._manages(request)
        return Role.PROVINCE_ADMIN in principal.province_roles

    def has_module_permission(self, request):
        return self._reads(request)

    def has_view_permission(self, request, obj=None):
        return self._reads(request)

    def has_add_permission(self, request):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request)

    def save_model(self, request, obj, form, change):
        try:
            saved, _created = memberships.save_membership(**form.service_args(), actor=principal_for(request))
        except ServiceError as exc:  # pragma: no cover - the form validated the same rules
            raise ValidationError(str(exc)) from exc
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False

    def delete_model(self, request, obj):
        memberships.delete_membership(obj, actor=principal_for(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


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
