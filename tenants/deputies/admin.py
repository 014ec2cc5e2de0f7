"""Admin (Chinese) for deputies, stationing, the points scheme, and the performance record."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.divisions.admin import ServiceBackedAdmin, can_read, can_write, report_service_error

from . import selectors, services
from .models import Deputy, PointsRule, Stationing

DEPUTY_FORM_FIELDS = ("roll_number", "name", "level", "constituency", "gender", "ethnicity", "occupation", "phone", "id_number",
                      "email", "bio", "active")


class BringInForm(forms.Form):
    code = forms.CharField(label="全省代表编号", max_length=40)


@admin.register(Deputy)
class DeputyAdmin(ServiceBackedAdmin):
    list_display = ("roll_number", "name", "level", "constituency", "on_roll", "active", "record_link")
    list_filter = ("level", "active", "on_roll")
    search_fields = ("roll_number", "name")
    raw_id_fields = ("constituency",)
    fields = DEPUTY_FORM_FIELDS + ("identity", "on_roll", "qr_code")
    readonly_fields = ("identity", "on_roll", "qr_code")

    def service_save(self, request, data, instance):
        values = {k: data.get(k) for k in DEPUTY_FORM_FIELDS}
        if instance is None:
            return services.create_deputy(**values)
        return services.update_deputy(instance.pk, **values)

    @admin.display(description="代表码")
    def qr_code(self, obj):
        if not obj.pk:
            return "保存后生成"
        svg = reverse("admin:deputies_deputy_qr", args=[obj.pk, "svg"])
        png = reverse("admin:deputies_deputy_qr", args=[obj.pk, "png"])
        return format_html('<img src="{}" width="160" alt="代表码"><br><a href="{}">PNG</a> · <a href="{}">SVG</a>', svg, png, svg)

    @admin.display(description="履职档案")
    def record_link(self, obj):
        return format_html('<a href="{}">查看</a>', reverse("admin:deputies_deputy_record", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/qr.<str:kind>", view(self.qr_view), name="deputies_deputy_qr"),
            path("<int:pk>/record/", view(self.record_view), name="deputies_deputy_record"),
            path("bring-in/", view(self.bring_in_view), name="deputies_deputy_bring_in"),
        ] + super().get_urls()

    def qr_view(self, request, pk, kind):
        if not can_read(request):
            return HttpResponse(status=403)
        deputy = get_object_or_404(Deputy, pk=pk)
        if kind == "png":
            return HttpResponse(selectors.qr_png(deputy), content_type="image/png")
        if kind == "svg":
            return HttpResponse(selectors.qr_svg(deputy), content_type="image/svg+xml")
        return HttpResponse(status=404)

    def record_view(self, request, pk):
        if not can_read(request):
            return HttpResponse(status=403)
        deputy = get_object_or_404(Deputy, pk=pk)
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        record = selectors.performance_record(deputy, year)
        labels = {"visit": "走访", "inspection": "视察", "survey": "调研", "training": "培训", "campaign": "主题活动", "report": "向选民述职"}
        rows = [("接待日签到", record.duty_days), ("接待记录", record.receptions), ("接待群众人次", record.people_received)]
        rows += [(label, record.activities.get(kind, 0)) for kind, label in labels.items()]
        rows += [("收集意见建议", record.opinions), ("领衔代表建议", record.suggestions), ("附议代表建议", record.suggestions_cosigned)]
        from liaison.tenants.practice.selectors.cadence import year_record  # 日在线、周驻室、月进站、常回家

        context = {**self.admin_site.each_context(request), "title": f"{deputy.name} {year} 年履职档案", "deputy": deputy,
                   "year": year, "rows": rows, "record": record, "opts": self.model._meta, "cadence": year_record(deputy, year),
                   "points_detail": [(k, v) for k, v in record.points_detail.items()]}
        return TemplateResponse(request, "admin/deputies/performance_record.html", context)

    def bring_in_view(self, request):
        if not can_write(request):
            return HttpResponse(status=403)
        form = BringInForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            from liaison.platform.roster.models import ProvinceDeputy

            identity = ProvinceDeputy.objects.filter(code=form.cleaned_data["code"].strip()).first()
            try:
                if identity is None:
                    raise ServiceError.single("code", "全省名册中没有该编号", "not_found")
                deputy = services.bring_in_province_deputy(identity.pk)
            except ServiceError as exc:
                for error in exc.errors:
                    form.add_error("code", error.message)
            else:
                self.message_user(request, f"已引入 {deputy.name}，可安排进站", level=messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:deputies_deputy_change", args=[deputy.pk]))
        context = {**self.admin_site.each_context(request), "title": "引入外州市的省级及以上代表", "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "admin/deputies/bring_in.html", context)


@admin.register(Stationing)
class StationingAdmin(ServiceBackedAdmin):
    list_display = ("deputy", "position", "basis", "start_on", "end_on")
    list_filter = ("basis",)
    search_fields = ("deputy__name", "position__name")
    raw_id_fields = ("deputy", "position")
    fields = ("deputy", "position", "basis", "start_on", "end_on", "note")
    actions = ["end_today"]

    def get_readonly_fields(self, request, obj=None):
        return ("deputy", "position", "basis", "start_on", "note") if obj else ()

    def service_save(self, request, data, instance):
        if instance is None:
            return services.station_deputy(data["deputy"], data["position"], start_on=data.get("start_on"), end_on=data.get("end_on"),
                                           basis=data.get("basis") or "area", note=data.get("note", ""))
        if data.get("end_on"):
            return services.end_stationing(instance.pk, end_on=data["end_on"])
        return Stationing.objects.get(pk=instance.pk)

    def has_write_permission(self, request):
        return can_write(request)

    @admin.action(description="办理离站（今日）", permissions=["write"])
    def end_today(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                services.end_stationing(pk, end_on=dt.date.today())
                done += 1
            except ServiceError as exc:
                report_service_error(self, request, exc)
        if done:
            self.message_user(request, f"已办理 {done} 条离站", level=messages.SUCCESS)


@admin.register(PointsRule)
class PointsRuleAdmin(ServiceBackedAdmin):
    list_display = ("metric", "points", "cap_per_year", "active")
    fields = ("metric", "points", "cap_per_year", "active")

    def service_save(self, request, data, instance):
        metric = instance.metric if instance else data["metric"]
        return services.set_points_rule(metric, data["points"], cap_per_year=data.get("cap_per_year"), active=data.get("active", True))
