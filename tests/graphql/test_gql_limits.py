"""Every limit exceeded (each rejection names the limit and its value) and malformed
requests, over HTTP as a client would send them."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from graphql import get_introspection_query

from gql_helpers import gql, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(keys):
    return keys["kunming_read"]


def rejected(resp, code: str, limit: str, value: int):
    assert resp.status == 400, resp.body
    assert code in resp.codes, resp.body
    err = next(e for e in resp.errors if e["extensions"]["code"] == code)
    assert err["extensions"]["limit"] == limit and err["extensions"]["value"] == value
    assert str(value) in err["message"]
    assert resp.data is None
    return err


@pytest.mark.parametrize("arg", ["first", "last"])
def test_page_size_above_50_is_refused(key, arg):
    resp = gql("kunming", f"{{ positions({arg}: 51) {{ edges {{ node {{ code }} }} }} }}", key=key)
    err = rejected(resp, "PAGE_SIZE_LIMIT_EXCEEDED", "max_page_size", 50)
    assert err["extensions"]["actual"] == 51


def test_page_size_through_a_variable_is_refused_too(key):
    resp = gql("kunming", "query($n: Int) { deputies(first: $n) { totalCount } }", {"n": 500}, key=key)
    rejected(resp, "PAGE_SIZE_LIMIT_EXCEEDED", "max_page_size", 50)


def test_negative_page_size_is_refused(key):
    rejected(gql("kunming", "{ events(first: -1) { totalCount } }", key=key), "PAGE_SIZE_LIMIT_EXCEEDED", "max_page_size", 50)


def test_page_of_50_is_allowed(key):
    assert gql("kunming", "{ positions(first: 50) { totalCount } }", key=key).ok()


def test_depth_above_10_is_refused(key):
    deep = "{ positions(first: 1) { edges { node { " + "parent { " * 7 + "code" + " }" * 7 + " } } } }"
    err = rejected(gql("kunming", deep, key=key), "DEPTH_LIMIT_EXCEEDED", "max_depth", 10)
    assert err["extensions"]["actual"] == 11
    ok = "{ positions(first: 1) { edges { node { " + "parent { " * 6 + "code" + " }" * 6 + " } } } }"
    assert gql("kunming", ok, key=key).ok()


def test_depth_counts_through_fragments(key):
    q = """{ positions(first: 1) { edges { node { ...A } } } }
    fragment A on Position { parent { parent { ...B } } }
    fragment B on Position { parent { parent { parent { parent { parent { code } } } } } }"""
    rejected(gql("kunming", q, key=key), "DEPTH_LIMIT_EXCEEDED", "max_depth", 10)


def test_complexity_above_2500_is_refused(key):
    fields = " ".join(["code name address"] * 20)  # 60 fields per node, 50 nodes
    q = f"{{ positions(first: 50) {{ edges {{ node {{ {fields} }} }} }} }}"
    err = rejected(gql("kunming", q, key=key), "COMPLEXITY_LIMIT_EXCEEDED", "max_complexity", 2500)
    assert err["extensions"]["actual"] > 2500
    assert "page size" in err["message"]
    assert gql("kunming", f"{{ positions(first: 10) {{ edges {{ node {{ {fields} }} }} }} }}", key=key).ok()


def test_a_page_of_50_with_45_fields_each_fits_the_complexity_limit(key):
    fields = " ".join(["code name address openingHours tierLabel"] * 9)  # 45 fields
    assert gql("kunming", f"{{ positions(first: 50) {{ totalCount edges {{ node {{ {fields} }} }} }} }}", key=key).ok()


def test_repeated_fragments_cannot_blow_up_validation(key):
    frags = ["fragment F0 on Position { code }"]
    for i in range(1, 30):
        frags.append(f"fragment F{i} on Position {{ ...F{i - 1} ...F{i - 1} }}")
    q = "{ positions(first: 50) { edges { node { ...F29 } } } } " + " ".join(frags)
    rejected(gql("kunming", q, key=key), "COMPLEXITY_LIMIT_EXCEEDED", "max_complexity", 2500)


def test_more_than_20_aliases_are_refused(key):
    q = "{ " + " ".join(f"a{i}: host {{ isProvince }}" for i in range(21)) + " }"
    err = rejected(gql("kunming", q, key=key), "ALIAS_LIMIT_EXCEEDED", "max_aliases", 20)
    assert err["extensions"]["actual"] == 21
    q20 = "{ " + " ".join(f"a{i}: host {{ isProvince }}" for i in range(20)) + " }"
    assert gql("kunming", q20, key=key).ok()


def test_batch_of_more_than_5_operations_is_refused(key):
    batch = [{"query": "{ host { isProvince } }"}] * 6
    resp = post("kunming", batch, key=key)
    assert resp.status == 400
    err = resp.errors[0]
    assert err["extensions"] == {"code": "BATCH_LIMIT_EXCEEDED", "limit": "max_batch", "value": 5, "actual": 6}
    assert "5" in err["message"]


def test_batch_of_up_to_5_operations_runs_each(key):
    batch = [{"query": "{ host { schemaName } }"}, {"query": "{ positions(first: 51) { totalCount } }"},
             {"query": "{ viewer { kind } }"}]
    resp = post("kunming", batch, key=key)
    assert resp.status == 200
    assert resp.body[0]["data"]["host"]["schemaName"] == "kunming" and resp.body[0]["status"] == 200
    assert resp.body[1]["status"] == 400 and resp.body[1]["errors"][0]["extensions"]["code"] == "PAGE_SIZE_LIMIT_EXCEEDED"
    assert resp.body[2]["data"]["viewer"]["kind"] == "API_KEY"


def test_overlong_query_is_refused(key):
    q = "{ host { isProvince } }" + " " * 20_001
    resp = gql("kunming", q, key=key)
    assert resp.status == 400 and resp.errors[0]["extensions"]["limit"] == "max_query_length"


def test_introspection_is_open_and_within_limits(kunming):
    resp = gql("kunming", get_introspection_query(descriptions=True))
    data = resp.ok()
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Position", "Opinion", "SubmitOpinionPayload"} <= names


# --- malformed requests ----------------------------------------------------------------------

def test_invalid_json_is_400(kunming):
    resp = Client().post("/graphql/", "{not json", content_type="application/json", HTTP_HOST="kunming.localhost")
    assert resp.status_code == 400 and resp.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_syntax_error_is_400_with_location(key):
    resp = gql("kunming", "{ positions { edges { node { code } }", key=key)
    assert resp.status == 400 and resp.codes == ["GRAPHQL_PARSE_FAILED"]
    assert resp.errors[0]["locations"]


def test_unknown_field_is_a_validation_error(key):
    resp = gql("kunming", "{ positions { edges { node { secret } } } }", key=key)
    assert resp.status == 400 and resp.codes == ["GRAPHQL_VALIDATION_FAILED"]


def test_wrong_variable_type_is_400(key):
    resp = gql("kunming", "query($n: Int) { positions(first: $n) { totalCount } }", {"n": "ten"}, key=key)
    assert resp.status == 400 and resp.errors


def test_missing_query_and_bad_variables_are_400(key):
    assert post("kunming", {"variables": {}}, key=key).status == 400
    assert post("kunming", {"query": "{ host { isProvince } }", "variables": "[1"}, key=key).status == 400
    assert post("kunming", {"query": "{ host { isProvince } }", "variables": [1]}, key=key).status == 400
    assert post("kunming", "just a string", key=key).status == 400
    assert post("kunming", [], key=key).status == 400


def test_several_operations_need_an_operation_name(key):
    doc = "query A { host { isProvince } } query B { viewer { kind } }"
    assert post("kunming", {"query": doc}, key=key).status == 400
    resp = post("kunming", {"query": doc, "operationName": "B"}, key=key)
    assert resp.status == 200 and resp.body["data"]["viewer"]["kind"] == "API_KEY"
    assert post("kunming", {"query": doc, "operationName": "C"}, key=key).status == 400


def test_fragment_cycles_are_a_validation_error_not_a_crash(key):
    q = "{ positions { edges { node { ...A } } } } fragment A on Position { parent { ...B } } fragment B on Position { parent { ...A } }"
    resp = gql("kunming", q, key=key)
    assert resp.status == 400 and "GRAPHQL_VALIDATION_FAILED" in resp.codes


def test_mutation_over_get_is_refused_and_query_over_get_works(kunming):
    c = Client(HTTP_HOST="kunming.localhost")
    resp = c.get("/graphql/", {"query": 'mutation { rateOpinion(input: {trackingCode: "X", satisfaction: SATISFIED}) { errors { code } } }'},
                 HTTP_ACCEPT="application/json")
    assert resp.status_code == 405
    resp = c.get("/graphql/", {"query": "{ host { schemaName } }"}, HTTP_ACCEPT="application/json")
    assert resp.status_code == 200 and resp.json()["data"]["host"]["schemaName"] == "kunming"


def test_other_http_methods_are_405(kunming):
    resp = Client().put("/graphql/", json.dumps({"query": "{ host { isProvince } }"}), content_type="application/json",
                        HTTP_HOST="kunming.localhost")
    assert resp.status_code == 405


def test_graphiql_is_served_to_browsers_only_when_enabled(kunming, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django_tenants.utils import schema_context

    from liaison.graphql.core.views import LiaisonGraphQLView, graphql_view

    def browser_get(view):
        request = RequestFactory().get("/graphql/", HTTP_ACCEPT="text/html")
        request.tenant, request.user = kunming, AnonymousUser()
        with schema_context("kunming"):
            return view(request)

    settings.LIAISON_GRAPHIQL = True
    on = browser_get(graphql_view())
    assert on.status_code == 200 and b"graphiql" in on.content.lower()
    # every asset from this project's static files: no CDN (tests/graphql/test_gql_browser.py renders it offline)
    assert b"https://" not in on.content and b"/static/apiaccess/graphiql/graphiql.min.js" in on.content
    settings.LIAISON_GRAPHIQL = False
    off = browser_get(LiaisonGraphQLView.as_view())
    assert off.status_code == 400 and b"graphiql" not in off.content.lower()


def test_service_errors_outside_payloads_are_user_errors_not_internal_ones():
    from graphql import GraphQLError

    from liaison.graphql.core.views import format_error
    from liaison.tenants.common.errors import FieldError, ServiceError

    bad = format_error(GraphQLError("x", path=["f"], original_error=ServiceError([FieldError("code", "无效", "invalid")])))
    assert bad["extensions"] == {"code": "BAD_USER_INPUT", "fields": [{"field": "code", "message": "无效", "code": "INVALID"}]}
    missing = format_error(GraphQLError("x", path=["f"], original_error=ServiceError.single("id", "无", "not_found")))
    assert missing["extensions"]["code"] == "NOT_FOUND"
    crash = format_error(GraphQLError("secret detail", path=["f"], original_error=RuntimeError("secret detail")))
    assert crash["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and "secret" not in crash["message"]


@pytest.mark.parametrize("where", ["body", "variables"])
def test_json_nested_past_the_stack_is_a_bad_request_not_a_500(kunming, where):
    """A 100,000-deep JSON document once made anonymous requests answer 500."""
    deep = "[" * 100_000 + "]" * 100_000
    if where == "body":
        raw = deep
    else:
        raw = '{"query": "query($v: JSONString) { __typename }", "variables": ' + deep + "}"
    resp = Client(HTTP_HOST="kunming.localhost").post("/graphql/", data=raw, content_type="application/json")
    assert resp.status_code == 400
    body = json.loads(resp.content)
    assert body["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED")


def test_a_page_size_from_a_variables_default_counts_in_the_complexity(key):
    """`$n: Int = 50` once counted as the default page of 20, letting a 6,101-point query run."""
    fields = "id code name tier tierLabel field status statusLabel statusSince address latitude longitude openingHours"
    q = "query($n: Int = 50) { " + " ".join(f"p{i}: positions(first: $n) {{ edges {{ node {{ {fields} }} }} }}"
                                             for i in range(4)) + " }"
    resp = gql("kunming", q, key=key)
    assert resp.status == 400 and "COMPLEXITY_LIMIT_EXCEEDED" in resp.codes, resp.body
    sent = gql("kunming", q, {"n": 50}, key=key)
    assert sent.codes == resp.codes


def test_aliased_introspections_are_refused_but_one_is_fine(kunming):
    one = get_introspection_query()
    assert post("kunming", {"query": one}).status == 200
    many = "{ " + " ".join(f"s{i}: __schema {{ types {{ name fields {{ name }} }} }}" for i in range(20)) + " }"
    resp = post("kunming", {"query": many})
    assert resp.status == 400 and "COMPLEXITY_LIMIT_EXCEEDED" in resp.codes
    assert any(e["extensions"].get("limit") == "max_introspection_roots" for e in resp.errors)
