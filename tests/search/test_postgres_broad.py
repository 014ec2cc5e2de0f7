"""PostgreSQL backend: province-wide searches skip the per-prefecture filter; broad
searches read only their newest matches, with totals exact up to a bound and estimated
beyond (LIAISON_SEARCH_EXACT_TOTAL_UP_TO)."""
from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from liaison.search.backends import use_backend
from liaison.search.backends.postgres import PostgresBackend
from liaison.search.indexing import reindex_schema
from liaison.search.service import search_opinions

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(world):
    with use_backend(PostgresBackend()) as backend:
        reindex_schema("kunming")
        reindex_schema("qujing")  # ANALYZEs the store: the statistics broad searches are told by
        yield backend


def test_a_province_wide_search_has_no_prefecture_filter_and_the_same_answer(store, province_monitor):
    with CaptureQueriesContext(connection) as ctx:
        result = search_opinions(province_monitor, "路灯", host_schema="public", facets=["prefecture", "status"])
    searches = [q["sql"] for q in ctx.captured_queries if "searchstore_searchdocument" in q["sql"] and "WITH m" in q["sql"]]
    assert searches and "schema_name = ANY" not in searches[-1]
    assert result.total_is_exact
    filtered = store.search(dataclasses.replace(_last_request(store, province_monitor, "路灯"), all_prefectures=False))
    assert [h.doc_id for h in result.hits] == [h.doc_id for h in filtered.hits]
    assert result.total == filtered.total == 3
    assert {v.value: v.count for v in result.facets["prefecture"]} == {"kunming": 2, "qujing": 1}


def _last_request(store, principal, query):
    """The request the service builds (captured from the backend call)."""
    seen = []
    original = store.search

    def spy(request):
        seen.append(request)
        return original(request)

    store.search = spy
    try:
        search_opinions(principal, query, host_schema="public", facets=["prefecture", "status"])
    finally:
        store.search = original
    assert seen[0].all_prefectures
    return seen[0]


def test_a_prefecture_host_search_is_never_province_wide(store, kunming_admin):
    request = _request_of(store, kunming_admin, "路")
    assert request.schemas == ("kunming",) and not request.all_prefectures


def _request_of(store, principal, query):
    seen = []
    original = store.search
    store.search = lambda request: seen.append(request) or original(request)
    try:
        search_opinions(principal, query, host_schema="kunming")
    finally:
        store.search = original
    return seen[0]


def test_totals_are_exact_up_to_the_bound(store, kunming_admin):
    result = search_opinions(kunming_admin, "路", host_schema="kunming")
    assert result.total == 4 and result.total_is_exact
    with override_settings(LIAISON_SEARCH_EXACT_TOTAL_UP_TO=4):
        result = search_opinions(kunming_admin, "路", host_schema="kunming")
    assert result.total == 4 and result.total_is_exact  # not more than the bound: exact


def test_beyond_the_bound_the_newest_matches_are_ranked_and_the_total_estimated(store, kunming_admin, province_monitor):
    every = search_opinions(province_monitor, "村", host_schema="public", first=100)
    assert every.total_is_exact and every.total >= 4
    newest_first = sorted(every.hits, key=lambda h: h.registered_at, reverse=True)
    with override_settings(LIAISON_SEARCH_EXACT_TOTAL_UP_TO=2):
        broad = search_opinions(province_monitor, "村", host_schema="public", first=100, facets=["prefecture"])
    assert not broad.total_is_exact
    assert broad.total >= 2  # an estimate, never below the bound
    found = {h.doc_id for h in broad.hits}
    assert len(found) >= 2 and found <= {h.doc_id for h in every.hits}
    # the matches read are the newest ones
    assert found == {h.doc_id for h in newest_first[:len(found)]}
    assert sum(v.count for v in broad.facets["prefecture"]) == pytest.approx(broad.total, abs=2)
