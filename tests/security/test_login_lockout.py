"""Login throttling and lockout (django-axes) on every authenticate() call: the admin's
login form and any other login path. Issue 15: 25 wrong passwords, then the right one
worked."""
from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from liaison.platform.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def km_admin(kunming):
    user = User.objects.create_user(username="lock-admin", password=PASSWORD, is_staff=True)
    Membership.objects.create(user=user, prefecture=kunming, role="prefecture_admin")
    return user


def admin_login(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_admin_login_locks_after_repeated_failures_and_refuses_the_right_password(km_admin, qujing):
    client = Client(HTTP_HOST="kunming.localhost", REMOTE_ADDR="203.0.113.9")
    for _ in range(25):
        response = admin_login(client, "lock-admin", "wrong")
        assert response.status_code in (200, 429)
    response = admin_login(client, "lock-admin", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录失败次数过多" in body and "分钟后再试" in body
    assert "_auth_user_id" not in client.session
    # The count lives in the public schema: the same account from the same address is
    # locked on every host, not just the one it was guessed on.
    other_host = Client(HTTP_HOST="qujing.localhost", REMOTE_ADDR="203.0.113.9")
    assert admin_login(other_host, "lock-admin", PASSWORD).status_code == 429


def test_a_few_mistakes_then_the_right_password_still_logs_in(km_admin):
    client = Client(HTTP_HOST="kunming.localhost", REMOTE_ADDR="203.0.113.10")
    for _ in range(3):
        admin_login(client, "lock-admin", "wrong")
    response = admin_login(client, "lock-admin", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(km_admin.pk)


def test_every_authenticate_call_is_throttled(km_admin):
    """What the workbench login and any future login form call."""
    factory = RequestFactory()

    def attempt(password):
        request = factory.post("/workbench/login/", HTTP_HOST="kunming.localhost", REMOTE_ADDR="198.51.100.4")
        return authenticate(request=request, username="lock-admin", password=password)

    assert attempt(PASSWORD) == km_admin
    for _ in range(25):
        assert attempt("wrong") is None
    assert attempt(PASSWORD) is None


def test_lockout_is_per_address_so_nobody_locks_a_colleague_out_from_elsewhere(km_admin):
    attacker = Client(HTTP_HOST="kunming.localhost", REMOTE_ADDR="203.0.113.66")
    for _ in range(10):
        admin_login(attacker, "lock-admin", "wrong")
    assert admin_login(attacker, "lock-admin", PASSWORD).status_code == 429
    colleague = Client(HTTP_HOST="kunming.localhost", REMOTE_ADDR="192.0.2.20")
    assert admin_login(colleague, "lock-admin", PASSWORD).status_code == 302


def test_reset_command_unlocks(km_admin):
    from django.core.management import call_command

    client = Client(HTTP_HOST="kunming.localhost", REMOTE_ADDR="203.0.113.77")
    for _ in range(6):
        admin_login(client, "lock-admin", "wrong")
    assert admin_login(client, "lock-admin", PASSWORD).status_code == 429
    call_command("axes_reset_username", "lock-admin")
    assert admin_login(client, "lock-admin", PASSWORD).status_code == 302


def test_client_address_behind_the_ingress(settings):
    from liaison.platform.accounts.lockout import client_ip

    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.LIAISON_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.1.2.3"
    settings.LIAISON_TRUSTED_PROXY_COUNT = 1
    # the left entry was written by the client and is ignored
    assert client_ip(request) == "203.0.113.5"
