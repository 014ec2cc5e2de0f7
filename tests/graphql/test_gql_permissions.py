"""The permission matrix (liaison.platform.accounts.principal.MATRIX, printed in
docs/API.md), cell by cell, over HTTP: every row (role or key scope) × every operation,
on the caller's own prefecture; then every cross-prefecture and province-host access."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from gql_helpers import gql
from liaison.graphql.core.relay import encode_global_id
from liaison.platform.accounts.principal import MATRIX, Op
from world import bulk_world

pytestmark = pytest.mark.django_db

DENIED = {"FORBIDDEN", "UNAUTHENTICATED"}


@pytest.fixture
def km(kunming):
    from liaison.tenants.activities.models import Event, ScheduledDeputy

    w = bulk_world("kunming", stations=1, deputies_per_station=1, opinions_per_station=1)
    with schema_context("kunming"):
        now = timezone.now()
        event = Event.objects.create(position=w.stations[0], kind="reception_day", title="接待日", starts_at=now,
                                     ends_at=now + dt.timedelta(hours=2))
        ScheduledDeputy.objects.create(event=event, deputy=w.deputies[0])
        w.event = event
        w.ids = {
            "station": encode_global_id("Position", w.stations[0].pk, "kunming"),
            "county": encode_global_id("Division", w.county.pk, "kunming"),
            "deputy": encode_global_id("Deputy", w.deputies[0].pk, "kunming"),
            "opinion": encode_global_id("Opinion", w.opinions[0].pk, "kunming"),
            "event": encode_global_id("Event", event.pk, "kunming"),
        }
    return w


def _denied(resp) -> bool:
    return bool(set(resp.codes) & DENIED) or resp.status in (401, 403)


def attempt(op: Op, host: str, w, **auth) -> bool:
    """Try one representative operation of `op`; True when it was allowed."""
    ids = w.ids
    if op is Op.PUBLIC:
        return not _denied(gql(host, "{ categories { code } }", **auth))
    if op is Op.READ:
        return not _denied(gql(host, "{ positions { totalCount } }", **auth))
    if op is Op.READ_PERSONAL:
        resp = gql(host, "{ opinions(first: 1) { edges { node { citizenName citizenPhone } } } }", **auth)
        if _denied(resp):
            return False
        node = resp.data["opinions"]["edges"][0]["node"]
        assert node["citizenName"] in ("张三丰", "张**")
        return node["citizenName"] == "张三丰" and node["citizenPhone"] == "13812345678"
    if op is Op.ATTEND:
        resp = gql(host, "mutation($e: ID!, $d: ID!) { signIn(input: {event: $e, deputy: $d}) { errors { code } } }",
                   {"e": ids["event"], "d": ids["deputy"]}, **auth)
        return not _denied(resp)
    if op is Op.HANDLE:
        resp = gql(host, "mutation($id: ID!) { triageOpinion(input: {id: $id, category: \"transport\", jurisdictionLevel: COUNTY})"
                         " { errors { code } } }", {"id": ids["opinion"]}, **auth)
        return not _denied(resp)
    if op is Op.MANAGE:
        resp = gql(host, "mutation { saveChecklistItem(input: {code: \"extra\", name: \"有网络\"}) { errors { code } } }", **auth)
        return not _denied(resp)
    if op is Op.PROVINCE:
        return not _denied(gql(host, "{ prefectures { slug statistics { slug } } }", **auth))
    raise AssertionError(op)


ROWS = [
    "anonymous", "province_monitor", "province_admin", "prefecture_admin", "station_staff", "deputy",
    "key:read", "key:read+personal", "key:read_write", "key:read_write+personal", "key:province",
]


def test_rows_of_the_matrix_are_the_rows_tested():
    assert set(MATRIX) == set(ROWS)


@pytest.fixture
def credentials(km, kunming, make_key, make_user):
    """row name → auth kwargs for gql() (own prefecture: kunming)."""
    def for_row(row: str) -> dict:
        if row == "anonymous":
            return {}
        if row.startswith("key:"):
            scope = row[4:]
            personal = scope.endswith("+personal")
            base = scope.removesuffix("+personal")
            if base == "province":
                return {"key": make_key(province=True, personal=personal)}
            return {"key": make_key("kunming", write=base == "read_write", personal=personal)}
        if row.startswith("province_"):
            return {"user": make_user(row)}
        deputy_id = km.deputies[0].pk if row == "deputy" else None
        return {"user": make_user(row, kunming, deputy_id=deputy_id)}
    return for_row


@pytest.mark.parametrize("row", ROWS)
def test_every_cell_of_the_matrix_on_the_own_prefecture(km, credentials, row):
    auth = credentials(row)
    outcome = {op: attempt(op, "kunming", km, **auth) for op in Op}
    expected = {op: op in MATRIX[row] for op in Op}
    assert outcome == expected


@pytest.mark.parametrize("row", ["prefecture_admin", "station_staff", "deputy", "key:read", "key:read+personal",
                                 "key:read_write", "key:read_write+personal"])
def test_kunming_credentials_on_qujing_host_are_refused_for_everything(km, qujing, credentials, row):
    bulk_world("qujing", stations=1, deputies_per_station=1)
    auth = credentials(row)
    for query in ("{ host { schemaName } }", "{ positions { totalCount } }", "{ categories { code } }"):
        resp = gql("qujing", query, **auth)
        assert resp.status == 403 and resp.codes == ["FORBIDDEN"] and resp.data is None, (row, query, resp.body)


@pytest.mark.parametrize("row", ["province_monitor", "province_admin", "key:province"])
def test_province_credentials_read_every_prefecture_and_write_none(km, qujing, credentials, row):
    bulk_world("qujing", stations=2, deputies_per_station=1)
    auth = credentials(row)
    assert gql("qujing", "{ positions { totalCount } }", **auth).ok()["positions"]["totalCount"] == 3
    assert gql("kunming", "{ positions { totalCount } }", **auth).ok()["positions"]["totalCount"] == 2
    resp = gql("qujing", "mutation { saveChecklistItem(input: {code: \"x\", name: \"y\"}) { errors { code } } }", **auth)
    assert resp.codes == ["FORBIDDEN"]


def test_kunming_global_id_on_qujing_host_is_not_found(km, qujing, keys):
    bulk_world("qujing", stations=1, deputies_per_station=1)
    for name, gid in km.ids.items():
        resp = gql("qujing", "query($id: ID!) { node(id: $id) { id } }", {"id": gid}, key=keys["qujing_read"])
        assert resp.codes == ["NOT_FOUND"] and resp.data == {"node": None}, name
        own = gql("kunming", "query($id: ID!) { node(id: $id) { id } }", {"id": gid}, key=keys["kunming_read"]).ok()
        assert own["node"]["id"] == gid


def test_kunming_global_ids_in_qujing_mutations_are_not_found(km, qujing, keys):
    bulk_world("qujing", stations=1, deputies_per_station=1, opinions_per_station=1)
    key = keys["qujing_write"]
    triage = gql("qujing", "mutation($id: ID!) { triageOpinion(input: {id: $id, category: \"transport\", jurisdictionLevel: COUNTY})"
                           " { opinion { id } errors { field code } } }", {"id": km.ids["opinion"]}, key=key).ok()
    assert triage["triageOpinion"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    station = gql("qujing", "mutation($p: ID!, $d: ID!) { stationDeputy(input: {position: $p, deputy: $d}) { errors { field code } } }",
                  {"p": km.ids["station"], "d": km.ids["deputy"]}, key=key).ok()
    assert {e["field"] for e in station["stationDeputy"]["errors"]} == {"deputy"} or \
        {(e["field"], e["code"]) for e in station["stationDeputy"]["errors"]} >= {("deputy", "NOT_FOUND")}
    with schema_context("kunming"):
        from liaison.tenants.opinions.models import Opinion

        assert Opinion.objects.get(pk=km.opinions[0].pk).status == "referred"  # untouched


def test_filters_with_foreign_ids_match_nothing(km, qujing, keys):
    bulk_world("qujing", stations=1, deputies_per_station=1)
    resp = gql("qujing", "query($d: ID!) { positions(filter: {within: $d}) { totalCount } }", {"d": km.ids["county"]},
               key=keys["qujing_read"]).ok()
    assert resp["positions"]["totalCount"] == 0


def test_station_staff_act_only_at_their_own_positions(km, kunming, make_user):
    with schema_context("kunming"):
        from liaison.tenants.positions.models import Position

        other = Position.objects.create(code="kunming-OTHER", name="别的站", tier="station", division=km.townships[0], status="open")
    elsewhere = make_user("station_staff", kunming, position_ids=[other.pk])
    mine = make_user("station_staff", kunming, position_ids=[km.stations[0].pk])
    assert not attempt(Op.HANDLE, "kunming", km, user=elsewhere)
    assert attempt(Op.HANDLE, "kunming", km, user=mine)
    assert attempt(Op.READ, "kunming", km, user=elsewhere)


def test_a_deputy_signs_in_only_themselves(km, kunming, make_user):
    with schema_context("kunming"):
        from liaison.tenants.deputies.models import Deputy

        someone_else = Deputy.objects.create(roll_number="kunming-X1", name="别人", level="county", constituency=km.county)
    me = make_user("deputy", kunming, deputy_id=someone_else.pk)
    assert not attempt(Op.ATTEND, "kunming", km, user=me)


def test_province_host_serves_province_fields_to_province_callers_only(km, users, keys):
    q = "{ prefectures { slug statistics { slug } } }"
    assert gql("province", q, user=users["province_monitor"]).ok()
    assert gql("province", q, key=keys["province"]).ok()
    anon = gql("province", q)
    assert "UNAUTHENTICATED" in anon.codes
    assert gql("province", "{ prefectures { slug host } }").ok()["prefectures"]
    assert gql("province", q, user=users["kunming_admin"]).status == 403
    assert gql("province", q, key=keys["kunming_write"]).status == 403


def test_prefecture_data_fields_are_not_on_the_province_host(km, users):
    resp = gql("province", "{ positions { totalCount } }", user=users["province_admin"])
    assert resp.status == 400 and resp.codes == ["WRONG_HOST"] and "prefecture hosts" in resp.errors[0]["message"]
    anon = gql("province", "{ positions { totalCount } }")
    assert anon.codes == ["UNAUTHENTICATED"]  # not told about hosts before authenticating


def test_every_root_field_is_in_the_permission_matrix():
    from liaison.graphql.core.permissions import ROOT_PERMISSIONS
    from liaison.graphql.schema import schema

    gschema = schema.graphql_schema
    fields = {f"Query.{n}" for n in gschema.query_type.fields} | {f"Mutation.{n}" for n in gschema.mutation_type.fields}
    missing = sorted(fields - set(ROOT_PERMISSIONS))
    assert not missing, f"root fields without an Op in ROOT_PERMISSIONS (they are refused): {missing}"


def test_docs_print_the_matrix_as_the_code_has_it():
    from liaison.graphql.core.permissions import matrix_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "API.md").read_text()
    assert matrix_markdown() in doc, "docs/API.md: reprint the matrix with `liaison graphql_sdl --matrix`"


@pytest.mark.parametrize("row", ["province_monitor", "province_admin", "key:province"])
def test_the_provincial_congress_sees_citizens_personal_data_masked(km, credentials, row):
    """docs/ARCHITECTURE.md: province users read across every tenant, citizens' personal data masked."""
    resp = gql("kunming", "{ opinions(first: 1) { edges { node { citizenName citizenPhone } } } }", **credentials(row))
    node = resp.ok()["opinions"]["edges"][0]["node"]
    assert node["citizenName"] == "张**" and "****" in node["citizenPhone"]


@pytest.mark.parametrize("row,masked", [("province_monitor", True), ("key:province", True), ("deputy", True),
                                        ("key:read", True), ("key:read+personal", False), ("prefecture_admin", False)])
def test_phone_numbers_typed_into_an_opinion_are_masked_for_readers_without_personal_data(km, credentials, row, masked):
    from liaison.tenants.opinions.models import Opinion

    with schema_context("kunming"):
        Opinion.objects.filter(pk=km.opinions[0].pk).update(title="请回电13987654321",
                                                             content="我的手机13987654321，座机0871-63123456。")
    resp = gql("kunming", "{ opinions(first: 1) { edges { node { title content } } } }", **credentials(row))
    node = resp.ok()["opinions"]["edges"][0]["node"]
    text = node["title"] + node["content"]
    if masked:
        assert "13987654321" not in text and "63123456" not in text and "139****4321" in text
    else:
        assert "13987654321" in text and "0871-63123456" in text


def test_a_province_wide_key_cannot_be_granted_personal_data(kunming):
    from liaison.platform.accounts import api_keys
    from liaison.tenants.common.errors import ServiceError

    with pytest.raises(ServiceError) as excinfo:
        api_keys.create_key(name="dashboard", province=True, personal_data=True)
    assert [e.field for e in excinfo.value.errors] == ["personal_data"]
