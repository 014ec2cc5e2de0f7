"""The practices in the prefecture admin (Chinese). Permissions come from the caller's
Principal (TenantModelAdmin): nothing on another prefecture's host. Records are read-only
here — they change through the services (GraphQL, the workbench); the settings change
through their service, so its rules (cut-off 1–28 …) become form errors. Notices can be
downloaded as the XLSX that was sent."""
from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from liaison.tenants.divisions.admin import ServiceBackedAdmin, TenantInline, TenantModelAdmin, can_read

from . import models
from .services import settings as practice_settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReadOnlyAdmin(TenantModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(TenantInline):
    can_delete = False

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.PracticeSettings)
class PracticeSettingsAdmin(ServiceBackedAdmin):
    list_display = ["__str__", "online_period", "office_period", "station_period", "home_period", "review_cutoff_day",
                    "claim_escalation_hours"]
    fields = [f for f in practice_settings.PERIOD_FIELDS + practice_settings.POSITIVE_FIELDS] + ["review_cutoff_day"]

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request) and not models.PracticeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, data, instance):
        return practice_settings.update(**{k: data[k] for k in self.fields if k in data})


@admin.register(models.AttendanceNotice)
class AttendanceNoticeAdmin(ReadOnlyAdmin):
    list_display = ["year", "deputy", "position", "scheduled", "attended", "created_at", "download"]
    list_filter = ["year"]
    exclude = ["document"]

    @admin.display(description=_("通知书"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:practice_attendancenotice_download", args=[obj.pk]), _("下载"))

    def get_urls(self):
        return [path("<int:pk>/download/", self.admin_site.admin_view(self.download_view),
                     name="practice_attendancenotice_download")] + super().get_urls()

    def download_view(self, request, pk):
        if not can_read(request):
            return HttpResponse(status=403)
        notice = get_object_or_404(models.AttendanceNotice, pk=pk)
        response = HttpResponse(bytes(notice.document), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{notice.filename}"'
        return response


@admin.register(models.Talk)
class TalkAdmin(ReadOnlyAdmin):
    list_display = ["deputy", "held_on", "recorded_by"]


class ResignationEventInline(ReadOnlyInline):
    model = models.ResignationEvent


@admin.register(models.ResignationAdvice)
class ResignationAdviceAdmin(ReadOnlyAdmin):
    list_display = ["deputy", "advised_on", "status"]
    inlines = [ResignationEventInline]


class AuditItemInline(ReadOnlyInline):
    model = models.AuditItem


@admin.register(models.Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["title", "period_start", "period_end", "sample_size", "population_size", "seed", "published_at"]
    inlines = [AuditItemInline]


class ReviewDecisionInline(ReadOnlyInline):
    model = models.ReviewDecision


@admin.register(models.ClosingSuggestion)
class ClosingSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["title", "lead_deputy", "review_month", "status", "stage"]
    list_filter = ["status", "review_month"]
    inlines = [ReviewDecisionInline]


@admin.register(models.Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["year", "theme", "phase"]


@admin.register(models.Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["participant", "campaign", "status", "due_on", "fulfilled_on"]
    list_filter = ["status"]


class RequestEventInline(ReadOnlyInline):
    model = models.RequestEvent


@admin.register(models.Request)
class RequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "position", "status", "deputy", "unit", "published_at"]
    list_filter = ["status"]
    inlines = [RequestEventInline]


class GridDeputyInline(ReadOnlyInline):
    model = models.GridDeputy


@admin.register(models.Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "division"]
    inlines = [GridDeputyInline]
