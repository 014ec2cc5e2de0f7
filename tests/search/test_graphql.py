"""`searchOpinions` over HTTP: the prefecture host searches itself, the province host
searches everything, permissions and API-key scopes hold, no personal data leaves."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from liaison.platform.accounts import api_keys
from liaison.platform.accounts.models import Role
from liaison.search.backends import use_backend
from liaison.search.backends.postgres import PostgresBackend
from liaison.search.indexing import reindex_schema

from .conftest import user_with

HOSTS = {"kunming": "kunming.localhost", "qujing": "qujing.localhost", "province": "localhost"}
QUERY = """
query($q: String, $filter: OpinionSearchFilter, $first: Int, $after: String, $sort: OpinionSearchSort) {
  searchOpinions(query: $q, filter: $filter, first: $first, after: $after, sort: $sort) {
    totalCount
    totalCountIsExact
    edges { cursor node { id prefectureSlug prefectureName title titleHighlight snippet categoryCode categoryName
                          status statusLabel channel tier tierLabel positionId positionName divisionName registeredAt
                          isOverdue } }
    pageInfo { hasNextPage endCursor }
    facets { category { value label count } status { value count } prefecture { value label count } }
  }
}"""


def search(host, variables=None, user=None, key=None):
    c = Client(HTTP_HOST=HOSTS[host])
    if user is not None:
        c.force_login(user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    resp = c.post("/graphql/", json.dumps({"query": QUERY, "variables": variables or {}}), content_type="application/json",
                  **headers)
    return resp.status_code, resp.json()


@pytest.fixture
def searchable(world):
    with use_backend(PostgresBackend()):
        reindex_schema("kunming")
        reindex_schema("qujing")
        yield world


def titles(body):
    return [e["node"]["title"] for e in body["data"]["searchOpinions"]["edges"]]


def test_prefecture_staff_search_their_prefecture(searchable):
    user = user_with("km", Role.STATION_STAFF, "kunming")
    status, body = search("kunming", {"q": "路灯"}, user=user)
    assert status == 200 and "errors" not in body, body
    data = body["data"]["searchOpinions"]
    assert titles(body)[0] == "请尽快安装路灯"
    assert data["totalCount"] == 2 and data["totalCountIsExact"] is True
    node = data["edges"][0]["node"]
    assert node["prefectureSlug"] == "kunming" and node["prefectureName"] == "昆明市"
    assert "<em>路灯</em>" in node["snippet"] and node["statusLabel"] == "已登记" and node["tierLabel"] == "代表联络室"
    assert data["facets"]["prefecture"] == [{"value": "kunming", "label": "昆明市", "count": 2}]


def test_no_personal_data_in_results_even_for_those_allowed_to_read_it(searchable):
    user = user_with("km", Role.PREFECTURE_ADMIN, "kunming")  # may read personal data elsewhere
    status, body = search("kunming", {"q": "路灯"}, user=user)
    text = json.dumps(body, ensure_ascii=False)
    assert "已安装的路灯不亮" in text
    assert "张三丰" not in text and "13800001234" not in text


def test_pagination_over_http(searchable):
    user = user_with("km", Role.PREFECTURE_ADMIN, "kunming")
    seen, after = [], None
    while True:
        _, body = search("kunming", {"q": "路", "first": 3, "after": after, "sort": "NEWEST"}, user=user)
        page = body["data"]["searchOpinions"]
        seen += titles(body)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["已安装的路灯不亮", "学校门口交通拥堵", "道路坑洼需要修缮", "请尽快安装路灯"]


def test_province_host_searches_every_prefecture(searchable):
    user = user_with("prov", Role.PROVINCE_MONITOR)
    _, body = search("province", {"q": "路灯"}, user=user)
    data = body["data"]["searchOpinions"]
    assert {e["node"]["prefectureSlug"] for e in data["edges"]} == {"kunming", "qujing"}
    assert {(f["value"], f["count"]) for f in data["facets"]["prefecture"]} == {("kunming", 2), ("qujing", 1)}
    _, body = search("province", {"q": "路灯", "filter": {"prefectures": ["qujing"]}}, user=user)
    assert titles(body) == ["路灯损坏无人维修"]


def test_filters_over_http(searchable):
    user = user_with("km", Role.PREFECTURE_ADMIN, "kunming")
    station = searchable["kunming_place"]["station"]
    from liaison.graphql.core.relay import encode_global_id

    _, body = search("kunming", {"q": "路", "filter": {"positions": [encode_global_id("Position", station.pk, "kunming")]}}, user=user)
    assert titles(body) == ["道路坑洼需要修缮"]
    _, body = search("kunming", {"q": "路", "filter": {"categories": ["transport"], "registeredFrom": "2025-03-04",
                                                        "registeredTo": "2025-03-04"}}, user=user)
    assert titles(body) == ["学校门口交通拥堵"]


def test_qujing_cannot_search_kunming_by_any_route(searchable):
    qj_user = user_with("qj", Role.PREFECTURE_ADMIN, "qujing")
    qj_key = api_keys.create_key(name="qujing portal", prefectures=["qujing"], province=False, can_write=False,
                                 personal_data=False).secret
    for kwargs in ({"user": qj_user}, {"key": qj_key}):
        _, body = search("kunming", {"q": "路灯"}, **kwargs)
        assert body.get("data") is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        _, body = search("province", {"q": "路灯"}, **kwargs)
        assert body.get("data") is None and body["errors"], body
        _, body = search("qujing", {"q": "路灯", "filter": {"prefectures": ["kunming"]}}, **kwargs)
        assert body.get("data") is None and body["errors"][0]["extensions"]["code"] == "BAD_REQUEST", body
        _, body = search("qujing", {"q": "路灯"}, **kwargs)
        data = body["data"]["searchOpinions"]
        assert titles(body) == ["路灯损坏无人维修"]
        assert data["facets"]["prefecture"] == [{"value": "qujing", "label": "曲靖市", "count": 1}]


def test_anonymous_callers_are_refused(searchable):
    _, body = search("kunming", {"q": "路灯"})
    assert body.get("data") is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_api_key_of_two_prefectures_searches_each_on_its_host(searchable):
    key = api_keys.create_key(name="county portal", prefectures=["kunming", "qujing"], province=False, can_write=False,
                              personal_data=False).secret
    _, body = search("kunming", {"q": "路灯"}, key=key)
    assert set(titles(body)) == {"请尽快安装路灯", "已安装的路灯不亮"}
    _, body = search("qujing", {"q": "路灯"}, key=key)
    assert titles(body) == ["路灯损坏无人维修"]


def test_bad_input_names_the_field(searchable):
    user = user_with("km", Role.PREFECTURE_ADMIN, "kunming")
    _, body = search("kunming", {"q": "路", "after": "not-a-cursor"}, user=user)
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert body["errors"][0]["extensions"]["fields"][0]["field"] == "after"
    _, body = search("kunming", {"q": "路", "first": 500}, user=user)  # the API's page size limit
    assert body.get("data") is None and body["errors"]


def test_sql_queries_do_not_grow_with_the_page_size(searchable):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = user_with("prov", Role.PROVINCE_MONITOR)
    counts = {}
    for first in (1, 1, 3):  # the first call also reads the store's statistics (cached for a minute)
        c = Client(HTTP_HOST=HOSTS["province"])
        c.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            resp = c.post("/graphql/", json.dumps({"query": QUERY, "variables": {"q": "路", "first": first}}),
                          content_type="application/json")
        assert len(resp.json()["data"]["searchOpinions"]["edges"]) == first
        counts[first] = len(ctx.captured_queries)
    assert counts[1] == counts[3]
