"""CORS per host: each prefecture (and the province host) lists the origins whose pages may
call its /graphql/; preflights of those succeed, every other origin gets no CORS header."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from liaison.platform.apiaccess import origins
from liaison.platform.apiaccess.models import AllowedOrigin

PORTAL = "https://portal.kunming.example.cn"


def preflight(host: str, origin: str, path: str = "/graphql/", headers: str = "authorization, content-type"):
    return Client().options(path, HTTP_HOST=host, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                            HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers)


@pytest.fixture
def kunming_portal(kunming):
    return origins.add_origin(kunming, PORTAL + "/")


def test_an_allowed_origin_preflights_with_authorization_and_content_type(kunming_portal):
    resp = preflight("kunming.localhost", PORTAL)
    assert resp.status_code == 200
    assert resp["Access-Control-Allow-Origin"] == PORTAL
    allowed = {h.strip() for h in resp["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "POST" in resp["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in resp


def test_the_actual_request_of_an_allowed_origin_carries_the_header(kunming_portal):
    resp = Client().post("/graphql/", '{"query": "{ host { schemaName } }"}', content_type="application/json",
                         HTTP_HOST="kunming.localhost", HTTP_ORIGIN=PORTAL)
    assert resp.status_code == 200
    assert resp["Access-Control-Allow-Origin"] == PORTAL


def test_other_origins_get_no_cors_headers(kunming_portal):
    for origin in ("https://evil.example.com", "http://portal.kunming.example.cn", PORTAL + ":8443"):
        resp = preflight("kunming.localhost", origin)
        assert "Access-Control-Allow-Origin" not in resp, origin
        assert "Access-Control-Allow-Headers" not in resp, origin


def test_a_prefectures_list_does_not_open_another_prefecture_or_the_province(kunming_portal, qujing):
    assert "Access-Control-Allow-Origin" not in preflight("qujing.localhost", PORTAL)
    assert "Access-Control-Allow-Origin" not in preflight("localhost", PORTAL)


def test_the_province_host_has_its_own_list(db, kunming):
    origins.add_origin(None, "https://dashboard.yn.example.cn")
    assert preflight("localhost", "https://dashboard.yn.example.cn")["Access-Control-Allow-Origin"] == \
        "https://dashboard.yn.example.cn"
    assert "Access-Control-Allow-Origin" not in preflight("kunming.localhost", "https://dashboard.yn.example.cn")


def test_only_the_api_answers_other_origins(kunming_portal):
    resp = Client().get("/admin/login/", HTTP_HOST="kunming.localhost", HTTP_ORIGIN=PORTAL)
    assert "Access-Control-Allow-Origin" not in resp


def test_removing_an_origin_closes_it_at_once(kunming_portal, kunming):
    assert preflight("kunming.localhost", PORTAL).has_header("Access-Control-Allow-Origin")
    origins.remove_origin(kunming, PORTAL)
    assert not preflight("kunming.localhost", PORTAL).has_header("Access-Control-Allow-Origin")


@pytest.mark.parametrize("bad", ["portal.example.cn", "ftp://portal.example.cn", "https://portal.example.cn/app",
                                 "https://*.example.cn", "https://u:p@portal.example.cn", "https://portal.example.cn?x=1",
                                 ""])
def test_origins_are_validated_with_the_field_named(bad, kunming):
    with pytest.raises(origins.ServiceError) as exc:
        origins.add_origin(kunming, bad)
    assert exc.value.errors[0].field == "origin"


def test_origins_are_normalised():
    assert origins.normalise_origin("HTTPS://Portal.Example.CN:443/") == "https://portal.example.cn"
    assert origins.normalise_origin("http://127.0.0.1:8123") == "http://127.0.0.1:8123"


def test_the_command_adds_lists_and_removes(kunming, qujing):
    out = io.StringIO()
    call_command("prefecture", "origins", "kunming", "--add", PORTAL, stdout=out)
    call_command("prefecture", "origins", "province", "--add", "https://yn.example.cn", stdout=out)
    listed = io.StringIO()
    call_command("prefecture", "origins", "kunming", "--list", stdout=listed)
    assert listed.getvalue().split() == [PORTAL]
    listed = io.StringIO()
    call_command("prefecture", "origins", "qujing", "--list", stdout=listed)
    assert listed.getvalue().split() == []
    with pytest.raises(CommandError, match="origin: "):
        call_command("prefecture", "origins", "kunming", "--add", "not a url", stdout=out)
    with pytest.raises(CommandError, match="origin: "):
        call_command("prefecture", "origins", "kunming", "--add", PORTAL, stdout=out)
    with pytest.raises(CommandError, match="prefecture: "):
        call_command("prefecture", "origins", "nowhere", "--list", stdout=out)
    call_command("prefecture", "origins", "kunming", "--remove", PORTAL, stdout=out)
    assert not AllowedOrigin.objects.filter(prefecture=kunming).exists()


def test_admin_each_prefecture_administrator_edits_their_own_list(users, kunming, qujing):
    for user in users.values():
        user.is_staff = True  # may open the admin; what they see there is the Principal's business
        user.save(update_fields=["is_staff"])
    origins.add_origin(kunming, PORTAL)
    origins.add_origin(qujing, "https://qujing.example.cn")
    c = Client(HTTP_HOST="kunming.localhost")
    c.force_login(users["kunming_admin"])
    page = c.get("/admin/apiaccess/allowedorigin/")
    assert page.status_code == 200
    assert PORTAL.encode() in page.content and b"qujing.example.cn" not in page.content
    resp = c.post("/admin/apiaccess/allowedorigin/add/", {"origin": "https://Second.Example.cn/", "note": ""})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert AllowedOrigin.objects.get(origin="https://second.example.cn").prefecture == kunming
    resp = c.post("/admin/apiaccess/allowedorigin/add/", {"origin": "https://x.example.cn/path", "note": ""})
    assert resp.status_code == 200 and "不含路径".encode() in resp.content
    # qujing's administrator cannot see or change kunming's list, on either host
    q = Client(HTTP_HOST="kunming.localhost")
    q.force_login(users["qujing_admin"])
    assert q.get("/admin/apiaccess/allowedorigin/").status_code in (302, 403)
    q = Client(HTTP_HOST="qujing.localhost")
    q.force_login(users["qujing_admin"])
    page = q.get("/admin/apiaccess/allowedorigin/")
    assert b"qujing.example.cn" in page.content and PORTAL.encode() not in page.content
    staff = Client(HTTP_HOST="kunming.localhost")
    staff.force_login(users["kunming_staff"])
    assert staff.get("/admin/apiaccess/allowedorigin/").status_code in (302, 403)
