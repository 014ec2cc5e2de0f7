"""GraphQL over HTTP: media types and status codes, 429 + Retry-After for every rate limit,
WWW-Authenticate on 401, gzip without BREACH, Cache-Control, and no cookies on
anonymous reads."""
from __future__ import annotations

import gzip
import json
import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from world import build_world

from liaison.tenants.opinions.models import Opinion

pytestmark = pytest.mark.django_db

GQL_RESPONSE = "application/graphql-response+json"
SUBMIT = """mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) {
  created tracking { trackingCode } errors { field message code } } }"""
TRACK = "query($code: String!) { trackOpinion(code: $code) { status } }"


def post(body, host="kunming.localhost", accept=None, client=None, **extra):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    return (client or Client()).post("/graphql/", json.dumps(body), content_type="application/json", HTTP_HOST=host,
                                     **headers, **extra)


def submission():
    return {"positionCode": "kunming-S000", "title": "路灯坏了", "content": "晚上出行不便。",
            "idempotencyKey": str(uuid.uuid4())}


@pytest.fixture
def km_world(kunming):
    return build_world("kunming", stations=1, deputies_per_station=1)


def test_graphql_response_json_when_the_client_accepts_it(kunming):
    resp = post({"query": "{ host { schemaName } }"}, accept=f"{GQL_RESPONSE}, application/json;q=0.9")
    assert resp.status_code == 200 and resp["Content-Type"].startswith(GQL_RESPONSE)
    assert resp.json()["data"]["host"]["schemaName"] == "kunming"
    plain = post({"query": "{ host { schemaName } }"})
    assert plain["Content-Type"].startswith("application/json")
    assert post({"query": "{ host { schemaName } }"}, accept=f"application/json, {GQL_RESPONSE};q=0.5")[
        "Content-Type"].startswith("application/json")


def test_spec_status_codes_with_graphql_response_json(kunming):
    assert post({"query": "{ host {"}, accept=GQL_RESPONSE).status_code == 400  # parse
    assert post({"query": "{ nope }"}, accept=GQL_RESPONSE).status_code == 400  # validation
    assert post({"query": "{ positions { totalCount } }"}, accept=GQL_RESPONSE).status_code == 401
    # the operation ran: a field error (node not found) is in the body, the status is 200
    resp = post({"query": '{ node(id: "bm9wZQ==") { id } }'}, accept=GQL_RESPONSE,
                HTTP_AUTHORIZATION="Bearer " + _key(kunming))
    assert resp.status_code == 200 and "data" in resp.json() and resp.json()["errors"]


def _key(prefecture):
    from liaison.platform.accounts import api_keys

    return api_keys.create_key(name="http test", prefectures=[prefecture.slug]).secret


def test_401_says_how_to_authenticate(kunming):
    resp = post({"query": "{ positions { totalCount } }"})
    assert resp.status_code == 401 and resp["WWW-Authenticate"].startswith("Bearer")
    resp = post({"query": "{ host { schemaName } }"}, HTTP_AUTHORIZATION="Bearer lsk_not_a_real_key")
    assert resp.status_code == 401 and 'error="invalid_token"' in resp["WWW-Authenticate"]


@override_settings(LIAISON_RATE_LIMITS={"submit_opinion": {"anonymous": (1, 3600)}, "track_opinion": {"anonymous": (1, 60)}})
@pytest.mark.parametrize("accept", [None, GQL_RESPONSE])
def test_every_rate_limit_is_429_with_retry_after(km_world, accept):
    from django.core.cache import cache

    cache.clear()
    assert post({"query": SUBMIT, "variables": {"input": submission()}}, accept=accept).status_code == 200
    refused = post({"query": SUBMIT, "variables": {"input": submission()}}, accept=accept)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["RATE_LIMITED"]
    assert "data" not in refused.json()
    assert Opinion.objects.count() == 1
    post({"query": TRACK, "variables": {"code": "ZZZZZZZZZZ"}}, accept=accept)
    refused = post({"query": TRACK, "variables": {"code": "ZZZZZZZZZZ"}}, accept=accept)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_anonymous_reads_set_no_cookie_and_do_not_vary_on_cookie(kunming):
    for resp in (post({"query": "{ categories { code } }"}),
                 Client().get("/graphql/?" + urlencode({"query": "{ categories { code } }"}), HTTP_HOST="kunming.localhost",
                              HTTP_ACCEPT="application/json")):
        assert resp.status_code == 200
        assert not resp.cookies, resp.cookies
        assert "cookie" not in resp.get("Vary", "").lower()


def test_public_get_queries_are_cacheable_and_the_rest_is_not(kunming):
    get = Client().get("/graphql/?" + urlencode({"query": "{ categories { code name } }"}), HTTP_HOST="kunming.localhost",
                       HTTP_ACCEPT="application/json")
    assert get.status_code == 200 and get["Cache-Control"].startswith("public, max-age=")
    assert "authorization" in get["Vary"].lower()
    assert post({"query": "{ categories { code } }"})["Cache-Control"] == "no-store"
    viewer = Client().get("/graphql/?" + urlencode({"query": "{ viewer { kind } }"}), HTTP_HOST="kunming.localhost",
                          HTTP_ACCEPT="application/json")
    assert viewer["Cache-Control"] == "no-store"
    keyed = Client().get("/graphql/?" + urlencode({"query": "{ categories { code } }"}), HTTP_HOST="kunming.localhost",
                         HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION="Bearer " + _key(kunming))
    assert keyed["Cache-Control"] == "no-store"


def test_large_answers_are_gzipped_but_never_for_sessions(kunming, users):
    query = {"query": "{ __schema { types { name description fields { name description } } } }"}
    resp = post(query, HTTP_ACCEPT_ENCODING="gzip")
    assert resp["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(resp.content))["data"]["__schema"]["types"]
    session = Client(HTTP_HOST="kunming.localhost")
    session.force_login(users["kunming_admin"])
    resp = session.post("/graphql/", json.dumps(query), content_type="application/json", HTTP_ACCEPT_ENCODING="gzip")
    assert resp.status_code == 200 and not resp.has_header("Content-Encoding")
    page = Client().get("/admin/login/", HTTP_HOST="kunming.localhost", HTTP_ACCEPT_ENCODING="gzip")
    assert not page.has_header("Content-Encoding")  # HTML carries the CSRF token: never compressed
