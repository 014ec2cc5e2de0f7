"""Admin of the province's reference data: opinion categories, the official working-day
calendar (editable: each year's holidays and make-up working days are entered when the
State Council publishes them) and the cross-prefecture referral links (read-only).

Shown on the province host only, to province-wide readers; editing the reference data
needs the province admin role (or a superuser). The Principal grants nobody general
write access on the province host; this reference data is the one deliberate exception.
"""
from __future__ import annotations

from django.contrib import admin
from django.db import connection
from django_tenants.utils import get_public_schema_name

from liaison.platform.accounts.models import Role
from liaison.platform.accounts.principal import principal_for

from .models import CalendarDay, CalendarYear, Category, CrossReferral


def _on_province_host() -> bool:
    return connection.schema_name == get_public_schema_name()


def may_edit_reference_data(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    principal = principal_for(request)
    return Role.PROVINCE_ADMIN in principal.province_roles and getattr(principal, "credentials_error", None) is None


class ProvinceModelAdmin(admin.ModelAdmin):
    list_per_page = 100

    def has_module_permission(self, request):
        return _on_province_host() and principal_for(request).can_read("public")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return _on_province_host() and may_edit_reference_data(request)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)


@admin.register(Category)
class CategoryAdmin(ProvinceModelAdmin):
    list_display = ("sort_order", "code", "name", "name_en", "active")
    list_editable = ("name", "active")
    list_display_links = ("code",)


@admin.register(CalendarYear)
class CalendarYearAdmin(ProvinceModelAdmin):
    list_display = ("year", "source", "updated_at")


@admin.register(CalendarDay)
class CalendarDayAdmin(ProvinceModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind", "name")
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(CrossReferral)
class CrossReferralAdmin(ProvinceModelAdmin):
    list_display = ("created_at", "from_schema", "from_id", "to_schema", "to_id", "status", "updated_at")
    list_filter = ("status", "from_schema", "to_schema")
    readonly_fields = [f.name for f in CrossReferral._meta.fields]

    def has_add_permission(self, request, *args):
        return False  # written by the opinion services only

    def has_delete_permission(self, request, obj=None):
        return False
