"""Authentication over HTTP: API keys (hashed, scoped, revocable, last-used) and sessions."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from liaison.platform.accounts import api_keys
from liaison.platform.accounts.models import ApiKey

from gql_helpers import gql

pytestmark = pytest.mark.django_db

VIEWER = "{ viewer { kind label operations canReadPersonalData } }"


def test_key_is_shown_once_and_stored_only_as_a_sha256(kunming):
    created = api_keys.create_key(name="小程序", prefectures=["kunming"])
    row = ApiKey.objects.get(pk=created.key.pk)
    assert created.secret.startswith(f"lsk_{row.prefix}_")
    assert len(created.secret) > 40
    assert row.secret_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in json.dumps(api_keys.describe(row))
    for value in row.__dict__.values():
        assert value != created.secret


def test_bearer_key_authenticates_and_records_last_use(kunming, make_key):
    key = make_key("kunming")
    row = ApiKey.objects.get(prefix=key[4:12])
    assert row.last_used_at is None
    resp = gql("kunming", VIEWER, key=key)
    viewer = resp.ok()["viewer"]
    assert viewer["kind"] == "API_KEY"
    assert "READ" in viewer["operations"] and "MANAGE" not in viewer["operations"]
    assert viewer["canReadPersonalData"] is False
    row.refresh_from_db()
    assert row.last_used_at is not None


@pytest.mark.parametrize("bad", ["nonsense", "lsk_00000000_" + "x" * 43, ""])
def test_unknown_or_malformed_key_is_401(kunming, bad):
    resp = gql("kunming", VIEWER, key=bad or "   ")
    if not bad:  # "Bearer" with nothing after it
        assert resp.status == 401
    assert resp.status == 401, resp.body
    assert resp.codes == ["UNAUTHENTICATED"]
    assert resp.data is None


def test_key_with_a_wrong_secret_but_a_real_prefix_is_401(kunming, make_key):
    key = make_key("kunming")
    forged = key[:13] + ("A" if key[13] != "A" else "B") + key[14:]
    assert gql("kunming", VIEWER, key=forged).status == 401


def test_revoked_key_is_401(kunming, make_key):
    key = make_key("kunming")
    assert gql("kunming", VIEWER, key=key).status == 200
    api_keys.revoke_key(key[:12])
    resp = gql("kunming", VIEWER, key=key)
    assert resp.status == 401 and "吊销" in resp.errors[0]["message"]


def test_expired_key_is_401(kunming):
    from datetime import timedelta

    from django.utils import timezone

    created = api_keys.create_key(name="old", prefectures=["kunming"], expires_at=timezone.now() - timedelta(days=1))
    assert gql("kunming", VIEWER, key=created.secret).status == 401


def test_key_of_kunming_on_qujing_host_is_a_top_level_authorization_error(kunming, qujing, make_key):
    key = make_key("kunming", write=True, personal=True)
    resp = gql("qujing", VIEWER, key=key)
    assert resp.status == 403
    assert resp.codes == ["FORBIDDEN"]
    assert resp.data is None


def test_prefecture_key_on_province_host_is_forbidden_province_key_reads_it(kunming, make_key):
    assert gql("province", VIEWER, key=make_key("kunming")).status == 403
    viewer = gql("province", VIEWER, key=make_key(province=True)).ok()["viewer"]
    assert "PROVINCE" in viewer["operations"]


def test_anonymous_gets_only_public_operations(kunming):
    viewer = gql("kunming", VIEWER).ok()["viewer"]
    assert viewer == {"kind": "ANONYMOUS", "label": "anonymous", "operations": ["PUBLIC"], "canReadPersonalData": False}


def test_session_user_is_recognised_and_must_send_csrf_token(kunming, users):
    client = Client(enforce_csrf_checks=True, HTTP_HOST="kunming.localhost")
    client.force_login(users["kunming_admin"])
    body = json.dumps({"query": VIEWER})
    resp = client.post("/graphql/", body, content_type="application/json")
    assert resp.status_code == 403 and resp.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"
    client.get("/graphql/", HTTP_ACCEPT="application/json")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    resp = client.post("/graphql/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert resp.status_code == 200, resp.content
    viewer = resp.json()["data"]["viewer"]
    assert viewer["kind"] == "USER" and "MANAGE" in viewer["operations"] and viewer["canReadPersonalData"]


def test_api_key_requests_need_no_csrf_token(kunming, make_key):
    client = Client(enforce_csrf_checks=True, HTTP_HOST="kunming.localhost")
    resp = client.post("/graphql/", json.dumps({"query": VIEWER}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {make_key('kunming')}")
    assert resp.status_code == 200


def test_session_user_of_kunming_on_qujing_host_is_forbidden(kunming, qujing, users):
    resp = gql("qujing", VIEWER, user=users["kunming_admin"])
    assert resp.status == 403 and resp.codes == ["FORBIDDEN"]


# --- the `liaison apikey` command -----------------------------------------------------

def _cmd(*args) -> str:
    out = io.StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_command_creates_lists_and_revokes(kunming, qujing):
    out = _cmd("create", "--name", "大屏", "--prefecture", "kunming", "--prefecture", "qujing", "--write")
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("lsk_")
    assert gql("qujing", VIEWER, key=secret).ok()["viewer"]["kind"] == "API_KEY"
    listing = _cmd("list")
    assert secret[:12] in listing and "大屏" in listing and "read/write" in listing
    assert secret not in listing
    rows = json.loads(_cmd("list", "--json"))
    assert rows[0]["prefectures"] == ["kunming", "qujing"] and rows[0]["last_used_at"] is not None
    assert "Revoked" in _cmd("revoke", secret[:12])
    assert gql("kunming", VIEWER, key=secret).status == 401
    assert secret[:12] not in _cmd("list")
    assert secret[:12] in _cmd("list", "--all")


def test_command_refuses_unknown_prefecture_and_empty_scope(kunming):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown prefecture"):
        _cmd("create", "--name", "x", "--prefecture", "atlantis")
    with pytest.raises(CommandError, match="prefectures"):
        _cmd("create", "--name", "x")


# --- the admin --------------------------------------------------------------------------

def test_admin_creates_a_key_shows_it_once_and_revokes(kunming, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin_user)
    resp = client.post("/admin/accounts/apikey/add/", {"name": "县级门户", "prefectures": [kunming.pk],
                                                       "province": "", "can_write": "on"}, follow=True)
    assert resp.status_code == 200
    shown = [str(m) for m in resp.context["messages"]]
    secret = next(s.split("：", 1)[1] for s in shown if "lsk_" in s)
    row = ApiKey.objects.get(name="县级门户")
    assert row.can_write and list(row.prefectures.values_list("slug", flat=True)) == ["kunming"]
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert gql("kunming", VIEWER, key=secret).status == 200
    listing = client.get("/admin/accounts/apikey/")
    assert secret not in listing.content.decode() and row.prefix in listing.content.decode()
    client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [row.pk]})
    assert gql("kunming", VIEWER, key=secret).status == 401


def test_key_admin_is_for_province_admins_on_the_province_host_only(kunming, django_user_model, users):
    root = django_user_model.objects.create_superuser("root2", "r@example.com", "pw")
    c = Client(HTTP_HOST="kunming.localhost")
    c.force_login(root)
    assert c.get("/admin/accounts/apikey/").status_code in (302, 403, 404)
    c = Client(HTTP_HOST="localhost")
    staff = users["kunming_admin"]
    staff.is_staff = True
    staff.save()
    c.force_login(staff)
    assert c.get("/admin/accounts/apikey/").status_code in (302, 403)
    c.force_login(root)
    assert c.get("/admin/accounts/apikey/").status_code == 200
