"""The practices over GraphQL: field-named errors in payloads, who may act (admins; station
staff only at their own station; a deputy only for themselves), nothing across prefectures."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from liaison.graphql.core.relay import encode_global_id
from liaison.platform.accounts.models import Membership, Role, User
from liaison.tenants.practice.models import Audit, Request
from liaison.tenants.practice.services import claims

from tests.stats.conftest import gql

from .conftest import build

pytestmark = pytest.mark.django_db


def gid(type_name, pk, schema="kunming"):
    return encode_global_id(type_name, pk, schema)


def user(role, prefecture, position_ids=(), deputy_id=None):
    u = User.objects.create(username=f"p_{role}_{prefecture.slug}_{'-'.join(map(str, position_ids))}_{deputy_id}")
    Membership.objects.create(user=u, role=role, prefecture=prefecture, position_ids=list(position_ids), deputy_id=deputy_id)
    return u


@pytest.fixture
def world(kunming, qujing):
    with schema_context("kunming"):
        w = build("530100")
        w.request = claims.publish(position=w.station, title="路灯", summary="村口路灯不亮")
    w.admin = user(Role.PREFECTURE_ADMIN, kunming)
    w.qujing_admin = user(Role.PREFECTURE_ADMIN, qujing)
    w.own_staff = user(Role.STATION_STAFF, kunming, position_ids=[w.station.pk])
    w.other_staff = user(Role.STATION_STAFF, kunming, position_ids=[w.station2.pk])
    w.deputy_user = user(Role.DEPUTY, kunming, deputy_id=w.deputies[0].pk)
    return w


DRAW = """mutation($n: Int!) { drawAudit(input: {title: "抽查", periodStart: "2025-01-01", periodEnd: "2025-12-31", sampleSize: $n, seed: "42"})
  { audit { id seed sampleSize } errors { field code } } }"""


def test_admin_draws_an_audit_and_a_too_large_sample_is_a_field_error(world):
    body = gql("kunming", DRAW, {"n": 5}, user=world.admin)
    assert body["data"]["drawAudit"] == {"audit": None, "errors": [{"field": "sampleSize", "code": "TOO_LARGE"}]}
    with schema_context("kunming"):
        assert not Audit.objects.exists()
    body = gql("kunming", "{ practiceSettings { reviewCutoffDay onlinePeriod homePeriod } }", user=world.admin)
    assert body["data"]["practiceSettings"] == {"reviewCutoffDay": 20, "onlinePeriod": "day", "homePeriod": "quarter"}
    body = gql("kunming", "mutation { updatePracticeSettings(input: {reviewCutoffDay: 31}) { errors { field code } } }", user=world.admin)
    assert body["data"]["updatePracticeSettings"]["errors"] == [{"field": "reviewCutoffDay", "code": "OUT_OF_RANGE"}]


def test_behind_cadence_and_review_and_campaign_rules_through_the_api(world):
    body = gql("kunming", "query($p: ID) { deputiesBehindCadence(position: $p) { deputy { name } behind } }",
               {"p": gid("Position", world.station.pk)}, user=world.admin)
    rows = body["data"]["deputiesBehindCadence"]
    assert {r["deputy"]["name"] for r in rows} == {"代表1", "代表2", "代表3"}
    assert rows[0]["behind"] == ["online", "office", "station", "home"]
    sub = gql("kunming", """mutation($t: ID!, $d: ID!) { submitClosingSuggestion(input: {title: "修路", content: "建议", township: $t, leadDeputy: $d})
      { closingSuggestion { id stage stageLabel } errors { field } } }""",
              {"t": gid("Division", world.township.pk), "d": gid("Deputy", world.deputies[0].pk)}, user=world.admin)
    item = sub["data"]["submitClosingSuggestion"]["closingSuggestion"]
    assert item["stageLabel"] == "代表工作机构初审"
    body = gql("kunming", """mutation($id: ID!) { decideClosingSuggestion(input: {id: $id, stage: "council", decision: "approve"})
      { errors { field code } } }""", {"id": item["id"]}, user=world.admin)
    assert body["data"]["decideClosingSuggestion"]["errors"] == [{"field": "stage", "code": "OUT_OF_ORDER"}]
    camp = gql("kunming", "mutation { createCampaign(input: {year: 2025, theme: \"主题\"}) { campaign { id phaseLabel } } }", user=world.admin)
    assert camp["data"]["createCampaign"]["campaign"]["phaseLabel"] == "基础准备"
    body = gql("kunming", """mutation($p: ID!) { makeCommitment(input: {participant: $p, content: "承诺"}) { errors { field code } } }""",
               {"p": gid("CampaignParticipant", 1)}, user=world.admin)
    assert {"field": "campaign", "code": "REQUIRED"} in body["data"]["makeCommitment"]["errors"]


CLAIM = "mutation($r: ID!, $d: ID!) { claimRequest(input: {request: $r, deputy: $d}) { request { statusLabel deputy { name } } errors { field code } } }"
UNIT = "mutation($r: ID!, $u: ID!) { unitClaimRequest(input: {request: $r, unit: $u}) { request { statusLabel } errors { field code } } }"


def test_deputy_claims_for_themselves_only_and_staff_act_at_their_own_station_only(world):
    r = gid("PracticeRequest", world.request.pk)
    other = gql("kunming", CLAIM, {"r": r, "d": gid("Deputy", world.deputies[1].pk)}, user=world.deputy_user)
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]
    mine = gql("kunming", CLAIM, {"r": r, "d": gid("Deputy", world.deputies[0].pk)}, user=world.deputy_user)
    assert mine["data"]["claimRequest"]["request"] == {"statusLabel": "代表已接单", "deputy": {"name": "代表1"}}
    again = gql("kunming", CLAIM, {"r": r, "d": gid("Deputy", world.deputies[1].pk)}, user=world.own_staff)
    assert again["data"]["claimRequest"]["errors"] == [{"field": "request", "code": "ALREADY_CLAIMED"}]
    u = gid("HandlingUnit", world.unit.pk)
    refused = gql("kunming", UNIT, {"r": r, "u": u}, user=world.other_staff)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    publish = gql("kunming", """mutation($p: ID!) { publishRequest(input: {position: $p, title: "t", summary: "s"}) { errors { code } } }""",
                  {"p": gid("Position", world.station.pk)}, user=world.other_staff)
    assert [e["extensions"]["code"] for e in publish["errors"]] == ["FORBIDDEN"]
    done = gql("kunming", UNIT, {"r": r, "u": u}, user=world.own_staff)
    assert done["data"]["unitClaimRequest"]["request"]["statusLabel"] == "部门已领单"
    with schema_context("kunming"):
        assert Request.objects.count() == 1


def test_qujing_sees_nothing_and_changes_nothing(world):
    with schema_context("kunming"):
        from liaison.tenants.practice.services import audits
        from .conftest import at
        from liaison.tenants.opinions.models import Opinion
        Opinion.objects.create(channel="deputy", position=world.station, division=world.township, deputy=world.deputies[0], title="t",
                               content="c", registered_at=at(2025, 3, 1))
        audit = audits.draw_audit(title="抽查", period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), sample_size=1, seed=1)
    refused = gql("kunming", "{ audits { id } practiceRequests { id } }", user=world.qujing_admin)
    assert refused.get("errors") and not (refused.get("data") or {}).get("audits")
    on_qujing = gql("qujing", "{ audits { id } practiceRequests { id } campaigns { id } grids { id } }", user=world.qujing_admin)
    assert on_qujing["data"] == {"audits": [], "practiceRequests": [], "campaigns": [], "grids": []}
    body = gql("qujing", "mutation($a: ID!) { publishAudit(input: {audit: $a}) { errors { field code } } }",
               {"a": gid("Audit", audit.pk)}, user=world.qujing_admin)
    assert body["data"]["publishAudit"]["errors"] == [{"field": "audit", "code": "NOT_FOUND"}]
    body = gql("qujing", CLAIM, {"r": gid("PracticeRequest", world.request.pk), "d": gid("Deputy", world.deputies[0].pk)},
               user=world.qujing_admin)
    assert body["data"]["claimRequest"]["errors"][0]["code"] == "NOT_FOUND"
    with schema_context("kunming"):
        assert Audit.objects.get().published_at is None and Request.objects.get().deputy_id is None
    assert Client(HTTP_HOST="qujing.localhost").get(f"/gongshi/audits/{audit.pk}/").status_code == 404


def test_free_text_is_masked_for_readers_without_personal_data(world):
    with schema_context("kunming"):
        from liaison.tenants.practice.services import review
        review.submit(title="修路", content="联系人王小明 13712345678 反映", township=world.township, lead_deputy=world.deputies[0])
    q = "{ closingSuggestions { content } }"
    clear = gql("kunming", q, user=world.admin)["data"]["closingSuggestions"][0]["content"]
    masked = gql("kunming", q, user=world.deputy_user)["data"]["closingSuggestions"][0]["content"]
    assert "13712345678" in clear and "13712345678" not in masked and masked.startswith("联系人")
