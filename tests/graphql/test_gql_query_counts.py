"""No N+1: the SQL queries a request costs do not grow with the page size.

Each test fetches a page of 10 and a page of 100 items with nested lists (positions →
division, parent, checklist, staff, stationed deputies → deputy → constituency;
opinions → position, deputy, referrals → unit, replies → evaluations, transitions;
events → scheduled deputies, sign-ins) and asserts the same number of queries. The
default page limit is 50, so the 100-item page raises it with LIAISON_GRAPHQL_LIMITS.
"""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from world import bulk_world

pytestmark = pytest.mark.django_db

BIG_PAGES = {"max_page_size": 100, "max_complexity": 100_000}


def count_queries(key: str, query: str, variables: dict) -> tuple[int, dict]:
    client = Client(HTTP_HOST="kunming.localhost")
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    body = resp.json()
    assert resp.status_code == 200 and "errors" not in body, body
    return len(ctx.captured_queries), body["data"]


POSITIONS = """query($n: Int) { positions(first: $n, orderBy: [CODE]) { totalCount edges { node {
  code publicUrl division { name parent { name } } parent { code division { name } }
  checklist { item { code } met } staff { name phone deputy { name } }
  stationedDeputies { startOn deputy { name phone constituency { name } stationings { position { code } } } }
  children { code } statusHistory { toStatus }
} } } }"""


@override_settings(LIAISON_GRAPHQL_LIMITS=BIG_PAGES)
def test_positions_page_of_10_and_of_100_cost_the_same_queries(kunming, make_key):
    bulk_world("kunming", stations=105, deputies_per_station=2)
    key = make_key("kunming", personal=True)
    count_queries(key, POSITIONS, {"n": 1})  # warm-up: the key's last-used stamp, checklist copy
    small, data10 = count_queries(key, POSITIONS, {"n": 10})
    large, data100 = count_queries(key, POSITIONS, {"n": 100})
    assert len(data10["positions"]["edges"]) == 10 and len(data100["positions"]["edges"]) == 100
    nested = sum(len(e["node"]["stationedDeputies"]) for e in data100["positions"]["edges"])
    assert nested >= 190
    print(f"\n[query count] page of 10: {small}, page of 100: {large}")
    assert small == large, f"page of 10: {small} queries, page of 100: {large}"


OPINIONS = """query($n: Int) { opinions(first: $n) { totalCount edges { node {
  title citizenName status overdue category { code } division { name } position { code division { name } }
  deputy { name } handlingUnit { name }
  referrals { dueOn state unit { name division { name } } }
  replies { content evaluations { satisfaction } }
  transitions { action actorLabel at }
} } } }"""


@override_settings(LIAISON_GRAPHQL_LIMITS=BIG_PAGES)
def test_opinions_page_of_10_and_of_100_cost_the_same_queries(kunming, make_key):
    bulk_world("kunming", stations=5, deputies_per_station=1, opinions_per_station=21)
    key = make_key("kunming")
    count_queries(key, OPINIONS, {"n": 1})
    small, data10 = count_queries(key, OPINIONS, {"n": 10})
    large, data100 = count_queries(key, OPINIONS, {"n": 100})
    assert len(data100["opinions"]["edges"]) == 100
    assert all(len(e["node"]["referrals"]) == 1 and len(e["node"]["transitions"]) == 3 for e in data100["opinions"]["edges"])
    assert data100["opinions"]["edges"][0]["node"]["citizenName"] == "张**"
    print(f"\n[query count] page of 10: {small}, page of 100: {large}")
    assert small == large, f"page of 10: {small} queries, page of 100: {large}"


EVENTS = """query($n: Int) { events(first: $n) { edges { node {
  title kind position { code } scheduledDeputies { name constituency { name } } signIns { deputy { name } }
  receptions { peopleReceived visitors { name } }
} } } }"""


@override_settings(LIAISON_GRAPHQL_LIMITS=BIG_PAGES)
def test_events_page_of_10_and_of_100_cost_the_same_queries(kunming, make_key):
    bulk_world("kunming", stations=4, deputies_per_station=2, events_per_station=26)
    key = make_key("kunming")
    count_queries(key, EVENTS, {"n": 1})
    small, _ = count_queries(key, EVENTS, {"n": 10})
    large, data = count_queries(key, EVENTS, {"n": 100})
    assert len(data["events"]["edges"]) == 100
    assert all(len(e["node"]["scheduledDeputies"]) == 2 for e in data["events"]["edges"])
    print(f"\n[query count] page of 10: {small}, page of 100: {large}")
    assert small == large, f"page of 10: {small} queries, page of 100: {large}"


DEPUTIES = """query($n: Int) { deputies(first: $n) { edges { node {
  name constituency { name parent { name } } stationings { position { code division { name } } }
  performance { dutyDays receptions opinions points }
} } } }"""


@override_settings(LIAISON_GRAPHQL_LIMITS=BIG_PAGES)
def test_deputies_page_of_10_and_of_100_cost_the_same_queries(kunming, make_key):
    bulk_world("kunming", stations=35, deputies_per_station=3)
    key = make_key("kunming")
    count_queries(key, DEPUTIES, {"n": 1})
    small, _ = count_queries(key, DEPUTIES, {"n": 10})
    large, data = count_queries(key, DEPUTIES, {"n": 100})
    assert len(data["deputies"]["edges"]) == 100
    print(f"\n[query count] page of 10: {small}, page of 100: {large}")
    assert small == large, f"page of 10: {small} queries, page of 100: {large}"
