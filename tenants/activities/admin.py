"""Admin (Chinese) for the daily work: schedule a reception day, announce it, sign deputies
in, record a reception. Every write goes through liaison.tenants.activities.services."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.admin import ServiceBackedAdmin, TenantInline, TenantModelAdmin, can_write, report_service_error

from . import selectors, services
from .models import AnnualPlan, Event, EventKind, Reception, SignIn, Visitor

EVENT_FORM_FIELDS = ("position", "plan", "kind", "title", "starts_at", "ends_at", "place", "description")


class ReadOnlyInline(TenantInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScheduledInline(ReadOnlyInline):
    model = Event.deputies.through
    fields = readonly_fields = ("deputy",)
    verbose_name_plural = "安排代表"


class SignInInline(ReadOnlyInline):
    model = SignIn
    fields = readonly_fields = ("deputy", "signed_at", "method")
    verbose_name_plural = "签到"


class ReceptionInline(ReadOnlyInline):
    model = Reception
    fields = readonly_fields = ("deputy", "people_received", "summary", "recorded_at")
    verbose_name_plural = "接待记录"


class EventForm(forms.ModelForm):
    scheduled = forms.ModelMultipleChoiceField(label="安排代表", queryset=Deputy.objects.filter(active=True), required=False,
                                               widget=admin.widgets.FilteredSelectMultiple("代表", False))

    class Meta:
        model = Event
        fields = EVENT_FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["scheduled"].initial = list(self.instance.deputies.values_list("pk", flat=True))
        if "title" in self.fields:  # absent when the user may only view (read-only fields)
            self.fields["title"].required = False
            self.fields["title"].help_text = "留空则为“阵地名称 + 活动类型”"


@admin.register(Event)
class EventAdmin(ServiceBackedAdmin):
    form = EventForm
    list_display = ("title", "kind", "position", "starts_at", "status", "announced_at", "attendance", "work_links")
    list_filter = ("kind", "status")
    search_fields = ("title", "position__name", "place")
    raw_id_fields = ("position", "plan")
    date_hierarchy = "starts_at"
    readonly_fields = ("status", "announced_at")
    inlines = [ScheduledInline, SignInInline, ReceptionInline]
    actions = ["announce", "cancel"]

    def get_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):  # read-only view: the inline lists the deputies
            return EVENT_FORM_FIELDS + ("status", "announced_at")
        return EVENT_FORM_FIELDS + ("scheduled", "status", "announced_at")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", EventKind.RECEPTION_DAY)
        return initial

    def service_save(self, request, data, instance):
        deputies = [d.pk for d in data.pop("scheduled", [])]
        values = {k: data.get(k) for k in EVENT_FORM_FIELDS}
        if instance is None:
            position = values.pop("position")
            return services.schedule_event(position, deputies=deputies, **values)
        values.pop("position")
        return services.update_event(instance.pk, deputies=deputies, **values)

    @admin.display(description="签到/安排")
    def attendance(self, obj):
        a = selectors.attendance(obj)
        return f"{a['signed_in']}/{a['scheduled']}"

    @admin.display(description="日常工作")
    def work_links(self, obj):
        links = [format_html('<a href="{}">签到</a>', reverse("admin:activities_event_sign_in", args=[obj.pk]))]
        if obj.kind == EventKind.RECEPTION_DAY:
            links.append(format_html('<a href="{}">登记接待</a>', reverse("admin:activities_event_reception", args=[obj.pk])))
        return format_html(" · ".join(["{}"] * len(links)), *links)

    def has_write_permission(self, request):
        return can_write(request)

    @admin.action(description="公告所选活动（通知安排的代表）", permissions=["write"])
    def announce(self, request, queryset):
        for event in queryset:
            try:
                result = services.announce_event(event.pk)
            except ServiceError as exc:
                report_service_error(self, request, exc)
                continue
            self.message_user(request, f"已公告“{event.title}”，通知代表 {result.notified} 人", level=messages.SUCCESS)
            for warning in result.warnings:
                self.message_user(request, f"提醒：{warning.message}", level=messages.WARNING)

    @admin.action(description="取消所选活动", permissions=["write"])
    def cancel(self, request, queryset):
        for event in queryset:
            try:
                services.cancel_event(event.pk)
                self.message_user(request, f"已取消“{event.title}”", level=messages.SUCCESS)
            except ServiceError as exc:
                report_service_error(self, request, exc)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/sign-in/", view(self.sign_in_view), name="activities_event_sign_in"),
            path("<int:pk>/reception/", view(self.reception_view), name="activities_event_reception"),
        ] + super().get_urls()

    def _page(self, request, event, title, form, template):
        context = {**self.admin_site.each_context(request), "title": title, "event": event, "form": form, "opts": self.model._meta,
                   "attendance": selectors.attendance(event)}
        return TemplateResponse(request, template, context)

    def sign_in_view(self, request, pk):
        if not can_write(request):
            return HttpResponse(status=403)
        event = get_object_or_404(Event, pk=pk)
        signed = event.sign_ins.values_list("deputy_id", flat=True)
        form = SignInForm(request.POST or None, event=event, signed=signed)
        if request.method == "POST" and form.is_valid():
            done, failed = 0, False
            for deputy in form.cleaned_data["deputies"]:
                try:
                    services.sign_in(event.pk, deputy.pk, at=form.cleaned_data["signed_at"])
                    done += 1
                except ServiceError as exc:
                    failed = True
                    for error in exc.errors:
                        form.add_error(None, f"{deputy.name}：{error.message}")
            if done:
                self.message_user(request, f"已为 {done} 名代表签到", level=messages.SUCCESS)
            if not failed:
                return HttpResponseRedirect(reverse("admin:activities_event_change", args=[event.pk]))
        return self._page(request, event, f"签到：{event.title}", form, "admin/activities/event_form_page.html")

    def reception_view(self, request, pk):
        if not can_write(request):
            return HttpResponse(status=403)
        event = get_object_or_404(Event, pk=pk)
        form = ReceptionForm(request.POST or None, event=event)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_reception(event.pk, people_received=form.cleaned_data["people_received"],
                                          deputy=form.cleaned_data["deputy"], summary=form.cleaned_data["summary"],
                                          visitors=form.cleaned_data["visitors"])
            except ServiceError as exc:
                for error in exc.errors:
                    field = error.field if error.field in form.fields else None
                    form.add_error(field, error.message)
            else:
                self.message_user(request, "已登记接待记录", level=messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:activities_event_change", args=[event.pk]))
        return self._page(request, event, f"登记接待：{event.title}", form, "admin/activities/event_form_page.html")


class SignInForm(forms.Form):
    deputies = forms.ModelMultipleChoiceField(label="签到代表", queryset=Deputy.objects.none(), widget=forms.CheckboxSelectMultiple)
    signed_at = forms.DateTimeField(label="签到时间", initial=timezone.now)

    def __init__(self, *args, event, signed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputies"].queryset = event.deputies.exclude(pk__in=list(signed))
        self.fields["signed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ReceptionForm(forms.Form):
    deputy = forms.ModelChoiceField(label="接待代表", queryset=Deputy.objects.none(), required=False)
    people_received = forms.IntegerField(label="接待群众人次", min_value=0)
    summary = forms.CharField(label="接待情况", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    visitors_text = forms.CharField(label="来访群众（可选，个人信息）", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text="每行一人：姓名,联系电话,反映事项（仅在群众同意时填写）")

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = event.deputies.all()

    def clean(self):
        cleaned = super().clean()
        visitors = []
        for line in (cleaned.get("visitors_text") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            visitors.append({"name": parts[0], "phone": parts[1] if len(parts) > 1 else "", "matter": ",".join(parts[2:])})
        cleaned["visitors"] = visitors
        return cleaned


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ServiceBackedAdmin):
    list_display = ("year", "position", "title", "reception_days_planned", "progress")
    list_filter = ("year",)
    search_fields = ("title", "position__name")
    raw_id_fields = ("position",)
    fields = ("position", "year", "title", "content", "reception_days_planned", "other_activities_planned")

    def get_readonly_fields(self, request, obj=None):
        return ("position", "year") if obj else ()

    @admin.display(description="已举行接待日")
    def progress(self, obj):
        return selectors.plan_progress(obj)["reception_days_held"]

    def service_save(self, request, data, instance):
        position = instance.position_id if instance else data["position"]
        year = instance.year if instance else data["year"]
        return services.save_plan(position, year, title=data["title"], content=data.get("content", ""),
                                  reception_days_planned=data.get("reception_days_planned") or 0,
                                  other_activities_planned=data.get("other_activities_planned") or 0)


class ReadOnlyAdmin(TenantModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignIn)
class SignInAdmin(ReadOnlyAdmin):
    list_display = ("event", "deputy", "signed_at", "method")
    list_filter = ("method",)
    search_fields = ("deputy__name", "event__title")


class VisitorInline(ReadOnlyInline):
    model = Visitor
    fields = readonly_fields = ("name", "phone", "address", "matter")
    verbose_name_plural = "来访群众（个人信息）"


@admin.register(Reception)
class ReceptionAdmin(ReadOnlyAdmin):
    list_display = ("event", "deputy", "people_received", "recorded_at")
    search_fields = ("event__title", "deputy__name")
    inlines = [VisitorInline]
