"""Positions, divisions and deputies over HTTP: nested lists, filters, ordering, cursors,
masking of private fields, and node lookups."""
from __future__ import annotations

import pytest

from gql_helpers import gql
from world import bulk_world

pytestmark = pytest.mark.django_db

POSITIONS = """
query($first: Int, $after: String, $filter: PositionFilter, $order: [PositionOrder!]) {
  positions(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id code name tier tierLabel status address openingHours publicUrl
      division { id name level parent { name } }
      parent { code }
      checklist { item { code name } met }
      staff { role name phone }
      stationedDeputies { startOn deputy { id name level phone idNumber } }
    } }
  }
}"""


@pytest.fixture
def km_world(kunming):
    return bulk_world("kunming", stations=3, deputies_per_station=3)


def test_positions_with_nested_checklist_staff_and_deputies(km_world, keys):
    data = gql("kunming", POSITIONS, {"filter": {"tier": ["STATION"]}}, key=keys["kunming_read"]).ok()
    conn = data["positions"]
    assert conn["totalCount"] == 3
    node = conn["edges"][0]["node"]
    assert node["tier"] == "STATION" and node["tierLabel"] == "代表工作站"
    assert node["division"]["level"] == "TOWNSHIP" and node["division"]["parent"]["name"] == km_world.county.name
    assert node["parent"]["code"] == km_world.home.code
    assert len(node["checklist"]) == 7 and sum(e["met"] for e in node["checklist"]) == 1
    assert len(node["stationedDeputies"]) == 3
    assert node["staff"][0]["role"] == "HEAD"


def test_private_fields_are_masked_without_personal_scope_and_clear_with_it(km_world, keys):
    masked = gql("kunming", POSITIONS, {"filter": {"tier": ["STATION"]}, "first": 1}, key=keys["kunming_read"]).ok()
    node = masked["positions"]["edges"][0]["node"]
    deputy = node["stationedDeputies"][0]["deputy"]
    assert deputy["phone"] == "139****1111"
    assert deputy["idNumber"] == "530102********1234"
    assert node["staff"][0]["name"] == "站长0"  # staff names are on the notice board
    assert node["staff"][0]["phone"] == "138****1234"
    clear = gql("kunming", POSITIONS, {"filter": {"tier": ["STATION"]}, "first": 1}, key=keys["kunming_personal"]).ok()
    node = clear["positions"]["edges"][0]["node"]
    assert node["stationedDeputies"][0]["deputy"]["phone"] == "13900001111"
    assert node["staff"][0]["phone"] == "13812341234"


def test_cursor_pagination_walks_every_position_once(km_world, keys):
    seen, after = [], None
    while True:
        conn = gql("kunming", POSITIONS, {"first": 2, "after": after, "order": ["CODE"]}, key=keys["kunming_read"]).ok()["positions"]
        seen += [e["node"]["code"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 4


def test_filters_within_a_division_and_search(km_world, keys):
    township = gql("kunming", "{ divisions(filter: {level: TOWNSHIP, search: \"批量1\"}) { edges { node { id name } } } }",
                   key=keys["kunming_read"]).ok()["divisions"]["edges"]
    assert [e["node"]["name"] for e in township] == ["批量1镇"]
    tid = township[0]["node"]["id"]
    within = gql("kunming", POSITIONS, {"filter": {"within": tid}}, key=keys["kunming_read"]).ok()["positions"]
    assert within["totalCount"] == 1  # the station sits at the township itself
    county = gql("kunming", "{ divisions(filter: {level: COUNTY}, first: 1) { edges { node { id } } } }",
                 key=keys["kunming_read"]).ok()["divisions"]["edges"][0]["node"]["id"]
    assert gql("kunming", POSITIONS, {"filter": {"within": county}}, key=keys["kunming_read"]).ok()["positions"]["totalCount"] == 4  # home + stations


def test_deputies_connection_and_stationed_at_filter(km_world, keys):
    station_id = gql("kunming", "{ positionByCode(code: \"kunming-B0001\") { id } }", key=keys["kunming_read"]).ok()["positionByCode"]["id"]
    q = """query($f: DeputyFilter) { deputies(filter: $f) { totalCount edges { node { name stationings { position { code } }
            performance { dutyDays opinions } } } } }"""
    conn = gql("kunming", q, {"f": {"stationedAt": station_id}}, key=keys["kunming_read"]).ok()["deputies"]
    assert conn["totalCount"] == 3
    assert {s["position"]["code"] for e in conn["edges"] for s in e["node"]["stationings"]} == {"kunming-B0001"}


def test_node_resolves_a_global_id_on_its_own_host(km_world, keys):
    pid = gql("kunming", POSITIONS, {"first": 1}, key=keys["kunming_read"]).ok()["positions"]["edges"][0]["node"]["id"]
    node = gql("kunming", "query($id: ID!) { node(id: $id) { id ... on Position { code } } }", {"id": pid},
               key=keys["kunming_read"]).ok()["node"]
    assert node["id"] == pid and node["code"]


def test_coverage_of_the_two_musts(km_world, keys):
    cov = gql("kunming", "{ coverage { townshipsTotal townshipsWithStation complete } }", key=keys["kunming_read"]).ok()["coverage"]
    assert cov["townshipsWithStation"] == 3 and cov["townshipsTotal"] >= 3
