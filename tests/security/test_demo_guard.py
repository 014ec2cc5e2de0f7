"""Demo accounts are impossible in production mode unless forced, and then never carry
the published demo password (issue 15: `liaison demo` with DEBUG=false created
`province` / `<slug>-admin` with `liaison-demo`)."""
from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from liaison.platform.accounts.models import User
from liaison.platform.province.management.commands import serve
from liaison.tenants.registry.demo import DEMO_PASSWORD
from liaison.tenants.registry.models import Prefecture

pytestmark = pytest.mark.django_db


@override_settings(LIAISON_PRODUCTION=True)
def test_demo_is_refused_in_production_mode_and_creates_nothing():
    with pytest.raises(CommandError, match="--force-demo-in-production"):
        call_command("demo", "--only", "diqing", "--no-content", stdout=io.StringIO())
    assert not Prefecture.objects.filter(slug="diqing").exists()
    assert not User.objects.filter(username__in=["province", "diqing-admin"]).exists()


@override_settings(LIAISON_PRODUCTION=True)
def test_forced_demo_in_production_prints_generated_passwords_once_and_never_the_published_one():
    # An account left over on the published password is rotated too.
    User.objects.create_user(username="province", password=DEMO_PASSWORD, is_superuser=True, is_staff=True)
    out = io.StringIO()
    call_command("demo", "--only", "diqing", "--no-content", "--force-demo-in-production", stdout=out)
    printed = dict(re.findall(r"^\s+(province|diqing-admin)\t(\S+)$", out.getvalue(), re.M))
    assert set(printed) == {"province", "diqing-admin"}
    assert DEMO_PASSWORD not in out.getvalue()
    for username, password in printed.items():
        user = User.objects.get(username=username)
        assert not user.check_password(DEMO_PASSWORD)
        assert user.check_password(password) and len(password) >= 16
    # A second run keeps the passwords it printed (nothing new to show).
    again = io.StringIO()
    call_command("demo", "--only", "diqing", "--no-content", "--force-demo-in-production", stdout=again)
    assert not re.search(r"^\s+(province|diqing-admin)\t", again.getvalue(), re.M)
    assert User.objects.get(username="diqing-admin").check_password(printed["diqing-admin"])


def test_development_demo_keeps_the_published_password():
    call_command("demo", "--only", "diqing", "--no-content", stdout=io.StringIO())
    assert User.objects.get(username="diqing-admin").check_password(DEMO_PASSWORD)


@pytest.mark.parametrize("force", [False, True])
def test_serve_seeds_an_empty_production_database_only_when_forced(monkeypatch, force):
    calls = []
    monkeypatch.setattr(serve, "call_command", lambda name, *a, **kw: calls.append((name, kw)))
    monkeypatch.setattr(serve.Prefecture.objects, "exists", lambda: False)
    args = ["--noreload", "--no-beat"] + (["--force-demo-in-production"] if force else [])
    with override_settings(LIAISON_PRODUCTION=True):
        out = io.StringIO()
        call_command("serve", *args, stdout=out)
    demo_calls = [kw for name, kw in calls if name == "demo"]
    if force:
        assert demo_calls == [{"force_demo_in_production": True}]
    else:
        assert demo_calls == [] and "--force-demo-in-production" in out.getvalue()
    assert calls[-1][0] == "runserver"
