"""The search contract: the same cases against every configured backend.

PostgreSQL always; Elasticsearch when ELASTICSEARCH_URL points at a live server
(otherwise those runs are reported as skipped, i.e. not run)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from liaison.search.documents import build_documents
from liaison.search.indexing import reindex_schema
from liaison.search.service import search_opinions
from liaison.search.types import SearchFilters
from liaison.tenants.common.errors import ServiceError

from .conftest import BASE


def ids(result):
    return [h.doc_id for h in result.hits]


def keys(world, result, prefecture="kunming"):
    by_doc = {f"{prefecture}:{o.pk}": k for k, o in world[prefecture].items()}
    return [by_doc.get(h.doc_id, h.doc_id) for h in result.hits]


def km(principal, query="", **kw):
    return search_opinions(principal, query, host_schema="kunming", **kw)


# --- Chinese queries ----------------------------------------------------------------

def test_one_character_query_finds_every_opinion_containing_it(indexed, backend, kunming_admin):
    result = km(kunming_admin, "路")
    assert set(keys(indexed, result)) == {"lamp", "road", "crossing", "broken"}
    assert result.total == 4


def test_two_character_query_is_a_word_not_its_characters(indexed, backend, kunming_admin):
    result = km(kunming_admin, "路灯")
    assert set(keys(indexed, result)) == {"lamp", "broken"}  # 道路 and 路口 do not match 路灯
    assert keys(indexed, result)[0] == "lamp"  # in the title and twice in the content


def test_three_and_four_character_queries_are_phrases(indexed, backend, kunming_admin):
    assert keys(indexed, km(kunming_admin, "安装路")) == ["lamp"]
    assert keys(indexed, km(kunming_admin, "安装路灯")) == ["lamp"]  # 安装了…路灯 is not the phrase
    both = km(kunming_admin, "安装 路灯")  # two terms: both anywhere
    assert set(keys(indexed, both)) == {"lamp", "broken"}
    assert keys(indexed, both)[0] == "lamp"
    assert keys(indexed, km(kunming_admin, '"灌溉水渠"')) == ["water"]


def test_mixed_chinese_and_ascii(indexed, backend, kunming_admin):
    assert keys(indexed, km(kunming_admin, "G213国道")) == ["road"]
    assert keys(indexed, km(kunming_admin, "g213")) == ["road"]
    assert keys(indexed, km(kunming_admin, "Ｇ２１３ 国道")) == ["road"]  # full-width input


def test_traditional_input_finds_simplified_text(indexed, backend, kunming_admin):
    assert set(keys(indexed, km(kunming_admin, "路燈"))) == {"lamp", "broken"}
    assert keys(indexed, km(kunming_admin, "安裝路燈")) == ["lamp"]
    assert keys(indexed, km(kunming_admin, "學校食堂")) == ["canteen"]


def test_excluded_term(indexed, backend, kunming_admin):
    assert set(keys(indexed, km(kunming_admin, "路灯 -太阳能"))) == {"lamp"}


def test_names_of_category_position_and_division_are_searchable(indexed, backend, kunming_admin):
    assert set(keys(indexed, km(kunming_admin, "交通运输"))) == {"road", "crossing"}  # category name
    assert set(keys(indexed, km(kunming_admin, "长水镇代表工作站"))) == {"road", "canteen"}  # position name
    assert len(km(kunming_admin, "五华区").hits) == 6  # the county above every village


def test_no_match_is_an_empty_page(indexed, backend, kunming_admin):
    result = km(kunming_admin, "高铁站")
    assert result.hits == [] and result.total == 0 and result.has_next_page is False


def test_personal_data_is_never_indexed_nor_returned(indexed, backend, kunming_admin, province_monitor):
    assert km(kunming_admin, "张三丰").total == 0
    assert km(kunming_admin, "13800001234").total == 0
    assert km(kunming_admin, "三丰").total == 0  # written into the text too: masked before indexing
    for hit in km(kunming_admin, "路灯").hits:
        text = repr(hit.__dict__)
        assert "张三丰" not in text and "13800001234" not in text
    broken = [h for h in km(kunming_admin, "太阳能").hits][0]
    assert "张**反映" in broken.snippet and "138****1234" in broken.snippet


# --- highlighting ----------------------------------------------------------------------

def test_snippets_highlight_matches_and_escape_html(indexed, backend, kunming_admin):
    hit = km(kunming_admin, "路灯").hits[0]
    assert "<em>路灯</em>" in hit.title_highlight
    assert "<em>路灯</em>" in hit.snippet
    water = km(kunming_admin, "水渠").hits[0]
    assert "&lt;请&gt;" in water.snippet and "<请>" not in water.snippet


def test_traditional_query_highlights_the_simplified_text(indexed, backend, kunming_admin):
    hit = km(kunming_admin, "路燈").hits[0]
    assert "<em>路灯</em>" in hit.snippet


# --- filters -----------------------------------------------------------------------------

def test_filters(indexed, backend, kunming_admin):
    w = indexed
    f = lambda **kw: set(keys(w, km(kunming_admin, "路", filters=SearchFilters(**kw))))  # noqa: E731
    assert f(categories=("transport",)) == {"road", "crossing"}
    assert f(statuses=("referred",)) == {"broken"}
    assert f(channels=("online",)) == {"crossing"}
    assert f(tiers=("station",)) == {"road"}
    assert f(position_ids=(w["kunming_place"]["station"].pk,)) == {"road"}
    assert f(division_code=w["kunming_place"]["village"].code) == {"lamp", "crossing", "broken"}
    assert f(division_code=w["kunming_place"]["town"].code) == {"lamp", "road", "crossing", "broken"}  # subtree
    assert f(division_code="530103") == set()  # another county (盘龙区)
    assert f(registered_from=BASE + timedelta(days=2), registered_to=BASE + timedelta(days=4)) == {"road", "crossing"}


def test_overdue_filter_uses_the_deadline_and_the_status(world, backend, kunming_admin):
    from django_tenants.utils import schema_context

    with schema_context("kunming"):
        docs, _ = build_documents([o.pk for o in world["kunming"].values()])
    for doc in docs:
        doc["due_on"] = (BASE + timedelta(days=10)).date()
    backend.index(docs)
    if hasattr(backend, "refresh_all"):
        backend.refresh_all()
    now = BASE + timedelta(days=11)
    overdue = km(kunming_admin, filters=SearchFilters(overdue=True), now=now)
    assert set(keys(world, overdue)) == {"broken"}  # the one referred (awaiting a reply)
    assert all(h.is_overdue for h in overdue.hits)
    assert set(keys(world, km(kunming_admin, filters=SearchFilters(overdue=False), now=now))) == {
        "lamp", "road", "crossing", "water", "canteen"}
    assert km(kunming_admin, filters=SearchFilters(overdue=True), now=BASE).total == 0


def test_bad_arguments_are_field_errors(indexed, backend, kunming_admin, province_monitor):
    with pytest.raises(ServiceError) as e:
        km(kunming_admin, "路", sort="random", first=1000, facets=["color"])
    assert {x.field for x in e.value.errors} == {"sort", "first", "facets"}
    with pytest.raises(ServiceError) as e:
        search_opinions(province_monitor, "路", host_schema="public", filters=SearchFilters(position_ids=(1,)))
    assert e.value.errors[0].field == "positions"
    with pytest.raises(ServiceError) as e:
        km(kunming_admin, "路", after="not-a-cursor")
    assert e.value.errors[0].field == "after"


# --- facets, sorting, pagination -------------------------------------------------------

def test_facets_count_the_matches(indexed, backend, kunming_admin):
    result = km(kunming_admin, "路", facets=["category", "status"])
    assert {(v.value, v.count) for v in result.facets["category"]} == {("urban_rural", 2), ("transport", 2)}
    assert {v.label for v in result.facets["category"]} == {"城乡建设", "交通运输"}
    assert {(v.value, v.count, v.label) for v in result.facets["status"]} == {("registered", 3, "已登记"), ("referred", 1, "已交办")}


def test_sort_by_date(indexed, backend, kunming_admin):
    newest = keys(indexed, km(kunming_admin, "路", sort="newest"))
    assert newest == ["broken", "crossing", "road", "lamp"]
    assert keys(indexed, km(kunming_admin, "路", sort="oldest")) == list(reversed(newest))
    # no query: every opinion, newest first
    assert keys(indexed, km(kunming_admin, ""))[:2] == ["broken", "canteen"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_cursor_pagination_walks_the_same_order_as_one_page(indexed, backend, kunming_admin, sort):
    whole = km(kunming_admin, "路", sort=sort, first=10)
    seen, after = [], None
    while True:
        page = km(kunming_admin, "路", sort=sort, first=1, after=after)
        seen += ids(page)
        assert page.total == 4
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == ids(whole) and len(seen) == 4


# --- tenancy -----------------------------------------------------------------------------

def test_a_prefecture_searches_only_itself(indexed, backend, kunming_admin, qujing_admin):
    km_result = km(kunming_admin, "路灯", facets=["prefecture", "category"])
    assert all(h.schema_name == "kunming" for h in km_result.hits)
    assert [v.value for v in km_result.facets["prefecture"]] == ["kunming"]
    qj = search_opinions(qujing_admin, "路灯", host_schema="qujing", facets=["prefecture", "category", "status"])
    assert keys(indexed, qj, "qujing") == ["q_lamp"]
    assert [v.value for v in qj.facets["prefecture"]] == ["qujing"]
    assert sum(v.count for v in qj.facets["category"]) == 1 and sum(v.count for v in qj.facets["status"]) == 1


def test_a_prefecture_user_cannot_search_another_prefecture(indexed, backend, qujing_admin):
    with pytest.raises(PermissionDenied):
        km(qujing_admin, "路灯")
    # on the province host a prefecture user still only gets their own prefecture
    result = search_opinions(qujing_admin, "路灯", host_schema="public", facets=["prefecture"])
    assert {h.schema_name for h in result.hits} == {"qujing"}
    with pytest.raises(ServiceError):
        search_opinions(qujing_admin, "路灯", host_schema="public", filters=SearchFilters(prefectures=("kunming",)))


def test_province_searches_every_prefecture_with_a_prefecture_facet(indexed, backend, province_monitor):
    result = search_opinions(province_monitor, "路灯", host_schema="public", facets=["prefecture"])
    assert {h.schema_name for h in result.hits} == {"kunming", "qujing"}
    assert {(v.value, v.count, v.label) for v in result.facets["prefecture"]} == {("kunming", 2, "昆明市"), ("qujing", 1, "曲靖市")}
    only_qj = search_opinions(province_monitor, "路灯", host_schema="public", filters=SearchFilters(prefectures=("qujing",)))
    assert {h.schema_name for h in only_qj.hits} == {"qujing"}


def test_anonymous_callers_search_nothing(indexed, backend):
    from liaison.platform.accounts.principal import ANONYMOUS

    with pytest.raises(PermissionDenied):
        km(ANONYMOUS, "路灯")
    with pytest.raises(PermissionDenied):
        search_opinions(ANONYMOUS, "路灯", host_schema="public")


# --- reindex -----------------------------------------------------------------------------

def test_reindex_changes_no_results(indexed, backend, province_monitor):
    queries = ["路", "路灯", "安装路灯", "G213国道", "学校", ""]

    def snapshot():
        out = []
        for q in queries:
            r = search_opinions(province_monitor, q, host_schema="public", facets=["category", "status", "prefecture"])
            out.append((ids(r), [h.snippet for h in r.hits], r.total,
                        {k: sorted((v.value, v.count) for v in vs) for k, vs in r.facets.items()}))
        return out

    before = snapshot()
    reindex_schema("kunming")
    reindex_schema("qujing")
    assert snapshot() == before
    assert backend.count("kunming") == 6 and backend.count("qujing") == 2


# --- a few thousand generated opinions: the right ones, the right ones first ---------------

SUBJECTS = ["路灯", "道路", "饮水", "农田灌溉", "垃圾清运", "停车场", "养老院", "卫生院", "医保", "网络信号", "公交", "学校",
            "噪音", "电网", "集贸市场"]
PROBLEMS = ["不亮", "损坏", "坑洼", "困难", "不及时", "不足", "老化", "太少", "扰民", "经常中断"]
FILLERS = ["群众反映强烈，希望尽快解决。", "这个问题已经存在多年。", "雨季来临，问题更加突出。", "老人和孩子尤其不便。",
           "请相关部门实地查看并给予答复。", "建议列入明年的民生实事项目。", "代表在接待日走访时了解到这一情况。"]
PLACES = "安宁和平兴隆永胜长乐新民团结光明红星金沙清水石桥龙泉凤鸣松林梅园竹园茶山白塔"


def generated_docs(schema: str, n: int, seed: int) -> list[dict]:
    import random

    from liaison.search.documents import doc_id

    rng = random.Random(seed)
    docs = []
    for pk in range(1, n + 1):
        subject, other = rng.sample(SUBJECTS, 2)
        village = "".join(rng.sample(PLACES, 2)) + "村"
        title = f"{village}{subject}{rng.choice(PROBLEMS)}" if rng.random() < 0.7 else f"{village}的几点意见"
        content = f"{rng.choice(FILLERS)}{village}的{other}{rng.choice(PROBLEMS)}，{subject}也有问题。" + rng.choice(FILLERS)
        status = rng.choice(["registered", "referred", "replied"])
        docs.append({
            "doc_id": doc_id(schema, 100000 + pk), "schema_name": schema, "opinion_id": 100000 + pk, "title": title,
            "content": content, "reply_text": "", "category_code": "other", "category_name": "其他", "status": status,
            "awaiting_reply": status == "referred", "channel": "reception", "tier": "office", "position_id": 1,
            "position_name": "联络室", "division_id": 1, "division_code": "530102", "division_name": "五华区",
            "division_codes": ["530100", "530102"], "division_names": "五华区",
            "registered_at": BASE + timedelta(hours=pk), "due_on": None,
        })
    return docs


@pytest.fixture
def generated(db, backend):
    docs = {"kunming": generated_docs("kunming", 2500, 1), "qujing": generated_docs("qujing", 500, 2)}
    for batch in docs.values():
        backend.index(batch)
    if hasattr(backend, "tidy"):
        backend.tidy()
    return docs


GENERATED_QUERIES = ["路", "水", "路灯", "医保", "停车场", "卫生院", "农田灌溉", "网络信号", "集贸市场"]


def test_generated_opinions_right_ones_and_right_ones_first(generated, backend, kunming_admin):
    """3,000 generated opinions (2,500 in kunming, 500 in qujing), queries of 1-4 characters."""
    from liaison.search.text import normalize

    for query in GENERATED_QUERIES:
        def has(doc, field):
            return query in normalize(doc[field])

        expected = {d["doc_id"] for d in generated["kunming"] if has(d, "title") or has(d, "content")}
        in_title = {d["doc_id"] for d in generated["kunming"] if has(d, "title")}
        assert expected, f"{query}: the generator should produce matches"
        result = km(kunming_admin, query, first=100, facets=["prefecture"])
        assert result.total == len(expected), query  # every one that contains it, nothing else
        assert [(v.value, v.count) for v in result.facets["prefecture"]] == [("kunming", len(expected))], query
        seen, after = [], None
        while True:
            page = km(kunming_admin, query, first=100, after=after)
            seen += ids(page)
            if not page.has_next_page:
                break
            after = page.end_cursor
        assert set(seen) == expected and len(seen) == len(expected), query
        # ranking: opinions with the query in their title come before those with it only in the text
        top = ids(result)[: min(len(in_title), 20)]
        assert top and set(top) <= in_title, query
        assert all(h.schema_name == "kunming" for h in result.hits), query
