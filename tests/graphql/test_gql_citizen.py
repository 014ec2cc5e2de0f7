"""Citizen operations as a front end would call them: submit (and retry), track, rate;
anonymous and with a key; rate limits; cross-prefecture IDs and keys."""
from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from gql_helpers import gql
from world import build_world

pytestmark = pytest.mark.django_db

SUBMIT = """
mutation($input: SubmitOpinionInput!) {
  submitOpinion(input: $input) {
    created
    tracking { trackingCode prefecture status statusLabel registeredAt canRate }
    errors { field message code }
  }
}"""

TRACK = """query($code: String!) { trackOpinion(code: $code) { trackingCode prefecture status dueOn canRate
  reply { content outcome explained } } }"""


@pytest.fixture
def km_world(kunming):
    return build_world("kunming", stations=1, deputies_per_station=1)


def submission(**extra):
    data = {"positionCode": "kunming-S000", "title": "小区门口路灯坏了", "content": "晚上出行不便，请尽快修复。",
            "citizenName": "张三丰", "citizenPhone": "13812345678", "idempotencyKey": str(uuid.uuid4())}
    data.update(extra)
    return data


def opinion_count(schema="kunming"):
    from liaison.tenants.opinions.models import Opinion

    with schema_context(schema):
        return Opinion.objects.count()


def test_anonymous_submit_then_track(km_world):
    payload = gql("kunming", SUBMIT, {"input": submission()}).ok()["submitOpinion"]
    assert payload["errors"] == [] and payload["created"] is True
    tracking = payload["tracking"]
    assert tracking["status"] == "REGISTERED" and tracking["prefecture"] == "kunming"
    tracked = gql("kunming", TRACK, {"code": tracking["trackingCode"]}).ok()["trackOpinion"]
    assert tracked["trackingCode"] == tracking["trackingCode"] and tracked["reply"] is None
    with schema_context("kunming"):
        from liaison.tenants.opinions.models import Opinion

        opinion = Opinion.objects.get(tracking_code=tracking["trackingCode"])
        assert opinion.channel == "online" and opinion.citizen_name == "张三丰"
        assert opinion.position.code == "kunming-S000"


def test_retry_with_the_same_idempotency_key_never_creates_a_second_opinion(km_world, keys):
    data = submission()
    first = gql("kunming", SUBMIT, {"input": data}, key=keys["kunming_read"]).ok()["submitOpinion"]
    before = opinion_count()
    for _ in range(3):
        again = gql("kunming", SUBMIT, {"input": data}, key=keys["kunming_read"]).ok()["submitOpinion"]
        assert again["created"] is False
        assert again["tracking"]["trackingCode"] == first["tracking"]["trackingCode"]
    assert opinion_count() == before


def test_same_key_with_a_different_text_is_a_payload_error(km_world):
    data = submission()
    gql("kunming", SUBMIT, {"input": data}).ok()
    changed = gql("kunming", SUBMIT, {"input": {**data, "content": "别的内容"}}).ok()["submitOpinion"]
    assert changed["tracking"] is None
    assert changed["errors"][0]["field"] == "idempotencyKey" and changed["errors"][0]["code"] == "CONFLICT"


def test_idempotency_keys_of_two_front_ends_do_not_collide(km_world, make_key):
    data = submission(idempotencyKey="shared-key-0001")
    a = gql("kunming", SUBMIT, {"input": data}, key=make_key("kunming")).ok()["submitOpinion"]
    b = gql("kunming", SUBMIT, {"input": data}, key=make_key("kunming")).ok()["submitOpinion"]
    assert a["created"] and b["created"]
    assert a["tracking"]["trackingCode"] != b["tracking"]["trackingCode"]


def test_invalid_submission_returns_field_errors_and_writes_nothing(km_world):
    before = opinion_count()
    payload = gql("kunming", SUBMIT, {"input": submission(title="", citizenPhone="not a phone")}).ok()["submitOpinion"]
    fields = {e["field"] for e in payload["errors"]}
    assert {"title", "citizenPhone"} <= fields
    assert opinion_count() == before
    bad_key = gql("kunming", SUBMIT, {"input": submission(idempotencyKey="x")}).ok()["submitOpinion"]
    assert bad_key["errors"][0]["field"] == "idempotencyKey"
    unknown = gql("kunming", SUBMIT, {"input": submission(positionCode="NOPE")}).ok()["submitOpinion"]
    assert unknown["errors"] == [{"field": "positionCode", "message": unknown["errors"][0]["message"], "code": "NOT_FOUND"}]


def test_kunming_position_id_submitted_on_qujing_host_is_not_found(km_world, qujing, keys):
    build_world("qujing", stations=1, deputies_per_station=1)
    pid = gql("kunming", "{ positionByCode(code: \"kunming-S000\") { id } }", key=keys["kunming_read"]).ok()["positionByCode"]["id"]
    data = submission(position=pid)
    del data["positionCode"]
    payload = gql("qujing", SUBMIT, {"input": data}).ok()["submitOpinion"]
    assert payload["errors"][0]["field"] == "position" and payload["errors"][0]["code"] == "NOT_FOUND"
    assert opinion_count("qujing") == 0


def test_kunming_key_cannot_submit_or_track_on_qujing_host(km_world, qujing, keys):
    resp = gql("qujing", SUBMIT, {"input": submission()}, key=keys["kunming_write"])
    assert resp.status == 403 and resp.codes == ["FORBIDDEN"]
    resp = gql("qujing", TRACK, {"code": "ABCDEFGHJK"}, key=keys["kunming_read"])
    assert resp.status == 403


def test_tracking_code_of_kunming_is_not_found_on_qujing_host_but_found_on_province_host(km_world, qujing):
    code = gql("kunming", SUBMIT, {"input": submission()}).ok()["submitOpinion"]["tracking"]["trackingCode"]
    resp = gql("qujing", TRACK, {"code": code})
    assert resp.codes == ["NOT_FOUND"] and resp.data is None
    found = gql("province", TRACK, {"code": code}).ok()["trackOpinion"]
    assert found["prefecture"] == "kunming"


def test_unknown_tracking_code_is_not_found(km_world):
    resp = gql("kunming", TRACK, {"code": "ZZZZZZZZZZ"})
    assert resp.codes == ["NOT_FOUND"]


def test_submit_on_the_province_host_is_refused(km_world):
    resp = gql("province", SUBMIT, {"input": submission()})
    assert resp.codes == ["BAD_REQUEST"]


@override_settings(LIAISON_RATE_LIMITS={"submit_opinion": {"anonymous": (2, 3600), "key": (3, 3600)},
                                        "track_opinion": {"anonymous": (2, 60)}})
def test_rate_limits_per_client_ip_and_per_key(km_world, keys):
    for _ in range(2):
        assert gql("kunming", SUBMIT, {"input": submission()}).ok()["submitOpinion"]["created"]
    refused = gql("kunming", SUBMIT, {"input": submission()})
    assert refused.codes == ["RATE_LIMITED"]
    ext = refused.errors[0]["extensions"]
    assert ext["limit"] == 2 and ext["window"] == 3600 and ext["retryAfter"] > 0
    assert "2" in refused.errors[0]["message"] and "3600" in refused.errors[0]["message"]
    # another client IP has its own bucket
    assert gql("kunming", SUBMIT, {"input": submission()}, REMOTE_ADDR="10.0.0.9").ok()["submitOpinion"]["created"]
    # a key has its own, larger bucket
    for _ in range(3):
        assert gql("kunming", SUBMIT, {"input": submission()}, key=keys["kunming_read"]).ok()["submitOpinion"]["created"]
    assert gql("kunming", SUBMIT, {"input": submission()}, key=keys["kunming_read"]).codes == ["RATE_LIMITED"]
    # tracking has its own limit
    gql("kunming", TRACK, {"code": "ZZZZZZZZZZ"})
    gql("kunming", TRACK, {"code": "ZZZZZZZZZZ"})
    assert gql("kunming", TRACK, {"code": "ZZZZZZZZZZ"}).codes == ["RATE_LIMITED"]


@override_settings(LIAISON_RATE_LIMITS={"submit_opinion": {"anonymous": (1, 3600)}})
def test_a_retry_is_not_refused_by_the_rate_limit(km_world):
    data = submission()
    assert gql("kunming", SUBMIT, {"input": data}).ok()["submitOpinion"]["created"]
    again = gql("kunming", SUBMIT, {"input": data}).ok()["submitOpinion"]
    assert again["created"] is False
