"""The Elasticsearch backend, checked without a server: mappings and analyzers, the
generated request bodies (to_dict()), the HTTP calls of the alias swap (through a
recording fake transport node), and how a response becomes hits and facets.
The same backend is run against a live server by the contract tests when
ELASTICSEARCH_URL is set."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone as dt_tz

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch

from liaison.search.backends.elastic import ElasticsearchBackend, build_index, build_search, to_source
from liaison.search.text import parse_query
from liaison.search.types import SearchFilters, SearchRequest

NOW = datetime(2025, 3, 20, 10, 0, tzinfo=dt_tz.utc)


def request(query="", schemas=("kunming",), facets=(), sort="relevance", after=None, first=20, **filters):
    return SearchRequest(query=parse_query(query), schemas=tuple(schemas), filters=SearchFilters(**filters),
                         facets=tuple(facets), sort=sort, after=after, first=first, now=NOW)


def body(req, ik=False):
    return build_search(req, index="liaison-opinions", ik=ik).to_dict()


def doc(pk=1, schema="kunming", **kw):
    base = dict(doc_id=f"{schema}:{pk}", schema_name=schema, opinion_id=pk, title="請盡快安裝路燈", content="晚上没有路灯",
                reply_text="", category_code="urban_rural", category_name="城乡建设", status="registered",
                awaiting_reply=False, channel="reception", tier="office", position_id=3, position_name="长水村代表联络室",
                division_id=4, division_code="530102901001", division_name="长水村",
                division_codes=["530100", "530102", "530102901", "530102901001"], division_names="五华区 长水镇 长水村",
                registered_at=NOW, due_on=date(2025, 3, 30))
    base.update(kw)
    return base


# --- mappings and analyzers -------------------------------------------------------------

def test_mapping_uses_the_builtin_cjk_analyzer_with_a_per_character_subfield():
    d = build_index("liaison-opinions-kunming-1").to_dict()
    props = d["mappings"]["properties"]
    for field in ("title", "names", "content", "reply_text"):
        assert props[field]["type"] == "text" and props[field]["analyzer"] == "cjk"
        assert props[field]["fields"]["char"] == {"type": "text", "analyzer": "standard"}
    assert props["schema_name"]["type"] == "keyword" and props["division_codes"]["type"] == "keyword"
    assert props["registered_at"]["type"] == "date" and props["due_on"]["format"] == "strict_date"
    assert d["settings"]["number_of_shards"] == 1


def test_mapping_uses_ik_when_the_cluster_has_it():
    props = build_index("x", ik=True).to_dict()["mappings"]["properties"]
    assert props["content"]["analyzer"] == "ik_max_word" and props["content"]["search_analyzer"] == "ik_smart"
    assert props["content"]["fields"]["char"]["analyzer"] == "standard"


def test_backend_reads_the_ik_setting(settings):
    settings.ELASTICSEARCH_URL = "http://search.example:9200"
    settings.ELASTICSEARCH_IK = True
    settings.ELASTICSEARCH_INDEX_PREFIX = "yn-opinions"
    b = ElasticsearchBackend.from_settings()
    assert b.ik is True and b.read_alias == "yn-opinions" and b.write_alias("kunming") == "yn-opinions-kunming"


def test_no_personal_data_reaches_the_index():
    src = to_source(doc())
    props = build_index("x").to_dict()["mappings"]["properties"]
    for name in ("citizen_name", "citizen_phone", "tracking_code"):
        assert name not in src and name not in props
    assert src["title"] == "请尽快安装路灯" and src["title_display"] == "請盡快安裝路燈"  # t2s for matching, original shown
    assert src["names"] == "城乡建设 长水村代表联络室 五华区 长水镇 长水村"
    assert src["registered_at"] == NOW.isoformat() and src["due_on"] == "2025-03-30"


# --- query bodies ---------------------------------------------------------------------------

def test_one_character_query_goes_to_the_character_subfields():
    q = body(request("路"))["query"]["bool"]
    match = q["must"][0]["multi_match"]
    assert match == {"query": "路", "type": "phrase",
                     "fields": ["title.char^3", "names.char^2", "content.char^1", "reply_text.char^1"]}


def test_longer_queries_are_phrases_on_the_analyzed_fields_and_terms_are_anded():
    inner = body(request("安装路灯 G213国道 -路口"))["query"]["bool"]
    phrases = [m["multi_match"]["query"] for m in inner["must"]]
    assert phrases == ["安装路灯", "g213国道"]
    assert all(m["multi_match"]["type"] == "phrase" for m in inner["must"])
    assert inner["must"][0]["multi_match"]["fields"] == ["title^3", "names^2", "content^1", "reply_text^1"]
    assert inner["must_not"][0]["multi_match"]["query"] == "路口"


def test_traditional_query_is_converted():
    q = body(request("路燈"))["query"]["bool"]["must"][0]["multi_match"]
    assert q["query"] == "路灯"


def test_ik_requires_every_token_and_boosts_the_phrase():
    m = body(request("安装路灯"), ik=True)["query"]["bool"]["must"][0]["bool"]
    assert m["must"][0]["multi_match"]["operator"] == "and"
    assert m["should"][0]["multi_match"]["type"] == "phrase"


def test_filters_become_filter_clauses():
    req = request("路", schemas=("kunming", "qujing"), tiers=("station",), statuses=("referred",), categories=("transport",),
                  channels=("online",), position_ids=(7,), division_code="530102",
                  registered_from=NOW - timedelta(days=7), registered_to=NOW, overdue=True)
    filters = body(req)["query"]["bool"]["filter"]
    assert {"terms": {"schema_name": ["kunming", "qujing"]}} in filters
    assert {"terms": {"tier": ["station"]}} in filters
    assert {"terms": {"position_id": [7]}} in filters
    assert {"term": {"division_codes": "530102"}} in filters
    assert {"range": {"registered_at": {"gte": (NOW - timedelta(days=7)).isoformat(), "lt": NOW.isoformat()}}} in filters
    assert {"bool": {"filter": [{"term": {"awaiting_reply": True}}, {"range": {"due_on": {"lt": "2025-03-20"}}}]}} in filters
    not_overdue = body(request("路", overdue=False))["query"]["bool"]["filter"]
    # NOT (awaiting AND due_on < today), as the DSL writes it: not awaiting OR not past due
    assert {"bool": {"should": [{"bool": {"must_not": [{"term": {"awaiting_reply": True}}]}},
                                {"bool": {"must_not": [{"range": {"due_on": {"lt": "2025-03-20"}}}]}}]}} in not_overdue


def test_every_search_is_limited_to_the_allowed_prefectures():
    assert {"terms": {"schema_name": ["qujing"]}} in body(request("", schemas=("qujing",)))["query"]["bool"]["filter"]


def test_sorting_paging_highlighting_and_facets():
    b = body(request("路灯", facets=("category", "status", "prefecture"), after=[1.5, 1700000000000, "kunming:9"], first=10))
    assert b["sort"] == [{"_score": {"order": "desc"}}, {"registered_at": {"order": "desc"}}, {"doc_id": {"order": "desc"}}]
    assert b["search_after"] == [1.5, 1700000000000, "kunming:9"] and b["size"] == 11 and b["track_total_hits"] is True
    assert b["highlight"]["encoder"] == "html" and b["highlight"]["pre_tags"] == ["<em>"]
    assert set(b["highlight"]["fields"]) >= {"title", "title.char", "content", "content.char", "reply_text"}
    assert b["aggs"]["prefecture"] == {"terms": {"field": "schema_name", "size": 100}}
    assert b["aggs"]["category"]["terms"]["field"] == "category_code"
    assert "content" in b["_source"]["excludes"]  # full texts are not sent back
    assert body(request("", sort="relevance"))["sort"][0] == {"registered_at": {"order": "desc"}}  # no query: newest
    assert body(request("路", sort="oldest"))["sort"] == [{"registered_at": {"order": "asc"}}, {"doc_id": {"order": "asc"}}]


# --- the HTTP calls, through a recording fake node ----------------------------------------

class FakeNode(BaseNode):
    """Answers like Elasticsearch would and records every request."""

    calls: list = []
    queries: list = []
    aliases: dict = {}  # index -> set(alias)
    fail_bulk = False
    search_response: dict = {}

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        path, _, query = target.partition("?")
        FakeNode.queries.append(query)
        payload = None
        if body:
            text = body.decode()
            payload = [json.loads(line) for line in text.splitlines() if line.strip()] if path.endswith("/_bulk") else json.loads(text)
        FakeNode.calls.append((method, path, payload))
        status, data = self.answer(method, path, payload)
        meta = ApiResponseMeta(status=status, http_version="1.1", duration=0.0, node=self.config,
                               headers=HttpHeaders({"x-elastic-product": "Elasticsearch", "content-type": "application/json"}))
        return NodeApiResponse(meta, json.dumps(data).encode())

    def answer(self, method, path, payload):
        parts = path.strip("/").split("/")
        if parts[0] == "_alias":
            found = {i: {"aliases": {a: {} for a in al}} for i, al in FakeNode.aliases.items() if parts[1] in al}
            return (200, found) if found else (404, {"error": "alias missing", "status": 404})
        if path.endswith("/_bulk") or path == "/_bulk":
            if FakeNode.fail_bulk:
                return 200, {"errors": True, "items": [{"index": {"_id": "x", "status": 503, "error": {"type": "unavailable"}}}]}
            items = [{list(a)[0]: {"_id": a[list(a)[0]]["_id"], "status": 200}} for a in payload if list(a)[0] in ("index", "delete")]
            return 200, {"errors": False, "took": 1, "items": items}
        if parts[0] == "_aliases":
            for act in payload["actions"]:
                (kind, spec), = act.items()
                al = FakeNode.aliases.setdefault(spec["index"], set())
                (al.add if kind == "add" else al.discard)(spec["alias"])
            return 200, {"acknowledged": True}
        if path.endswith("/_refresh"):
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if path.endswith("/_search"):
            return 200, FakeNode.search_response
        if method == "PUT" and len(parts) == 1:
            FakeNode.aliases[parts[0]] = set((payload or {}).get("aliases", {}) or {})
            return 200, {"acknowledged": True, "index": parts[0]}
        if method == "DELETE" and len(parts) == 1:
            FakeNode.aliases.pop(parts[0], None)
            return 200, {"acknowledged": True}
        return 404, {"error": f"unexpected {method} {path}", "status": 404}


@pytest.fixture
def fake():
    FakeNode.calls = []
    FakeNode.queries = []
    FakeNode.aliases = {"liaison-opinions-kunming-old": {"liaison-opinions-kunming", "liaison-opinions"}}
    FakeNode.fail_bulk = False
    client = Elasticsearch("http://es.invalid:9200", node_class=FakeNode)
    return ElasticsearchBackend(client=client)


def test_reindex_builds_a_new_index_swaps_both_aliases_atomically_then_deletes_the_old(fake, monkeypatch):
    monkeypatch.setattr(fake, "new_index_name", lambda schema: f"liaison-opinions-{schema}-new")
    assert fake.rebuild("kunming", iter([[doc(1), doc(2)], [doc(3)]])) == 3
    seq = [(m, p) for m, p, _ in FakeNode.calls]
    assert seq == [
        ("PUT", "/liaison-opinions-kunming-new"),  # 1. a new index, no alias yet
        ("PUT", "/_bulk"), ("PUT", "/_bulk"),  # 2. every document into it
        ("POST", "/liaison-opinions-kunming-new/_refresh"),
        ("GET", "/_alias/liaison-opinions-kunming"),  # 3. which index serves now
        ("POST", "/_aliases"),  # 4. ONE atomic alias update
        ("DELETE", "/liaison-opinions-kunming-old"),  # 5. the old index goes
    ]
    create = FakeNode.calls[0][2]
    assert create["mappings"]["properties"]["title"]["analyzer"] == "cjk" and not create.get("aliases")
    assert "require_alias" not in FakeNode.queries[1]  # the rebuild writes into the new index itself
    bulk_lines = FakeNode.calls[1][2]
    assert bulk_lines[0] == {"index": {"_index": "liaison-opinions-kunming-new", "_id": "kunming:1"}}
    assert FakeNode.calls[5][2] == {"actions": [
        {"remove": {"index": "liaison-opinions-kunming-old", "alias": "liaison-opinions-kunming"}},
        {"remove": {"index": "liaison-opinions-kunming-old", "alias": "liaison-opinions"}},
        {"add": {"index": "liaison-opinions-kunming-new", "alias": "liaison-opinions-kunming", "is_write_index": True}},
        {"add": {"index": "liaison-opinions-kunming-new", "alias": "liaison-opinions"}},
    ]}
    assert FakeNode.aliases == {"liaison-opinions-kunming-new": {"liaison-opinions-kunming", "liaison-opinions"}}


def test_a_failed_rebuild_leaves_the_serving_index_alone(fake, monkeypatch):
    monkeypatch.setattr(fake, "new_index_name", lambda schema: f"liaison-opinions-{schema}-new")
    FakeNode.fail_bulk = True
    with pytest.raises(RuntimeError, match="bulk failed"):
        fake.rebuild("kunming", iter([[doc(1)]]))
    seq = [(m, p) for m, p, _ in FakeNode.calls]
    assert ("POST", "/_aliases") not in seq
    assert seq[-1] == ("DELETE", "/liaison-opinions-kunming-new")
    assert FakeNode.aliases == {"liaison-opinions-kunming-old": {"liaison-opinions-kunming", "liaison-opinions"}}


def test_first_write_creates_the_index_with_both_aliases(fake):
    fake.index([doc(1, schema="qujing")])
    method, path, payload = FakeNode.calls[1]
    assert method == "PUT" and path.startswith("/liaison-opinions-qujing-")
    assert payload["aliases"] == {"liaison-opinions-qujing": {"is_write_index": True}, "liaison-opinions": {}}
    assert FakeNode.calls[2][2][0] == {"index": {"_index": "liaison-opinions-qujing", "_id": "qujing:1"}}
    fake.index([doc(2, schema="qujing")])  # known now: straight to bulk
    assert [p for _, p, _ in FakeNode.calls[3:]] == ["/_bulk"]
    assert "require_alias=true" in FakeNode.queries[-1]  # never auto-creates an index named like the alias


def test_deletes_go_through_the_write_alias_and_a_prefecture_drops_its_indices(fake):
    fake.delete(["kunming:5"])
    assert FakeNode.calls[-1][2] == [{"delete": {"_index": "liaison-opinions-kunming", "_id": "kunming:5"}}]
    fake.delete_schema("kunming")
    assert FakeNode.calls[-1][:2] == ("DELETE", "/liaison-opinions-kunming-old")


def test_a_response_becomes_hits_with_highlights_cursor_and_facets(fake):
    FakeNode.search_response = {
        "took": 1, "timed_out": False, "_shards": {"total": 1, "successful": 1, "failed": 0, "skipped": 0},
        "hits": {"total": {"value": 2, "relation": "eq"}, "max_score": 3.2, "hits": [
            {"_index": "liaison-opinions-kunming-1", "_id": "kunming:1", "_score": 3.2,
             "_source": {k: v for k, v in to_source(doc(1, awaiting_reply=True, due_on=date(2025, 3, 1))).items()
                         if k not in ("content", "reply_text", "names", "title")},
             "highlight": {"title.char": ["請盡快安裝<em>路</em>燈"], "content": ["晚上没有路灯"],
                           "content.char": ["晚上没有<em>路</em>灯"]},
             "sort": [3.2, 1742464800000, "kunming:1"]},
            {"_index": "liaison-opinions-kunming-1", "_id": "kunming:2", "_score": 1.0,
             "_source": {k: v for k, v in to_source(doc(2)).items() if k not in ("content", "reply_text", "names", "title")},
             "highlight": {"content": ["晚上没有路灯"]}, "sort": [1.0, 1742464800000, "kunming:2"]},
        ]},
        "aggregations": {
            "category": {"buckets": [{"key": "urban_rural", "doc_count": 2,
                                      "label": {"hits": {"total": {"value": 2, "relation": "eq"}, "hits": [
                                          {"_id": "kunming:1", "_source": {"category_name": "城乡建设"}}]}}}]},
            "prefecture": {"buckets": [{"key": "kunming", "doc_count": 2}]},
        },
    }
    result = fake.search(request("路", facets=("category", "prefecture"), first=1))
    assert result.total == 2 and result.has_next_page is True and len(result.hits) == 1
    hit = result.hits[0]
    assert hit.doc_id == "kunming:1" and hit.title == "請盡快安裝路燈"
    assert hit.title_highlight == "請盡快安裝<em>路</em>燈" and hit.snippet == "晚上没有<em>路</em>灯"
    assert hit.is_overdue is True and hit.registered_at == NOW
    assert result.facets["category"][0].label == "城乡建设" and result.facets["prefecture"][0].count == 2
    sent = FakeNode.calls[-1]
    assert sent[1] == "/liaison-opinions/_search"  # the read alias: every prefecture's index
    from liaison.search.types import decode_cursor

    assert decode_cursor(hit.cursor, "relevance") == [3.2, 1742464800000, "kunming:1"]
