"""Dates, numbers and text that no person means to enter are refused (or cleaned) where
every write passes, so they can never be stored and break later readers."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from gql_helpers import gql
from liaison.graphql.core.relay import encode_global_id
from liaison.tenants.common.errors import ServiceError
from world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(kunming):
    return build_world("kunming", stations=1, deputies_per_station=2, opinions_per_station=1, referrals=False)


@pytest.fixture
def admin(keys):
    return {"key": keys["kunming_write_personal"]}


def gid(type_name, pk):
    return encode_global_id(type_name, pk, "kunming")


SCHEDULE = """mutation($p: ID!, $s: DateTime!, $e: DateTime!) { scheduleEvent(input: {position: $p, kind: RECEPTION_DAY,
  startsAt: $s, endsAt: $e}) { event { id } errors { field message code } } }"""


def test_an_event_in_the_year_9999_is_refused_and_event_lists_keep_working(w, admin):
    now = timezone.now()
    bad = gql("kunming", SCHEDULE, {"p": gid("Position", w.stations[0].pk), "s": now.isoformat(),
                                    "e": "9999-12-31T23:00:00-14:00"}, **admin).ok()["scheduleEvent"]
    assert bad["event"] is None and [(e["field"], e["code"]) for e in bad["errors"]] == [("endsAt", "OUT_OF_RANGE")]
    assert "日期超出合理范围" in bad["errors"][0]["message"]
    good = gql("kunming", SCHEDULE, {"p": gid("Position", w.stations[0].pk), "s": now.isoformat(),
                                     "e": (now + dt.timedelta(hours=3)).isoformat()}, **admin).ok()["scheduleEvent"]
    listed = gql("kunming", "{ events(first: 5) { edges { node { id startsAt endsAt } } } }", **admin)
    assert [e["node"]["id"] for e in listed.ok()["events"]["edges"]] == [good["event"]["id"]]


def test_an_opinion_registered_in_year_one_is_refused_and_ordering_keeps_working(w, admin):
    q = """mutation($input: RegisterOpinionInput!) { registerOpinion(input: $input) { opinion { id } errors { field code } } }"""
    bad = gql("kunming", q, {"input": {"channel": "RECEPTION", "title": "古", "content": "很早以前",
                                       "position": gid("Position", w.stations[0].pk),
                                       "registeredAt": "0001-01-01T00:00:00+14:00"}}, **admin).ok()["registerOpinion"]
    assert bad["opinion"] is None and {e["code"] for e in bad["errors"]} == {"OUT_OF_RANGE"}
    ordered = gql("kunming", "{ opinions(first: 5, orderBy: [REGISTERED_AT]) { edges { node { id } } } }", **admin)
    assert ordered.ok()["opinions"]["edges"]


def test_numbers_outside_their_column_are_field_errors_not_internal_errors(w, admin):
    order = gql("kunming", 'mutation { saveChecklistItem(input: {code: "neg", name: "负序号", order: -5}) '
                           '{ item { code } errors { field code } } }', **admin).ok()["saveChecklistItem"]
    assert order["item"] is None and order["errors"] == [{"field": "order", "code": "OUT_OF_RANGE"}]
    points = gql("kunming", "mutation { setPointsRule(input: {metric: OPINION, points: 1e16}) { rule { points } "
                            "errors { field code } } }", **admin).ok()["setPointsRule"]
    assert points["rule"] is None and [e["field"] for e in points["errors"]] == ["points"]


def test_control_characters_are_removed_from_text_before_it_is_stored(w):
    submit = """mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) { tracking { trackingCode }
      errors { field code } } }"""
    answer = gql("kunming", submit, {"input": {"positionCode": w.stations[0].code, "title": "路灯\u0000坏了\u0001",
                                               "content": "第一行\n第二行\u0007", "idempotencyKey": str(uuid.uuid4())}})
    payload = answer.ok()["submitOpinion"]
    assert payload["errors"] == []
    from liaison.tenants.opinions.models import Opinion

    with schema_context("kunming"):
        op = Opinion.objects.get(tracking_code=payload["tracking"]["trackingCode"])
        assert (op.title, op.content) == ("路灯坏了", "第一行\n第二行")


def test_every_write_path_is_guarded_not_only_graphql(w):
    from liaison.tenants.activities.models import Event

    with schema_context("kunming"):
        event = Event(position=w.stations[0], kind="reception_day", title="接待日",
                      starts_at=timezone.now(), ends_at=timezone.now().replace(year=3000))
        with pytest.raises(ServiceError) as exc:
            event.save()
        assert [e.field for e in exc.value.errors] == ["ends_at"]
        assert not Event.objects.filter(title="接待日", ends_at__year=3000).exists()


def test_the_importer_refuses_implausible_dates_with_the_same_rule():
    from liaison.tenants.ledger.parsing import CellError, parse_date

    assert parse_date("2024-05-01") == dt.date(2024, 5, 1)
    for text in ("1900-01-01", "2999-01-01"):
        with pytest.raises(CellError) as exc:
            parse_date(text)
        assert exc.value.code == "out_of_range"
