"""GraphQL statistics: province figures on the province host, a prefecture's own on its
host, under the API's permissions; nobody sees another prefecture's figures."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.platform.rollups import selectors

from .conftest import error_codes, gql

pytestmark = pytest.mark.django_db

PROVINCE_Q = """query($since: Date) { provinceStatistics(since: $since) {
  since asOf neverComputed
  totals { code name asOf stale figures { positionsTotal stations offices homes twoMustsCoverage opinions onTimeRate citizenSatisfaction deputies }
           positionsByTier { code label value } opinionsByCategory { code label value } }
  prefectures { slug name asOf figures { positionsTotal stations opinions onTimeRate } }
  trend { month figures { opinions peopleReceived } }
  published { positionsTotal homes stations offices opinionsCollectedSince2019 } } }"""

PREFECTURE_Q = """query($p: String) { prefectureStatistics(prefecture: $p) {
  asOf totals { slug name figures { positionsTotal opinions stations deputies } }
  counties { code name figures { positionsTotal opinions } } } }"""


def test_province_host_serves_province_figures_from_the_roll_ups(stats_data, stats_keys):
    body = gql("province", PROVINCE_Q, {"since": "2019-01-01"}, key=stats_keys["province"])
    assert "errors" not in body, body
    data = body["data"]["provinceStatistics"]
    stats = selectors.province_statistics(dt.date(2019, 1, 1))
    totals = data["totals"]["figures"]
    assert totals["positionsTotal"] == stats.totals.figures["positions_total"] == 6 + 7
    assert totals["opinions"] == stats.totals.figures["opinions"] == 12
    assert totals["onTimeRate"] == stats.totals.figures["on_time_rate"]
    assert [p["slug"] for p in data["prefectures"]] == ["kunming", "qujing"]
    assert sum(p["figures"]["stations"] for p in data["prefectures"]) == totals["stations"]
    assert data["prefectures"][0]["asOf"] is not None and data["neverComputed"] == []
    tiers = {t["code"]: t["value"] for t in data["totals"]["positionsByTier"]}
    assert (tiers["home"], tiers["station"], tiers["office"]) == (totals["homes"], totals["stations"], totals["offices"])
    cats = {c["code"]: c["value"] for c in data["totals"]["opinionsByCategory"]}
    assert sum(cats.values()) == totals["opinions"] and cats["transport"] == 4
    assert data["published"] == {"positionsTotal": 14556, "homes": 142, "stations": 1547, "offices": 12867, "opinionsCollectedSince2019": 590500}
    trend = {t["month"]: t["figures"] for t in data["trend"]}
    assert trend["2024-03-01"]["opinions"] == 4


def test_prefecture_host_serves_its_own_figures_with_counties(stats_data, stats_users, stats_keys):
    for caller in ({"user": stats_users["kunming_admin"]}, {"key": stats_keys["kunming"]}):
        body = gql("kunming", PREFECTURE_Q, **caller)
        assert "errors" not in body, body
        data = body["data"]["prefectureStatistics"]
        assert data["totals"]["slug"] == "kunming" and data["totals"]["figures"]["stations"] == 2
        counties = {c["code"]: c for c in data["counties"]}
        assert counties["530100"]["name"] == "昆明市本级" and len(counties) == 15
        assert sum(c["figures"]["opinions"] for c in data["counties"]) == data["totals"]["figures"]["opinions"] == 5


def test_province_drills_down_into_a_prefecture(stats_data, stats_users):
    body = gql("province", PREFECTURE_Q, {"p": "qujing"}, user=stats_users["province"])
    assert "errors" not in body, body
    assert body["data"]["prefectureStatistics"]["totals"]["figures"]["stations"] == 3


REFUSALS = [
    ("province", PROVINCE_Q, None, {}, {"UNAUTHENTICATED"}),
    ("kunming", PREFECTURE_Q, None, {}, {"UNAUTHENTICATED"}),
    ("province", PROVINCE_Q, None, {"key": "kunming"}, {"FORBIDDEN", "UNAUTHENTICATED"}),
    ("province", PROVINCE_Q, None, {"user": "kunming_admin"}, {"FORBIDDEN"}),
    ("province", PREFECTURE_Q, {"p": "kunming"}, {"user": "qujing_admin"}, {"FORBIDDEN"}),
    ("kunming", PREFECTURE_Q, None, {"user": "qujing_admin"}, {"FORBIDDEN"}),
    ("kunming", PREFECTURE_Q, None, {"key": "qujing"}, {"FORBIDDEN", "UNAUTHENTICATED"}),
    ("kunming", PREFECTURE_Q, {"p": "qujing"}, {"user": "kunming_admin"}, {"FORBIDDEN"}),
    ("kunming", PROVINCE_Q, None, {"user": "kunming_admin"}, {"FORBIDDEN"}),
]


def test_no_caller_reads_figures_beyond_its_scope(stats_data, stats_users, stats_keys):
    for host, query, variables, caller, codes in REFUSALS:
        kwargs = {}
        if "key" in caller:
            kwargs["key"] = stats_keys[caller["key"]]
        if "user" in caller:
            kwargs["user"] = stats_users[caller["user"]]
        body = gql(host, query, variables, **kwargs)
        case = (host, caller, variables)
        assert set(error_codes(body)) and set(error_codes(body)) <= codes, (case, body)
        data = body.get("data") or {}
        assert not data.get("provinceStatistics") and not data.get("prefectureStatistics"), case


def test_definitions_are_public_and_cover_every_figure(stats_data):
    body = gql("kunming", "{ statisticsDefinitions { key label definition } }")
    keys = {d["key"] for d in body["data"]["statisticsDefinitions"]}
    assert {"positions_total", "two_musts_coverage", "on_time_rate", "fact.opinions_due"} <= keys
