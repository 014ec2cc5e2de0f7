"""Production cookie flags, HSTS and the HTTPS redirect: configured from the environment
and effective on responses."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from liaison.platform.accounts.models import Membership, User

PRINT = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
         "['SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE','SECURE_SSL_REDIRECT',"
         "'SECURE_HSTS_SECONDS','SECURE_HSTS_INCLUDE_SUBDOMAINS','AXES_FAILURE_LIMIT','AXES_LOCKOUT_PARAMETERS']}))")
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://x@127.0.0.1:1/x", "LIAISON_BASE_HOST": "rd.example.cn"}


def settings_with(env: dict) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "DEBUG", "SECRET_KEY"))}
    base["DJANGO_SETTINGS_MODULE"] = "liaison.platform.settings"
    result = subprocess.run([sys.executable, "-c", PRINT], env={**base, **env}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_mode_has_secure_cookies_and_login_limits_by_default():
    values = settings_with(PRODUCTION)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["AXES_FAILURE_LIMIT"] == 5 and values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


def test_https_redirect_and_hsts_come_from_the_environment():
    values = settings_with({**PRODUCTION, "LIAISON_HTTPS_REDIRECT": "true", "LIAISON_HSTS_SECONDS": "31536000",
                            "LIAISON_COOKIE_SAMESITE": "strict", "LIAISON_LOGIN_FAILURE_LIMIT": "8"})
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert values["AXES_FAILURE_LIMIT"] == 8


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_responses_redirect_to_https_send_hsts_and_flag_the_session_cookie(kunming):
    user = User.objects.create_user(username="cookie-admin", password="pw-123456", is_staff=True)
    Membership.objects.create(user=user, prefecture=kunming, role="prefecture_admin")
    plain = Client(HTTP_HOST="kunming.localhost")
    response = plain.get("/admin/login/")
    assert response.status_code == 301 and response["Location"] == "https://kunming.localhost/admin/login/"
    # health probes reach pods over plain HTTP
    assert plain.get("/healthz").status_code == 200

    tls = Client(HTTP_HOST="kunming.localhost", HTTP_X_FORWARDED_PROTO="https")
    response = tls.post("/admin/login/?next=/admin/", {"username": "cookie-admin", "password": "pw-123456"})
    assert response.status_code == 302
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
