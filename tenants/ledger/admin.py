"""Admin pages of ledgers (台账导入导出) on a prefecture host.

Import: 上传文件 → the dry-run report (every problem with sheet, row, column, reason;
a CSV of the problems to fix the file by) → 确认导入 (one transaction; queued for large
files, with progress). Export: 新建导出 (ledgers, format, date range, status, positions,
categories) → the job list, with a download link once it is done.
Permissions come from the caller's Principal for this host (see divisions.admin):
importing needs MANAGE (prefecture administrators), exporting READ; personal data is
included in exports only for callers who may read it.
"""
from __future__ import annotations


from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from liaison.platform.accounts.principal import principal_for
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.divisions.admin import TenantModelAdmin, on_prefecture_host

from . import exporting, services, spec
from .models import ExportJob, ImportBatch
from .report import ImportReport


def may_import(request) -> bool:
    return on_prefecture_host() and services.can_import(principal_for(request))


def may_export(request) -> bool:
    return on_prefecture_host() and services.can_export(principal_for(request))


def _kind_choices(auto: bool):
    choices = [("auto", "自动识别（按工作表名和表头）")] if auto else []
    return choices + [(k.key, f"{k.title}（{k.key}）") for k in spec.kinds()]


class UploadForm(forms.Form):
    file = forms.FileField(label="台账文件", help_text="CSV（UTF-8 或 GBK）或 XLSX；XLSX 可含多个工作表")
    kind = forms.ChoiceField(label="台账类型", choices=(), initial="auto")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(auto=True)


@admin.register(ImportBatch)
class ImportBatchAdmin(TenantModelAdmin):
    list_display = ("created_at", "filename", "kind", "status", "rows_done", "problems", "created_by_label", "applied_at")
    list_filter = ("status", "kind")
    search_fields = ("filename",)
    change_form_template = "ledger/admin/importbatch_report.html"
    change_list_template = "ledger/admin/importbatch_list.html"

    def has_module_permission(self, request):
        return may_import(request) or may_export(request)

    def has_view_permission(self, request, obj=None):
        return may_import(request)

    def has_add_permission(self, request, *args):
        return may_import(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return may_import(request) and (obj is None or obj.status != ImportBatch.Status.APPLYING)

    @admin.display(description="问题数")
    def problems(self, obj):
        return (obj.report or {}).get("problem_count", "—" if not obj.report else 0)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<uuid:pk>/confirm/", view(self.confirm_view), name="ledger_importbatch_confirm"),
            path("<uuid:pk>/recheck/", view(self.recheck_view), name="ledger_importbatch_recheck"),
            path("<uuid:pk>/problems.csv", view(self.problems_view), name="ledger_importbatch_problems"),
            path("templates/", view(self.templates_view), name="ledger_importbatch_templates"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.stage_import(principal=principal_for(request), filename=upload.name, upload=upload,
                                              kind=form.cleaned_data["kind"])
            except ServiceError as exc:
                for e in exc.errors:
                    form.add_error("file" if e.field in ("filename", "content") else None, e.message)
            except PermissionError as exc:
                raise PermissionDenied(str(exc)) from None
            else:
                self.message_user(request, "文件已上传，请查看试导入结果", messages.SUCCESS)
                return redirect(reverse("admin:ledger_importbatch_change", args=[batch.pk]))
        context = {**self.admin_site.each_context(request), "title": "上传台账（先试导入）", "form": form, "opts": self.model._meta,
                   "kinds": spec.kinds()}
        return TemplateResponse(request, "ledger/admin/importbatch_upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not services._is_uuid(object_id):
            raise Http404
        batch = get_object_or_404(ImportBatch, pk=object_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        report = ImportReport.from_dict(batch.report) if batch.report else None
        context = {**self.admin_site.each_context(request), "title": f"台账导入：{batch.filename}", "batch": batch,
                   "report": report, "opts": self.model._meta, "original": batch,
                   "can_confirm": batch.status == ImportBatch.Status.CHECKED and may_import(request),
                   "busy": batch.status in (ImportBatch.Status.STAGED, ImportBatch.Status.APPLYING),
                   "problems": report.problems[:1000] if report else [], "warnings": report.warnings[:200] if report else []}
        return TemplateResponse(request, self.change_form_template, context)

    def confirm_view(self, request, pk):
        if request.method != "POST" or not may_import(request):
            raise PermissionDenied
        try:
            services.confirm_import(pk, principal=principal_for(request))
            self.message_user(request, "已确认：正在导入（一次性全部写入，有任何问题则不写入）", messages.SUCCESS)
        except ServiceError as exc:
            for e in exc.errors:
                self.message_user(request, e.message, messages.ERROR)
        return redirect(reverse("admin:ledger_importbatch_change", args=[pk]))

    def recheck_view(self, request, pk):
        if request.method != "POST" or not may_import(request):
            raise PermissionDenied
        try:
            services.recheck(pk, principal=principal_for(request))
        except ServiceError as exc:
            for e in exc.errors:
                self.message_user(request, e.message, messages.ERROR)
        return redirect(reverse("admin:ledger_importbatch_change", args=[pk]))

    def problems_view(self, request, pk):
        if not may_import(request):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        report = ImportReport.from_dict(batch.report or {})
        response = HttpResponse(report.problems_csv().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="problems-{batch.pk}.csv"'
        return response

    def templates_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "台账模板与填表说明", "kinds": spec.kinds(), "opts": self.model._meta}
        return TemplateResponse(request, "ledger/admin/templates.html", context)


class ExportForm(forms.Form):
    kinds = forms.MultipleChoiceField(label="台账", choices=(), widget=forms.CheckboxSelectMultiple,
                                      initial=["opinions", "opinion_history"])
    format = forms.ChoiceField(label="格式", choices=[("xlsx", "XLSX（多个台账在一个工作簿中）"), ("csv", "CSV（多个台账打包为 ZIP）")])
    encoding = forms.ChoiceField(label="CSV 编码", choices=[("utf-8-sig", "UTF-8（带 BOM，Excel 可直接打开）"), ("gbk", "GBK"), ("utf-8", "UTF-8")],
                                 required=False, initial="utf-8-sig")
    date_from = forms.DateField(label="登记日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="登记日期至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.MultipleChoiceField(label="办理状态", required=False, choices=(), widget=forms.CheckboxSelectMultiple)
    positions = forms.CharField(label="阵地编码", required=False, help_text="多个用逗号分隔；留空为全部")
    categories = forms.CharField(label="意见类别", required=False, help_text="类别名称或代码，多个用逗号分隔")
    personal = forms.BooleanField(label="包含个人信息（不打码）", required=False, initial=True,
                                  help_text="仅对有权查看个人信息的账号生效")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(k.key, k.title) for k in spec.kinds()]
        from liaison.tenants.opinions.models import Status

        self.fields["status"].choices = list(Status.choices)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("结束日期早于开始日期")
        return data


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("，", ",").replace("、", ",").split(",") if part.strip()]


@admin.register(ExportJob)
class ExportJobAdmin(TenantModelAdmin):
    list_display = ("created_at", "what", "format", "status", "rows_done", "include_personal", "requested_by_label", "download")
    list_filter = ("status", "format")
    change_list_template = "ledger/admin/exportjob_list.html"

    def has_module_permission(self, request):
        return may_export(request)

    def has_view_permission(self, request, obj=None):
        return may_export(request)

    def has_add_permission(self, request, *args):
        return may_export(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return may_import(request)

    @admin.display(description="台账")
    def what(self, obj):
        titles = []
        for key in obj.kinds:
            try:
                titles.append(spec.get_kind(key).title)
            except KeyError:
                titles.append(key)
        return "、".join(titles)

    @admin.display(description="下载")
    def download(self, obj):
        if obj.status != ExportJob.Status.DONE:
            return obj.error[:60] if obj.error else "—"
        return format_html('<a href="{}">下载 {}</a>', obj.download_path, obj.filename)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            filters = exporting.ExportFilters(date_from=d["date_from"], date_to=d["date_to"], status=list(d["status"]),
                                              positions=_split(d["positions"]), categories=_split(d["categories"]))
            principal = principal_for(request)
            personal = d["personal"] and principal.can_read_personal(services.schema())
            try:
                services.request_export(principal=principal, kinds=d["kinds"], fmt=d["format"], filters=filters,
                                        encoding=d.get("encoding") or "utf-8-sig", personal=personal)
            except ServiceError as exc:
                for e in exc.errors:
                    form.add_error(None, e.message)
            except PermissionError as exc:
                raise PermissionDenied(str(exc)) from None
            else:
                self.message_user(request, "导出已开始：完成后可在列表中下载", messages.SUCCESS)
                return redirect(reverse("admin:ledger_exportjob_changelist"))
        context = {**self.admin_site.each_context(request), "title": "导出台账", "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "ledger/admin/exportjob_form.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect(reverse("admin:ledger_exportjob_changelist"))


