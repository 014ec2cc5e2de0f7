"""Admin (Chinese) for positions, their checklist, checks and staff. Writes go through services."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.divisions.admin import (
    ServiceBackedAdmin,
    TenantInline,
    can_read,
    can_write,
    report_service_error,
)

from . import selectors, services
from .models import STATION_TIERS, Position, PositionStatusChange, Staff, StandardCheck, StandardItem, Status

POSITION_FORM_FIELDS = ("code", "name", "tier", "special_kind", "field", "division", "parent", "counterpart", "address",
                        "latitude", "longitude", "opening_hours", "established_on", "online_url")


class StatusHistoryInline(TenantInline):
    model = PositionStatusChange
    fields = ("changed_on", "from_status", "to_status", "derived", "note")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "建设状态履历"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(TenantInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckInline(ReadOnlyInline):
    model = StandardCheck
    fields = readonly_fields = ("item", "met", "checked_on", "evidence_note", "evidence_photo")
    verbose_name_plural = "标准核查（在“标准核查记录”中登记）"


class StaffInline(ReadOnlyInline):
    model = Staff
    fields = readonly_fields = ("role", "name", "start_on", "end_on")
    verbose_name_plural = "工作人员（在“工作人员”中登记）"


def _stationing_inline():
    from liaison.tenants.deputies.models import Stationing

    class StationingInline(ReadOnlyInline):
        model = Stationing
        fields = readonly_fields = ("deputy", "basis", "start_on", "end_on")
        verbose_name_plural = "进站代表（在“进站代表”中登记）"

    return StationingInline


@admin.register(Position)
class PositionAdmin(ServiceBackedAdmin):
    list_display = ("code", "name", "tier", "division", "parent", "status", "status_since", "standard")
    list_filter = ("tier", "status", "special_kind")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("division", "parent", "counterpart")
    fields = POSITION_FORM_FIELDS + ("status", "status_since", "qr_code")
    readonly_fields = ("status", "status_since", "qr_code")
    inlines = [StatusHistoryInline, CheckInline, StaffInline, _stationing_inline()]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["mark_building", "mark_open", "mark_closed"]

    def service_save(self, request, data, instance):
        values = {k: data.get(k) for k in POSITION_FORM_FIELDS}
        if instance is None:
            return services.create_position(**values)
        return services.update_position(instance.pk, **values)

    def get_queryset(self, request):
        return selectors.annotate_standard(super().get_queryset(request).select_related("division", "parent"))

    @admin.display(description="达标情况")
    def standard(self, obj):
        text = f"{obj.items_met}/{obj.items_total}"
        if obj.tier in STATION_TIERS:
            text += f"，进站代表 {obj.stationed_now}"
            if obj.stationed_now < selectors.MIN_STATIONED_DEPUTIES:
                text += "（不足3名）"
        return text

    @admin.display(description="二维码")
    def qr_code(self, obj):
        if not obj.pk:
            return "保存后生成"
        png = reverse("admin:positions_position_qr", args=[obj.pk, "png"])
        svg = reverse("admin:positions_position_qr", args=[obj.pk, "svg"])
        return format_html('<img src="{}" width="160" alt="二维码"><br>{} · <a href="{}">PNG</a> · <a href="{}">SVG</a>',
                           svg, selectors.public_url(obj), png, svg)

    def get_urls(self):
        return [path("<int:pk>/qr.<str:kind>", self.admin_site.admin_view(self.qr_view), name="positions_position_qr")] + super().get_urls()

    def qr_view(self, request, pk, kind):
        if not can_read(request):
            return HttpResponse(status=403)
        position = get_object_or_404(Position, pk=pk)
        if kind == "png":
            return HttpResponse(selectors.qr_png(position), content_type="image/png")
        if kind == "svg":
            return HttpResponse(selectors.qr_svg(position), content_type="image/svg+xml")
        return HttpResponse(status=404)

    def has_write_permission(self, request):
        return can_write(request)

    def _transition(self, request, queryset, to_status):
        done = 0
        for position in queryset:
            try:
                services.change_status(position.pk, to_status)
                done += 1
            except ServiceError as exc:
                report_service_error(self, request, exc)
        if done:
            self.message_user(request, f"已变更 {done} 个阵地的状态为“{Status(to_status).label}”", level=messages.SUCCESS)

    @admin.action(description="标记为建设中（今日）", permissions=["write"])
    def mark_building(self, request, queryset):
        self._transition(request, queryset, Status.BUILDING)

    @admin.action(description="标记为已运行（今日）", permissions=["write"])
    def mark_open(self, request, queryset):
        self._transition(request, queryset, Status.OPEN)

    @admin.action(description="关闭阵地（今日）", permissions=["write"])
    def mark_closed(self, request, queryset):
        self._transition(request, queryset, Status.CLOSED)


@admin.register(StandardItem)
class StandardItemAdmin(ServiceBackedAdmin):
    list_display = ("order", "code", "name", "active", "from_template")
    list_display_links = ("code", "name")
    fields = ("code", "name", "description", "order", "active")

    def changelist_view(self, request, extra_context=None):
        if can_write(request):
            services.ensure_checklist()
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: checks recorded against the item stay on file

    def service_save(self, request, data, instance):
        code = instance.code if instance else data["code"]
        return services.save_checklist_item(code=code, name=data["name"], description=data.get("description", ""),
                                            order=data.get("order") or 0, active=data.get("active", True))


@admin.register(StandardCheck)
class StandardCheckAdmin(ServiceBackedAdmin):
    list_display = ("position", "item", "met", "checked_on")
    list_filter = ("met", "item")
    search_fields = ("position__name", "position__code")
    raw_id_fields = ("position",)
    fields = ("position", "item", "met", "checked_on", "evidence_note", "evidence_photo")

    def get_readonly_fields(self, request, obj=None):
        return ("position", "item") if obj else ()

    def service_save(self, request, data, instance):
        position = instance.position_id if instance else data["position"]
        item = instance.item_id if instance else data["item"]
        photo = data.get("evidence_photo") or None
        return services.record_check(position, item, met=data.get("met", False), checked_on=data.get("checked_on"),
                                     evidence_note=data.get("evidence_note", ""), evidence_photo=photo if photo and not getattr(photo, "_committed", False) else None)


@admin.register(Staff)
class StaffAdmin(ServiceBackedAdmin):
    list_display = ("name", "role", "position", "start_on", "end_on")
    list_filter = ("role",)
    search_fields = ("name", "position__name")
    raw_id_fields = ("position", "deputy")
    fields = ("position", "role", "name", "deputy", "phone", "email", "start_on", "end_on")

    def get_readonly_fields(self, request, obj=None):
        return ("position", "role", "name", "deputy", "phone", "email", "start_on") if obj else ()

    def service_save(self, request, data, instance):
        if instance is None:
            return services.add_staff(data["position"], role=data["role"], name=data["name"], start_on=data.get("start_on"),
                                      end_on=data.get("end_on"), phone=data.get("phone", ""), email=data.get("email", ""),
                                      deputy=data.get("deputy"))
        if data.get("end_on"):
            return services.end_staff(instance.pk, end_on=data["end_on"])
        return Staff.objects.get(pk=instance.pk)
