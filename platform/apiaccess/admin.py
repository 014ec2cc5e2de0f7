"""Admin of the CORS origin lists and of the API keys' trusted documents: a prefecture's administrators edit their prefecture's
list on its host; province administrators edit the province host's list. Changes go
through liaison.platform.apiaccess.origins (validation, cache)."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import connection
from django.utils.translation import gettext_lazy as _

from liaison.platform.accounts.models import Role
from liaison.platform.accounts.principal import principal_for
from liaison.platform.apiaccess import documents, origins
from liaison.platform.apiaccess.models import AllowedOrigin, KeyDocumentPolicy, TrustedDocument
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


# --- trusted documents: managed with the keys, on the province host by province administrators

def may_manage_keys(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if connection.schema_name != "public":
        return False
    return user.is_superuser or Role.PROVINCE_ADMIN in principal_for(request).province_roles


class KeyAdminMixin:
    def has_module_permission(self, request):
        return may_manage_keys(request)

    def has_view_permission(self, request, obj=None):
        return may_manage_keys(request)

    def has_add_permission(self, request):
        return may_manage_keys(request)

    def has_change_permission(self, request, obj=None):
        return may_manage_keys(request)

    def has_delete_permission(self, request, obj=None):
        return may_manage_keys(request)


class TrustedDocumentForm(forms.ModelForm):
    class Meta:
        model = TrustedDocument
        fields = ["api_key", "name", "document"]

    def clean_document(self):
        try:
            documents.check_document(self.cleaned_data.get("document", ""))
        except ServiceError as exc:
            raise forms.ValidationError(exc.errors[0].message, code=exc.errors[0].code) from None
        return self.cleaned_data["document"]


@admin.register(TrustedDocument)
class TrustedDocumentAdmin(KeyAdminMixin, admin.ModelAdmin):
    form = TrustedDocumentForm
    list_display = ("name", "api_key", "sha256", "created_at")
    list_filter = ("api_key",)
    search_fields = ("name", "sha256")
    readonly_fields = ("sha256",)

    def save_model(self, request, obj, form, change):
        if change:
            obj.sha256 = documents.document_hash(obj.document)
            super().save_model(request, obj, form, change)
            documents.forget(obj.api_key_id)
            return
        row, _created = documents.register(obj.api_key, obj.document, obj.name)
        obj.pk = row.pk

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        documents.forget(obj.api_key_id)

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("api_key_id", flat=True))
        super().delete_queryset(request, queryset)
        for key_id in ids:
            documents.forget(key_id)


@admin.register(KeyDocumentPolicy)
class KeyDocumentPolicyAdmin(KeyAdminMixin, admin.ModelAdmin):
    list_display = ("api_key", "trusted_documents_only")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        documents.forget(obj.api_key_id)
