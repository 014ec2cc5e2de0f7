"""The practices in the prefecture admin (read and correct; the rules run in services)."""
from django.contrib import admin

from . import models


@admin.register(models.PracticeSettings)
class PracticeSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "online_period", "office_period", "station_period", "home_period", "review_cutoff_day", "claim_escalation_hours"]


@admin.register(models.AttendanceNotice)
class AttendanceNoticeAdmin(admin.ModelAdmin):
    list_display = ["year", "deputy", "position", "scheduled", "attended", "created_at"]
    list_filter = ["year"]
    exclude = ["document"]
    readonly_fields = ["deputy", "position", "year", "filename", "scheduled", "attended", "notification"]


@admin.register(models.Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["deputy", "held_on", "recorded_by"]


class ResignationEventInline(admin.TabularInline):
    model = models.ResignationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "note", "at", "actor"]


@admin.register(models.ResignationAdvice)
class ResignationAdviceAdmin(admin.ModelAdmin):
    list_display = ["deputy", "advised_on", "status"]
    inlines = [ResignationEventInline]


class AuditItemInline(admin.TabularInline):
    model = models.AuditItem
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "record_id", "deputy", "position", "record_date"]


@admin.register(models.Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["title", "period_start", "period_end", "sample_size", "population_size", "seed", "published_at"]
    readonly_fields = ["seed", "sample_size", "population_size", "drawn_at", "drawn_by"]
    inlines = [AuditItemInline]


class ReviewDecisionInline(admin.TabularInline):
    model = models.ReviewDecision
    extra = 0
    can_delete = False
    readonly_fields = ["stage", "decision", "note", "decided_at", "decided_by"]


@admin.register(models.ClosingSuggestion)
class ClosingSuggestionAdmin(admin.ModelAdmin):
    list_display = ["title", "lead_deputy", "review_month", "status", "stage"]
    list_filter = ["status", "review_month"]
    inlines = [ReviewDecisionInline]


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "theme", "phase"]


@admin.register(models.Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["participant", "campaign", "status", "due_on", "fulfilled_on"]
    list_filter = ["status"]


class RequestEventInline(admin.TabularInline):
    model = models.RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "deputy", "unit", "note", "at"]


@admin.register(models.Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["title", "position", "status", "deputy", "unit", "published_at"]
    list_filter = ["status"]
    inlines = [RequestEventInline]


class GridDeputyInline(admin.TabularInline):
    model = models.GridDeputy
    extra = 0


@admin.register(models.Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division"]
    inlines = [GridDeputyInline]
