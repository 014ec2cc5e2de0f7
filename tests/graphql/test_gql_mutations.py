"""Mutations over the domain services: success payloads, field-named user errors from the
services (nothing written), and the object-level permissions of the Principal."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from gql_helpers import gql
from liaison.graphql.core.relay import encode_global_id
from world import build_world

pytestmark = pytest.mark.django_db


def gid(type_name, pk):
    return encode_global_id(type_name, pk, "kunming")


@pytest.fixture
def w(kunming):
    return build_world("kunming", stations=1, deputies_per_station=3, opinions_per_station=1, referrals=False)


@pytest.fixture
def admin(keys):
    return {"key": keys["kunming_write_personal"]}


CREATE = """mutation($input: CreatePositionInput!) { createPosition(input: $input) {
  position { id code tier status division { name } parent { code } } errors { field message code } } }"""


def test_create_position_and_the_hierarchy_rule_as_field_errors(w, admin):
    from liaison.tenants.positions.models import Position

    with schema_context("kunming"):
        before = Position.objects.count()
    bad = gql("kunming", CREATE, {"input": {"code": "X1", "name": "错位的站", "tier": "STATION",
                                            "division": gid("Division", w.county.pk)}}, **admin).ok()["createPosition"]
    assert bad["position"] is None
    assert {e["field"] for e in bad["errors"]} >= {"division"} and all(e["message"] for e in bad["errors"])
    assert any(e["code"] == "HIERARCHY" for e in bad["errors"])
    with schema_context("kunming"):
        assert Position.objects.count() == before
    ok = gql("kunming", CREATE, {"input": {"code": "KM-PRO", "name": "生态专业代表工作站", "tier": "PROFESSIONAL", "field": "生态",
                                           "division": gid("Division", w.county.pk), "parent": gid("Position", w.home.pk)}},
             **admin).ok()["createPosition"]
    assert ok["errors"] == [] and ok["position"]["tier"] == "PROFESSIONAL" and ok["position"]["status"] == "PLANNED"
    assert ok["position"]["parent"]["code"] == w.home.code


def test_update_and_change_status(w, admin):
    pid = gid("Position", w.stations[0].pk)
    upd = gql("kunming", "mutation($id: ID!) { updatePosition(input: {id: $id, openingHours: \"周一至周日\", latitude: 25.04, "
                         "longitude: 102.71}) { position { openingHours latitude } errors { field code } } }", {"id": pid}, **admin).ok()
    assert upd["updatePosition"]["position"]["openingHours"] == "周一至周日" and upd["updatePosition"]["position"]["latitude"] == 25.04
    half = gql("kunming", "mutation($id: ID!) { updatePosition(input: {id: $id, latitude: 25.04, longitude: null}) "
                          "{ errors { field code } } }", {"id": pid}, **admin).ok()
    assert half["updatePosition"]["errors"]
    manual = gql("kunming", "mutation($id: ID!) { changePositionStatus(input: {id: $id, toStatus: STANDARD}) { errors { field code } } }",
                 {"id": pid}, **admin).ok()["changePositionStatus"]
    assert manual["errors"] == [{"field": "toStatus", "code": "DERIVED"}]
    closed = gql("kunming", "mutation($id: ID!) { changePositionStatus(input: {id: $id, toStatus: CLOSED, note: \"撤并\"}) "
                            "{ position { status statusHistory { toStatus } } errors { code } } }", {"id": pid}, **admin).ok()
    assert closed["changePositionStatus"]["position"]["status"] == "CLOSED"
    assert closed["changePositionStatus"]["position"]["statusHistory"][-1]["toStatus"] == "CLOSED"


def test_staff_checklist_deputies_and_stationing(w, admin):
    pid = gid("Position", w.stations[0].pk)
    staff = gql("kunming", "mutation($p: ID!) { addStaff(input: {position: $p, role: HEAD, name: \"赵\"}) { errors { field code } } }",
                {"p": pid}, **admin).ok()["addStaff"]
    assert staff["errors"] == [{"field": "role", "code": "DUPLICATE"}]  # the station already has a head
    item = gql("kunming", "mutation { saveChecklistItem(input: {code: \"wifi\", name: \"有网络\", order: 9}) { item { code name } errors { code } } }",
               **admin).ok()["saveChecklistItem"]
    assert item["item"] == {"code": "wifi", "name": "有网络"}
    check = gql("kunming", "mutation($p: ID!) { recordStandardCheck(input: {position: $p, itemCode: \"wifi\", met: true}) "
                           "{ errors { field code } } }", {"p": pid}, **admin).ok()["recordStandardCheck"]
    assert check["errors"] == [{"field": "evidenceNote", "code": "REQUIRED"}]
    dep = gql("kunming", "mutation($c: ID!) { createDeputy(input: {rollNumber: \"N1\", name: \"新代表\", level: COUNTY, constituency: $c, "
                         "phone: \"13700000000\"}) { deputy { id name phone } errors { field code } } }",
              {"c": gid("Division", w.townships[0].pk)}, **admin).ok()["createDeputy"]
    assert dep["errors"] == [] and dep["deputy"]["phone"] == "13700000000"
    st = gql("kunming", "mutation($d: ID!, $p: ID!) { stationDeputy(input: {deputy: $d, position: $p}) "
                        "{ stationing { id position { code } } errors { code } } }", {"d": dep["deputy"]["id"], "p": pid}, **admin).ok()
    assert st["stationDeputy"]["errors"] == []
    again = gql("kunming", "mutation($d: ID!, $p: ID!) { stationDeputy(input: {deputy: $d, position: $p}) { errors { field code } } }",
                {"d": dep["deputy"]["id"], "p": pid}, **admin).ok()["stationDeputy"]
    assert again["errors"] == [{"field": "startOn", "code": "OVERLAP"}]
    end = gql("kunming", "mutation($id: ID!) { endStationing(input: {id: $id}) { stationing { endOn } errors { code } } }",
              {"id": st["stationDeputy"]["stationing"]["id"]}, **admin).ok()["endStationing"]
    assert end["stationing"]["endOn"] == timezone.localdate().isoformat()


def test_events_reception_visitors_masked_and_sign_in(w, admin, keys):
    now = timezone.now()
    plan = gql("kunming", """mutation($p: ID!, $s: DateTime!, $e: DateTime!, $d: [ID!]) { scheduleEvent(input: {position: $p,
        kind: RECEPTION_DAY, startsAt: $s, endsAt: $e, deputies: $d}) { event { id status } errors { field code } } }""",
               {"p": gid("Position", w.stations[0].pk), "s": (now - dt.timedelta(hours=1)).isoformat(),
                "e": (now + dt.timedelta(hours=2)).isoformat(), "d": [gid("Deputy", w.deputies[0].pk)]}, **admin).ok()
    event = plan["scheduleEvent"]["event"]
    wrong = gql("kunming", "mutation($e: ID!, $d: ID!) { signIn(input: {event: $e, deputy: $d}) { errors { field code } } }",
                {"e": event["id"], "d": gid("Deputy", w.deputies[1].pk)}, **admin).ok()["signIn"]
    assert wrong["errors"] == [{"field": "deputy", "code": "NOT_SCHEDULED"}]
    rec = gql("kunming", """mutation($e: ID!) { recordReception(input: {event: $e, peopleReceived: 3,
        visitors: [{name: "王五", phone: "13811112222", matter: "低保"}]}) { reception { peopleReceived } errors { field code } } }""",
              {"e": event["id"]}, **admin).ok()["recordReception"]
    assert rec["errors"] == [] and rec["reception"]["peopleReceived"] == 3
    q = "query($id: ID!) { node(id: $id) { ... on Event { status receptions { visitors { name phone } } } } }"
    masked = gql("kunming", q, {"id": event["id"]}, key=keys["kunming_read"]).ok()["node"]
    assert masked["status"] == "HELD" and masked["receptions"][0]["visitors"][0] == {"name": "王*", "phone": "138****2222"}
    clear = gql("kunming", q, {"id": event["id"]}, **admin).ok()["node"]
    assert clear["receptions"][0]["visitors"][0] == {"name": "王五", "phone": "13811112222"}
    too_many = gql("kunming", "mutation($e: ID!) { recordReception(input: {event: $e, peopleReceived: 0, visitors: [{name: \"\"}]}) "
                              "{ errors { field code } } }", {"e": event["id"]}, **admin).ok()["recordReception"]
    # (and the day's reception is recorded already: one record per day and deputy)
    assert {e["field"] for e in too_many["errors"]} == {"visitors.0.name", "peopleReceived", "event"}


def test_a_deputy_registers_the_opinion_they_collected_and_only_as_themselves(w, kunming, make_user):
    me = make_user("deputy", kunming, deputy_id=w.deputies[0].pk)
    q = """mutation($input: RegisterOpinionInput!) { registerOpinion(input: $input) { opinion { channel deputy { name } }
           errors { field code } } }"""
    mine = {"channel": "DEPUTY", "title": "水渠", "content": "水渠堵塞", "position": gid("Position", w.stations[0].pk),
            "deputy": gid("Deputy", w.deputies[0].pk)}
    ok = gql("kunming", q, {"input": mine}, user=me).ok()["registerOpinion"]
    assert ok["errors"] == [] and ok["opinion"]["deputy"]["name"] == w.deputies[0].name
    other = gql("kunming", q, {"input": {**mine, "deputy": gid("Deputy", w.deputies[1].pk)}}, user=me)
    assert other.codes == ["FORBIDDEN"]
    as_reception = gql("kunming", q, {"input": {**mine, "channel": "RECEPTION"}}, user=me)
    assert as_reception.codes == ["FORBIDDEN"]
    with schema_context("kunming"):
        from liaison.tenants.opinions.models import Transition

        assert Transition.objects.filter(action="register", actor_kind="deputy", actor_label=w.deputies[0].name).count() == 1


def test_opinion_loop_to_a_suggestion_and_its_history(w, admin, keys):
    oid = gid("Opinion", w.opinions[0].pk)
    tri = gql("kunming", "mutation($id: ID!) { triageOpinion(input: {id: $id, category: \"nope\", jurisdictionLevel: COUNTY}) "
                         "{ errors { field code } } }", {"id": oid}, **admin).ok()["triageOpinion"]
    assert tri["errors"] == [{"field": "category", "code": "NOT_FOUND"}]
    gql("kunming", "mutation($id: ID!) { triageOpinion(input: {id: $id, category: \"transport\", jurisdictionLevel: COUNTY}) "
                   "{ errors { code } } }", {"id": oid}, **admin).ok()
    reply_too_early = gql("kunming", "mutation($id: ID!) { replyOpinion(input: {id: $id, content: \"好\", outcome: A}) "
                                     "{ errors { field code } } }", {"id": oid}, **admin).ok()["replyOpinion"]
    assert reply_too_early["errors"] == [{"field": "status", "code": "ILLEGAL_TRANSITION"}]
    conv = gql("kunming", """mutation($ops: [ID!]!, $lead: ID!, $co: [ID!]) { convertToSuggestion(input: {opinions: $ops,
        leadDeputy: $lead, coSigners: $co, title: "关于修复路灯的建议", content: "建议统一排查路灯"}) {
        suggestion { number status leadDeputy { name } coSigners { name } opinions { status } } errors { field code } } }""",
               {"ops": [oid], "lead": gid("Deputy", w.deputies[0].pk), "co": [gid("Deputy", w.deputies[1].pk)]}, **admin).ok()
    s = conv["convertToSuggestion"]["suggestion"]
    assert s["status"] == "FILED" and s["opinions"] == [{"status": "CONVERTED"}] and len(s["coSigners"]) == 1
    hist = gql("kunming", "query($id: ID!) { node(id: $id) { ... on Opinion { status suggestion { number } "
                          "transitions { action actorLabel } } } }", {"id": oid}, key=keys["kunming_read"]).ok()["node"]
    assert [t["action"] for t in hist["transitions"]] == ["REGISTER", "TRIAGE", "CONVERT_TO_SUGGESTION"]
    assert hist["transitions"][-1]["actorLabel"].startswith("API 密钥")
    listed = gql("kunming", "{ suggestions { totalCount edges { node { number title } } } }", key=keys["kunming_read"]).ok()
    assert listed["suggestions"]["totalCount"] == 1


def test_tracking_codes_and_citizen_data_need_the_personal_scope(w, keys):
    q = "{ opinions { edges { node { trackingCode citizenName citizenPhone } } } }"
    masked = gql("kunming", q, key=keys["kunming_read"]).ok()["opinions"]["edges"][0]["node"]
    assert masked["citizenName"] == "张**" and masked["citizenPhone"] == "138****5678"
    assert masked["trackingCode"] != w.opinions[0].tracking_code and "*" in masked["trackingCode"]
    clear = gql("kunming", q, key=keys["kunming_personal"]).ok()["opinions"]["edges"][0]["node"]
    assert clear == {"trackingCode": w.opinions[0].tracking_code, "citizenName": "张三丰", "citizenPhone": "13812345678"}
    by_code = gql("kunming", "query($c: String) { opinions(filter: {trackingCode: $c}) { totalCount } }",
                  {"c": w.opinions[0].tracking_code}, key=keys["kunming_read"])
    assert by_code.codes == ["FORBIDDEN"]


def test_route_proposals_points_scheme_and_province_deputies(w, admin, keys):
    oid = gid("Opinion", w.opinions[0].pk)
    gql("kunming", "mutation($id: ID!) { triageOpinion(input: {id: $id, category: \"urban_rural\", jurisdictionLevel: COUNTY}) "
                   "{ errors { code } } }", {"id": oid}, **admin).ok()
    routes = gql("kunming", "query($id: ID!) { routeProposals(opinion: $id) { unit { id name } score reasons } }", {"id": oid},
                 key=keys["kunming_read"]).ok()["routeProposals"]
    assert routes and routes[0]["unit"]["name"] == w.units[0].name
    rule = gql("kunming", "mutation { setPointsRule(input: {metric: OPINION, points: 2.5}) { rule { metric points } errors { code } } }",
               **admin).ok()["setPointsRule"]
    assert rule == {"rule": {"metric": "OPINION", "points": 2.5}, "errors": []}
    assert gql("kunming", "{ pointsRules { metric points } }", key=keys["kunming_read"]).ok()["pointsRules"] == [
        {"metric": "OPINION", "points": 2.5}]
    unknown = gql("kunming", "mutation { bringInProvinceDeputy(input: {rosterCode: \"NOPE\"}) { errors { field code } } }",
                  **admin).ok()["bringInProvinceDeputy"]
    assert unknown["errors"] == [{"field": "rosterCode", "code": "NOT_FOUND"}]
    from liaison.platform.roster.models import ProvinceDeputy

    ProvinceDeputy.objects.create(code="P-001", name="省代表甲", level="provincial")
    brought = gql("kunming", "mutation { bringInProvinceDeputy(input: {rosterCode: \"P-001\"}) { deputy { name onRoll level } "
                             "errors { code } } }", **admin).ok()["bringInProvinceDeputy"]
    assert brought["deputy"] == {"name": "省代表甲", "onRoll": False, "level": "PROVINCIAL"}
