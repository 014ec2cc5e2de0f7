"""Province-host admin for the province-wide roster and the standards template.

Only province roles see these (the public schema); prefecture hosts do not list them.
"""
from __future__ import annotations

from django.contrib import admin
from django.db import connection
from django_tenants.utils import get_public_schema_name

from liaison.platform.accounts.principal import principal_for

from .models import ProvinceDeputy, StandardTemplateItem


class ProvinceAdmin(admin.ModelAdmin):
    def _public(self):
        return connection.schema_name == get_public_schema_name()

    def has_module_permission(self, request):
        return self._public() and principal_for(request).can_read("public")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._public() and principal_for(request).can_write("public")

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)


@admin.register(StandardTemplateItem)
class StandardTemplateItemAdmin(ProvinceAdmin):
    list_display = ("order", "code", "name", "active")
    list_display_links = ("code", "name")
    list_editable = ("order", "active")


@admin.register(ProvinceDeputy)
class ProvinceDeputyAdmin(ProvinceAdmin):
    list_display = ("code", "name", "level", "home_prefecture", "active")
    list_filter = ("level", "active", "home_prefecture")
    search_fields = ("code", "name")
