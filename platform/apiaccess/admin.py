"""Admin of the CORS origin lists: a prefecture's administrators edit their prefecture's
list on its host; province administrators edit the province host's list. Changes go
through liaison.platform.apiaccess.origins (validation, cache)."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import connection
from django.utils.translation import gettext_lazy as _

from liaison.platform.accounts.models import Role
from liaison.platform.accounts.principal import principal_for
from liaison.platform.apiaccess import origins
from liaison.platform.apiaccess.models import AllowedOrigin
from liaison.tenants.common.errors import ServiceError


def _host_prefecture(request):
    tenant = getattr(request, "tenant", None)
    return None if getattr(tenant, "schema_name", "public") == "public" else tenant


def may_edit_origins(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    p = principal_for(request)
    if p.is_api_key or p.credentials_error:
        return False
    schema = connection.schema_name
    if schema == "public":
        return Role.PROVINCE_ADMIN in p.province_roles
    return Role.PREFECTURE_ADMIN in p.prefecture_roles.get(schema, ())


class AllowedOriginForm(forms.ModelForm):
    class Meta:
        model = AllowedOrigin
        fields = ["origin", "note"]

    def clean_origin(self):
        try:
            return origins.normalise_origin(self.cleaned_data.get("origin", ""))
        except ServiceError as exc:
            raise forms.ValidationError(exc.errors[0].message, code=exc.errors[0].code) from None


@admin.register(AllowedOrigin)
class AllowedOriginAdmin(admin.ModelAdmin):
    form = AllowedOriginForm
    list_display = ("origin", "note", "created_at")
    search_fields = ("origin", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(prefecture=_host_prefecture(request))

    def save_model(self, request, obj, form, change):
        obj.prefecture = _host_prefecture(request)
        if AllowedOrigin.objects.filter(prefecture=obj.prefecture, origin=obj.origin).exclude(pk=obj.pk).exists():
            from django.contrib import messages

            messages.error(request, _("已在允许列表中：%(origin)s") % {"origin": obj.origin})
            return
        super().save_model(request, obj, form, change)
        origins.forget(obj.prefecture)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        origins.forget(obj.prefecture)

    def delete_queryset(self, request, queryset):
        prefecture = _host_prefecture(request)
        super().delete_queryset(request, queryset)
        origins.forget(prefecture)

    def has_module_permission(self, request):
        return may_edit_origins(request)

    def has_view_permission(self, request, obj=None):
        return may_edit_origins(request)

    def has_add_permission(self, request):
        return may_edit_origins(request)

    def has_change_permission(self, request, obj=None):
        return may_edit_origins(request)

    def has_delete_permission(self, request, obj=None):
        return may_edit_origins(request)
