"""Admin of the opinion loop, per prefecture host.

Handling units and deadline policies are this prefecture's configuration and are edited
here. Opinions, referrals, replies and suggestions are read-only: every change is a
step of the state machine and goes through services (GraphQL, the importer), so the
ledger keeps who did what. Citizens' names and phones are masked for readers without
the personal-data right.
"""
from __future__ import annotations

from django.contrib import admin
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.platform.accounts.principal import principal_for
from liaison.tenants.divisions.admin import TenantInline, TenantModelAdmin

from . import selectors, workflow
from .models import DeadlinePolicy, HandlingUnit, Opinion, Reply, Suggestion, Transition


@admin.register(HandlingUnit)
class HandlingUnitAdmin(TenantModelAdmin):
    list_display = ("name", "kind", "level", "division", "supervises", "active")
    list_filter = ("level", "kind", "supervises", "active")
    search_fields = ("name", "division__name")
    raw_id_fields = ("division",)
    filter_horizontal = ("categories",)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(TenantModelAdmin):
    list_display = ("__str__", "referral_working_days", "referral_extension_max_working_days", "suggestion_months",
                    "suggestion_max_months", "rehandle_months", "remind_before_working_days", "rating_window_days")


class ReadOnlyInline(TenantInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    """The opinion's history: action labels (never codes) and Asia/Shanghai times."""

    model = Transition
    fk_name = "opinion"
    fields = readonly_fields = ("when", "step", "from_label", "to_label", "actor_label", "note")

    @admin.display(description=_("时间"))
    def when(self, obj):
        return f"{timezone.localtime(obj.at):%Y-%m-%d %H:%M:%S}"

    @admin.display(description=_("环节"))
    def step(self, obj):
        return workflow.label(obj.action)

    @admin.display(description=_("原状态"))
    def from_label(self, obj):
        return workflow.status_label(obj.from_status, _subject(obj)) if obj.from_status else "—"

    @admin.display(description=_("新状态"))
    def to_label(self, obj):
        return workflow.status_label(obj.to_status, _subject(obj)) if obj.to_status else "—"


def _subject(transition) -> str:
    return workflow.OPINION if transition.opinion_id else workflow.SUGGESTION


class SuggestionTransitionInline(TransitionInline):
    fk_name = "suggestion"


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = readonly_fields = ("round", "kind", "content", "outcome", "replied_at", "delivered_to_citizen_at",
                                "delivered_to_deputy_at", "due_on")


class ReadOnlyAdmin(TenantModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("tracking_code", "registered_at", "title", "category", "status", "handling_unit", "due_on", "overdue")
    list_filter = ("status", "channel", "category", "jurisdiction_level")
    search_fields = ("tracking_code", "title")
    inlines = [ReplyInline, TransitionInline]
    exclude = ("citizen_name", "citizen_phone", "idempotency_key")
    readonly_fields = ("citizen",)

    def get_queryset(self, request):
        return selectors.with_overdue(super().get_queryset(request).select_related("category", "handling_unit"))

    @admin.display(boolean=True, description=_("逾期"))
    def overdue(self, obj):
        return obj.is_overdue

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._reader_may_see_personal = principal_for(request).can_read_personal(connection.schema_name)
        return obj

    @admin.display(description=_("群众（姓名、电话）"))
    def citizen(self, obj):
        data = selectors.citizen_of(obj, personal=getattr(obj, "_reader_may_see_personal", False))
        return f"{data['name']} {data['phone']}".strip()


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "lead_deputy", "lead_unit", "status", "due_on", "deputy_satisfaction")
    list_filter = ("status", "level")
    search_fields = ("number", "title")
    inlines = [SuggestionTransitionInline]
