"""`liaison prefecture create|list|delete`: one step, clear errors, nothing half-created."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from liaison.platform.accounts.models import Membership, User
from liaison.tenants.divisions.models import Division
from liaison.tenants.registry import provisioning
from liaison.tenants.registry.models import Domain, Prefecture

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("prefecture", *args, stdout=out)
    return out.getvalue()


def nothing_left(slug: str, username: str | None = None) -> None:
    connection.set_schema_to_public()
    assert not Prefecture.objects.filter(slug=slug).exists()
    assert not Domain.objects.filter(domain=f"{slug}.localhost").exists()
    assert not schema_exists(slug)
    if username:
        assert not User.objects.filter(username=username).exists()


def test_create_is_one_step_registry_schema_tables_domain_admin():
    out = run("create", "--slug", "yuxi", "--admin", "yuxi-admin", "--admin-password", "s3cret-pass")
    assert "玉溪市" in out and "yuxi.localhost" in out
    prefecture = Prefecture.objects.get(slug="yuxi")
    assert prefecture.code == "530400" and prefecture.schema_name == "yuxi"
    assert Domain.objects.get(tenant=prefecture).domain == "yuxi.localhost"
    admin = User.objects.get(username="yuxi-admin")
    assert admin.check_password("s3cret-pass")
    assert Membership.objects.filter(user=admin, prefecture=prefecture, role="prefecture_admin").exists()
    with schema_context("yuxi"):
        assert Division.objects.get(level="prefecture").name == "玉溪市"
        assert Division.objects.filter(level="county").count() == 9


@pytest.mark.parametrize(
    "args, field",
    [
        (["--slug", "kunming"], "slug"),  # duplicate slug (and code)
        (["--slug", "newpref", "--code", "530100", "--name", "新", "--name-en", "New", "--kind", "city"], "code"),
        (["--slug", "public", "--code", "539901", "--name", "公", "--name-en", "P", "--kind", "city"], "slug"),
        (["--slug", "tenant_template", "--code", "539902", "--name", "模", "--name-en", "T", "--kind", "city"], "slug"),
        (["--slug", "9lives", "--code", "539903", "--name", "九", "--name-en", "N", "--kind", "city"], "slug"),
        (["--slug", "Bad-Slug", "--code", "539904", "--name", "坏", "--name-en", "B", "--kind", "city"], "slug"),
        (["--slug", "okname", "--code", "53990", "--name", "短", "--name-en", "S", "--kind", "city"], "code"),
        (["--slug", "okname", "--code", "539905", "--name", "", "--name-en", "S", "--kind", "city"], "name"),
        (["--slug", "okname", "--code", "539906", "--name", "名", "--name-en", "S"], "kind"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(args, field):
    before = set(Prefecture.objects.values_list("slug", flat=True))
    with pytest.raises(CommandError) as excinfo:
        run("create", *args)
    assert f"{field}:" in str(excinfo.value)
    assert set(Prefecture.objects.values_list("slug", flat=True)) == before
    slug = args[1]
    if slug not in before and slug not in {"public", "tenant_template"}:
        nothing_left(slug)


def test_existing_admin_username_is_refused_before_anything_is_created():
    User.objects.create_user("taken")
    with pytest.raises(CommandError, match="admin_username: user 'taken' already exists"):
        run("create", "--slug", "baoshan", "--admin", "taken")
    nothing_left("baoshan")


def test_a_failure_half_way_leaves_no_schema_row_domain_or_user(monkeypatch):
    def explode(prefecture, seed_counties=True):
        raise RuntimeError("disk full while seeding")

    monkeypatch.setattr(provisioning, "seed_root_divisions", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        provisioning.create_prefecture(code="530500", slug="baoshan", name="保山市", name_en="Baoshan", kind="city",
                                       admin_username="bs-admin", admin_password="x")
    nothing_left("baoshan", "bs-admin")


def test_list_shows_prefectures_and_hosts():
    out = run("list")
    assert "kunming.localhost" in out and "qujing.localhost" in out


def test_delete_needs_the_confirmation_and_then_drops_everything():
    run("create", "--slug", "lijiang")
    with pytest.raises(CommandError, match="confirm:"):
        run("delete", "--slug", "lijiang")
    with pytest.raises(CommandError, match="confirm:"):
        run("delete", "--slug", "lijiang", "--confirm", "kunming")
    assert schema_exists("lijiang")
    run("delete", "--slug", "lijiang", "--confirm", "lijiang")
    nothing_left("lijiang")


def test_delete_unknown_prefecture_is_a_clear_error():
    with pytest.raises(CommandError, match="slug: no prefecture named 'atlantis'"):
        run("delete", "--slug", "atlantis", "--confirm", "atlantis")


def test_new_prefecture_tables_match_the_template_exactly():
    run("create", "--slug", "zhaotong")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, count(*) FROM information_schema.tables "
            "WHERE table_schema IN ('zhaotong', 'tenant_template') GROUP BY table_schema")
        counts = dict(cursor.fetchall())
    assert counts["zhaotong"] == counts["tenant_template"] > 5
