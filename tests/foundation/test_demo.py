"""`liaison demo` (what the README's first command seeds): a prefecture with its
divisions, accounts and sample content; running it again changes nothing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import User
from liaison.tenants.registry.models import Prefecture

pytestmark = pytest.mark.django_db


def counts() -> dict:
    from liaison.tenants.deputies.models import Deputy
    from liaison.tenants.divisions.models import Division
    from liaison.tenants.opinions.models import Opinion
    from liaison.tenants.positions.models import Position

    with schema_context("diqing"):
        return {
            "townships": Division.objects.filter(level="township").count(),
            "villages": Division.objects.filter(level="village").count(),
            "stations": Position.objects.filter(tier="station").count(),
            "offices": Position.objects.filter(tier="office").count(),
            "deputies": Deputy.objects.count(),
            "opinions": Opinion.objects.count(),
        }


def test_demo_seeds_a_working_prefecture_and_is_idempotent():
    out = io.StringIO()
    call_command("demo", "--only", "diqing", stdout=out)
    assert "diqing.localhost" in out.getvalue()
    assert Prefecture.objects.get(slug="diqing").name == "迪庆藏族自治州"
    assert User.objects.filter(username="province").exists() and User.objects.filter(username="diqing-admin").exists()
    first = counts()
    assert all(first[k] > 0 for k in first), first
    call_command("demo", "--only", "diqing", stdout=io.StringIO())
    assert counts() == first
