"""Provisioning and removing prefectures: one step, all or nothing.

A new prefecture's schema is cloned from `tenant_template`, a schema kept migrated to
the latest state, and its migrations are then only recorded (faked). Cloning costs the
same however many migrations the project accumulates; migrating from scratch does not.
Everything runs in one transaction (PostgreSQL DDL is transactional), so a failure
leaves no schema, registry row, domain or user behind.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import django.dispatch
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from liaison.platform.accounts.models import Membership, Role, User
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.divisions.models import Division

from . import yunnan
from .models import Domain, Prefecture

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA
RESERVED_SLUGS = {"public", TEMPLATE_SCHEMA, "information_schema", "www", "admin", "api", "static", "media"}
SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
CODE_RE = re.compile(r"^\d{6}$")

prefecture_deleted = django.dispatch.Signal()  # sender=Prefecture, schema_name=str


class ProvisioningError(ServiceError):
    """Bad input to provisioning; nothing was created."""


@dataclass
class ProvisionReport:
    prefecture: Prefecture
    domain: str
    admin_username: str | None
    seconds: float
    template_migrated: bool = False
    timings: dict = field(default_factory=dict)


def validate_new_prefecture(*, code: str, slug: str, name: str, name_en: str, kind: str, admin_username: str | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if not CODE_RE.match(code or ""):
        errors.append(FieldError("code", f"must be a six-digit GB/T 2260 code, got {code!r}"))
    elif Prefecture.objects.filter(code=code).exists():
        errors.append(FieldError("code", f"a prefecture with code {code} already exists", "duplicate"))
    if slug in RESERVED_SLUGS or (slug or "").startswith("pg_"):
        errors.append(FieldError("slug", f"{slug!r} is reserved and cannot name a prefecture", "reserved"))
    elif not SLUG_RE.match(slug or ""):
        errors.append(FieldError("slug", f"{slug!r} is not a valid schema and host name: use 2-40 lower-case letters, digits or _, starting with a letter"))
    elif Prefecture.objects.filter(slug=slug).exists() or schema_exists(slug):
        errors.append(FieldError("slug", f"a prefecture or schema named {slug!r} already exists", "duplicate"))
    if not (name or "").strip():
        errors.append(FieldError("name", "must not be empty", "required"))
    if not (name_en or "").strip():
        errors.append(FieldError("name_en", "must not be empty", "required"))
    if kind not in Prefecture.Kind.values:
        errors.append(FieldError("kind", f"must be one of {', '.join(Prefecture.Kind.values)}, got {kind!r}"))
    if admin_username is not None:
        if not admin_username.strip():
            errors.append(FieldError("admin_username", "must not be empty", "required"))
        elif User.objects.filter(username=admin_username).exists():
            errors.append(FieldError("admin_username", f"user {admin_username!r} already exists", "duplicate"))
    return errors


def ensure_template_schema(verbosity: int = 0) -> bool:
    """Create or bring `tenant_template` up to date; returns True when it migrated."""
    from django.db.migrations.executor import MigrationExecutor

    if not schema_exists(TEMPLATE_SCHEMA):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{TEMPLATE_SCHEMA}"')
    else:
        with schema_context(TEMPLATE_SCHEMA):
            executor = MigrationExecutor(connection)
            targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] in tenant_app_labels()]
            if not executor.migration_plan(targets):
                return False
    call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, tenant=True, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    return True


def tenant_app_labels() -> set[str]:
    from django.apps import apps

    return {apps.get_containing_app_config(name).label for name in settings.TENANT_APPS if apps.get_containing_app_config(name)}


def host_for(slug: str) -> str:
    return f"{slug}.{settings.LIAISON_BASE_HOST}"


def create_prefecture(
    *,
    code: str,
    slug: str,
    name: str,
    name_en: str,
    kind: str,
    admin_username: str | None = None,
    admin_password: str | None = None,
    admin_email: str = "",
    seed_counties: bool = True,
    verbosity: int = 0,
) -> ProvisionReport:
    connection.set_schema_to_public()
    errors = validate_new_prefecture(code=code, slug=slug, name=name, name_en=name_en, kind=kind, admin_username=admin_username)
    if errors:
        raise ProvisioningError(errors)
    started = time.perf_counter()
    template_migrated = ensure_template_schema(verbosity=verbosity)
    timings = {"template": time.perf_counter() - started}
    with transaction.atomic():
        prefecture = Prefecture(code=code, slug=slug, schema_name=slug, name=name.strip(), name_en=name_en.strip(), kind=kind)
        prefecture.auto_create_schema = False  # created below, inside this transaction
        prefecture.save()
        t = time.perf_counter()
        prefecture.create_schema(check_if_exists=False, verbosity=verbosity)
        timings["schema"] = time.perf_counter() - t
        domain = Domain.objects.create(domain=host_for(slug), tenant=prefecture, is_primary=True)
        if admin_username:
            user = User.objects.create_user(username=admin_username, password=admin_password, email=admin_email, is_staff=True)
            Membership.objects.create(user=user, prefecture=prefecture, role=Role.PREFECTURE_ADMIN)
        with schema_context(slug):
            seed_root_divisions(prefecture, seed_counties=seed_counties)
    connection.set_schema_to_public()
    return ProvisionReport(prefecture, domain.domain, admin_username, time.perf_counter() - started, template_migrated, timings)


def seed_root_divisions(prefecture: Prefecture, seed_counties: bool = True) -> Division:
    root = Division.objects.create(code=prefecture.code, name=prefecture.name, level=Division.Level.PREFECTURE)
    seed = yunnan.by_slug(prefecture.slug)
    if seed_counties and seed and seed.code == prefecture.code:
        for index, county in enumerate(seed.counties):
            Division.objects.create(code=seed.county_code(index), name=county, level=Division.Level.COUNTY, parent=root)
    return root


def get_prefecture(slug: str) -> Prefecture:
    try:
        return Prefecture.objects.get(slug=slug)
    except Prefecture.DoesNotExist:
        raise ProvisioningError([FieldError("slug", f"no prefecture named {slug!r}", "not_found")]) from None


def delete_prefecture(slug: str, *, confirm: bool) -> None:
    """Drop a prefecture's schema and registry rows. Deliberate: needs confirm=True."""
    connection.set_schema_to_public()
    prefecture = get_prefecture(slug)
    if not confirm:
        raise ProvisioningError([FieldError("confirm", f"deleting {slug!r} drops its schema and all its data; pass the confirmation flag", "confirmation_required")])
    with transaction.atomic():
        schema = prefecture.schema_name
        prefecture_deleted.send(sender=Prefecture, prefecture=prefecture, schema_name=schema)
        with connection.cursor() as cursor:
            # Fire deferred FK checks now: DROP SCHEMA refuses tables with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        prefecture.delete(force_drop=True)
    connection.set_schema_to_public()
