"""变更记录: read-only admin pages of the audit history (tenants/common/audit.py).

On a prefecture's host its administrators (and province roles) see that prefecture's
history — positions, staff, deputies, stationing, handling units, deadline policies (in
the prefecture's schema) and its memberships (public, filtered to this prefecture). On
the province host province administrators see memberships, API keys and the official
calendar. Nobody can add, change or delete an event.
"""
from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.utils.html import format_html_join

from liaison.platform.accounts.models import Role
from liaison.platform.accounts.principal import principal_for
from liaison.platform.ops import audit

PREFECTURE_TABLES = [("positions", "PositionEvent"), ("positions", "StaffEvent"), ("deputies", "DeputyEvent"),
                     ("deputies", "StationingEvent"), ("opinions", "HandlingUnitEvent"), ("opinions", "DeadlinePolicyEvent")]
PROVINCE_TABLES = [("accounts", "ApiKeyEvent"), ("province", "CalendarDayEvent")]


def _on_prefecture_host() -> bool:
    return connection.schema_name not in ("public", "tenant_template")


class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("pgh_created_at", "action", "record", "actor", "interface", "diff")
    list_filter = ("pgh_label",)
    list_per_page = 50
    ordering = ("-pgh_id",)
    where = "prefecture"  # or "province" or "both" (memberships)

    def _allowed(self, request) -> bool:
        principal = principal_for(request)
        if _on_prefecture_host():
            return self.where in ("prefecture", "both") and principal.may_use_admin(connection.schema_name)
        return self.where in ("province", "both") and Role.PROVINCE_ADMIN in principal.province_roles

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def get_queryset(self, request):
        self._diffs = None
        return super().get_queryset(request)

    def _change(self, obj) -> audit.Change:
        # the diff needs the object's previous snapshot
        previous = (type(obj).objects.filter(pgh_obj_id=obj.pgh_obj_id, pgh_id__lt=obj.pgh_id).order_by("-pgh_id").first())
        events = [previous, obj] if previous is not None else [obj]
        return audit.changes_of(events)[-1]

    @admin.display(description="操作", ordering="pgh_label")
    def action(self, obj):
        return audit.LABELS.get(obj.pgh_label, obj.pgh_label)

    @admin.display(description="记录")
    def record(self, obj):
        label = getattr(obj, "name", None) or getattr(obj, "code", None) or getattr(obj, "date", None) or ""
        return f"#{obj.pgh_obj_id} {label}".strip()

    @admin.display(description="操作人")
    def actor(self, obj):
        return audit.who(obj.pgh_context)

    @admin.display(description="途径")
    def interface(self, obj):
        return audit.VIA_LABELS.get((obj.pgh_context or {}).get("via") or "", "—")

    @admin.display(description="变更（前 → 后）")
    def diff(self, obj):
        change = self._change(obj)
        return format_html_join("", "<div>{}: {} → {}</div>", ((name, audit._fmt(b), audit._fmt(a))
                                                                 for name, (b, a) in change.changes.items()))


class MembershipEventAdmin(AuditEventAdmin):
    where = "both"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if _on_prefecture_host():
            from liaison.tenants.registry.models import Prefecture

            prefecture = Prefecture.objects.filter(schema_name=connection.schema_name).first()
            return qs.filter(prefecture_id=prefecture.pk if prefecture else -1)
        return qs

    @admin.display(description="记录")
    def record(self, obj):
        return f"#{obj.pgh_obj_id} 用户 #{obj.user_id} · {obj.get_role_display()}"


def _register(app_label: str, model_name: str, admin_class, where: str) -> None:
    model = apps.get_model(app_label, model_name)
    admin.site.register(model, type(f"{model_name}Admin", (admin_class,), {"where": where}))


for _app, _name in PREFECTURE_TABLES:
    _register(_app, _name, AuditEventAdmin, "prefecture")
for _app, _name in PROVINCE_TABLES:
    _register(_app, _name, AuditEventAdmin, "province")
_register("accounts", "MembershipEvent", MembershipEventAdmin, "both")
