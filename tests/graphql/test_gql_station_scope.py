"""A station clerk acts only at their own station, whatever the interface: the object
checks live in the services (platform/accounts/acting.py), so GraphQL, the workbench and
the admin cannot differ. Regression tests for the probe findings of the hardening issue."""
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
    return build_world("kunming", stations=2, deputies_per_station=2, opinions_per_station=0, referrals=False)


@pytest.fixture
def clerk(w, kunming, make_user):
    """Station staff of station 0 only."""
    return make_user("station_staff", kunming, position_ids=[w.stations[0].pk])


def other_station_deputy(w):
    from liaison.tenants.deputies.models import Stationing

    with schema_context("kunming"):
        return Stationing.objects.filter(position=w.stations[1]).first().deputy


def test_staff_cannot_register_an_opinion_as_another_stations_deputy(w, clerk):
    from liaison.tenants.opinions.models import Opinion

    deputy = other_station_deputy(w)
    q = """mutation($input: RegisterOpinionInput!) { registerOpinion(input: $input) { opinion { id } errors { field code } } }"""
    with schema_context("kunming"):
        before = Opinion.objects.count()
    resp = gql("kunming", q, {"input": {"channel": "DEPUTY", "title": "水渠", "content": "水渠堵塞",
                                        "position": gid("Position", w.stations[1].pk), "deputy": gid("Deputy", deputy.pk)}},
               user=clerk)
    assert resp.codes == ["FORBIDDEN"]
    with schema_context("kunming"):
        assert Opinion.objects.count() == before
    # at their own station the same clerk registers what that station's deputy brought in
    mine = gql("kunming", q, {"input": {"channel": "RECEPTION", "title": "水渠", "content": "水渠堵塞",
                                        "position": gid("Position", w.stations[0].pk)}}, user=clerk).ok()["registerOpinion"]
    assert mine["errors"] == [] and mine["opinion"]["id"]


def _event_at(w, station, deputy):
    from liaison.tenants.activities.models import Event, ScheduledDeputy

    with schema_context("kunming"):
        now = timezone.now()
        event = Event.objects.create(position=station, kind="reception_day", title="接待日", starts_at=now - dt.timedelta(hours=1),
                                     ends_at=now + dt.timedelta(hours=2))
        ScheduledDeputy.objects.create(event=event, deputy=deputy)
        return event


def test_staff_cannot_sign_in_a_deputy_at_another_stations_event(w, clerk):
    from liaison.tenants.activities.models import SignIn

    deputy = other_station_deputy(w)
    event = _event_at(w, w.stations[1], deputy)
    q = "mutation($e: ID!, $d: ID!) { signIn(input: {event: $e, deputy: $d}) { errors { field code } } }"
    resp = gql("kunming", q, {"e": gid("Event", event.pk), "d": gid("Deputy", deputy.pk)}, user=clerk)
    assert resp.codes == ["FORBIDDEN"]
    with schema_context("kunming"):
        assert not SignIn.objects.filter(event=event).exists()


def test_the_service_itself_refuses_whoever_calls_it(w, clerk):
    """The workbench and the admin call services directly: the same check holds there."""
    from liaison.platform.accounts.acting import acting_as
    from liaison.platform.accounts.principal import principal_for_user
    from liaison.tenants.activities import services as activities
    from liaison.tenants.common.errors import Forbidden

    deputy = other_station_deputy(w)
    event = _event_at(w, w.stations[1], deputy)
    with schema_context("kunming"), acting_as(principal_for_user(clerk)):
        with pytest.raises(Forbidden):
            activities.sign_in(event.pk, deputy.pk)
        with pytest.raises(Forbidden):
            activities.record_reception(event.pk, people_received=3)
        with pytest.raises(Forbidden):
            activities.schedule_event(w.stations[1].pk, kind="reception_day", title="越权", starts_at=timezone.now(),
                                      ends_at=timezone.now() + dt.timedelta(hours=1))
    # the deputy themselves may sign in; the system (commands, tasks) is not limited
    with schema_context("kunming"):
        assert activities.sign_in(event.pk, deputy.pk).deputy_id == deputy.pk


def test_opinion_steps_and_suggestions_are_refused_at_another_station(w, clerk):
    """triage/refer/reply and the suggestion's assignment, deadline and answer: a clerk of
    station 0 can do none of them to what came in at station 1, through the API or the
    services (the workbench's path)."""
    from liaison.platform.accounts.acting import acting_as
    from liaison.platform.accounts.principal import principal_for_user
    from liaison.tenants.common.errors import Forbidden
    from liaison.tenants.opinions import services as opinions
    from liaison.tenants.opinions.models import HandlingUnit, Suggestion

    deputy = other_station_deputy(w)
    with schema_context("kunming"):
        theirs = opinions.register(channel="reception", title="路灯", content="路灯坏了", position=w.stations[1])
        opinions.triage(theirs, category="urban_rural", jurisdiction_level="county")
        other = opinions.register(channel="reception", title="路面", content="路面坑洼", position=w.stations[1])
        suggestion = opinions.convert_to_suggestion([theirs], lead_deputy=deputy, title="路灯建议", content="修路灯",
                                                    level="county")
        unit = HandlingUnit.objects.create(name="县住建局", kind="county_department", level="county", division=w.county)
    triage = gql("kunming", 'mutation($id: ID!) { triageOpinion(input: {id: $id, category: "urban_rural", '
                            'jurisdictionLevel: COUNTY}) { errors { code } } }', {"id": gid("Opinion", other.pk)}, user=clerk)
    assert triage.codes == ["FORBIDDEN"]
    assign = gql("kunming", "mutation($s: ID!, $u: ID!) { assignSuggestion(input: {id: $s, leadUnit: $u}) "
                            "{ errors { code } } }", {"s": gid("Suggestion", suggestion.pk), "u": gid("HandlingUnit", unit.pk)},
                 user=clerk)
    assert assign.codes == ["FORBIDDEN"]
    with schema_context("kunming"), acting_as(principal_for_user(clerk)):
        for step in (lambda: opinions.reply(other.pk, content="答复", outcome="A", kind="explanation"),
                     lambda: opinions.assign_suggestion(suggestion.pk, lead_unit=unit.pk),
                     lambda: opinions.extend_suggestion_deadline(suggestion.pk, new_due_on=timezone.localdate()),
                     lambda: opinions.answer_suggestion(suggestion.pk, content="已答复", outcome="A")):
            with pytest.raises(Forbidden):
                step()
    with schema_context("kunming"):
        assert Suggestion.objects.get(pk=suggestion.pk).lead_unit_id is None
