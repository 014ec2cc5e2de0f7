"""Admin of the divisions tree, and the base every tenant-schema ModelAdmin uses.

`TenantModelAdmin` decides permissions from the caller's Principal for the schema the
request is served from (liaison.platform.accounts.principal), not from Django's
per-model permission table (which lives in `public` and knows nothing of prefectures):
- on the province host (public schema) tenant models are hidden entirely: their tables
  do not exist there;
- reading needs `can_read(schema)`, writing `can_write(schema)`: a kunming admin sees
  nothing on qujing's host, a province monitor reads but never writes.
Changes go through services: subclasses call them from `save_model`; `ServiceError`s
become form errors via `apply_service_errors`.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import get_public_schema_name

from liaison.platform.accounts.principal import principal_for
from liaison.tenants.common.errors import ServiceError

from .models import Division


def on_prefecture_host() -> bool:
    return connection.schema_name not in (get_public_schema_name(), "tenant_template")


def can_read(request) -> bool:
    return on_prefecture_host() and principal_for(request).can_read(connection.schema_name)


def can_write(request) -> bool:
    return on_prefecture_host() and principal_for(request).can_write(connection.schema_name)


class TenantAdminPermissions:
    def has_module_permission(self, request):
        return can_read(request)

    def has_view_permission(self, request, obj=None):
        return can_read(request)

    def has_add_permission(self, request, *args):
        return can_write(request)

    def has_change_permission(self, request, obj=None):
        return can_write(request)

    def has_delete_permission(self, request, obj=None):
        return can_write(request)


class TenantModelAdmin(TenantAdminPermissions, admin.ModelAdmin):
    list_per_page = 50


class TenantInline(TenantAdminPermissions, admin.TabularInline):
    extra = 0


class _DryRunRollback(Exception):
    pass


class ServiceBackedAdmin(TenantModelAdmin):
    """A ModelAdmin whose saves go through a service.

    The form is validated by running the service in a savepoint that is then rolled back
    (so every rule the service knows becomes a form error on the named field, and nothing
    is written); `save_model` runs it for real. Subclasses implement `service_save(request,
    data, instance)` returning the saved object (instance is None when adding).
    """

    def service_save(self, request, data: dict, instance):  # pragma: no cover - interface
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        modeladmin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                # Errors from the model's constraints alone (non-field, worded by Django
                # after the constraint's name) give way to the service's field-named ones.
                constraint_only = bool(self.errors) and set(self.errors) == {NON_FIELD_ERRORS}
                if self.errors and not constraint_only:
                    return
                try:
                    with transaction.atomic():
                        modeladmin.service_save(request, dict(self.cleaned_data), obj)
                        raise _DryRunRollback
                except (_DryRunRollback, IntegrityError):
                    pass
                except ServiceError as exc:
                    if constraint_only:
                        del self._errors[NON_FIELD_ERRORS]
                    apply_service_errors(self, exc)

        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, dict(form.cleaned_data), obj if change else None)
        for f in saved._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # inlines of service-backed admins are read-only views
            self.save_formset(request, form, formset, change=change)


def apply_service_errors(form, exc: ServiceError) -> None:
    """Attach field-named service errors to a bound admin form."""
    for error in exc.errors:
        field = error.field.split(".")[0]
        form.add_error(field if field in form.fields else None, error.message)


def report_service_error(modeladmin, request, exc: ServiceError) -> None:
    for error in exc.errors:
        modeladmin.message_user(request, f"{error.field}: {error.message}", level=messages.ERROR)


@admin.register(Division)
class DivisionAdmin(TenantModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_community")
    list_filter = ("level", "is_community")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        # The materialised path of every descendant depends on code and parent: moving or
        # recoding a division once created would silently detach its subtree.
        return ("code", "level", "parent", "path") if obj else ("path",)
