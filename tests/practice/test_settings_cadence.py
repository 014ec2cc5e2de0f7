"""Prefecture settings (defaults, bad input) and the cadence 日在线、周驻室、月进站、常回家."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.practice.models import PracticeSettings
from liaison.tenants.practice.selectors import cadence
from liaison.tenants.practice.services import settings as practice_settings

from .conftest import at, event

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 6, 18)  # a Wednesday: last complete week 9–15 June, month May, quarter Q1... Q2 not complete


def fields(exc):
    return {e.field: e.code for e in exc.value.errors}


def test_defaults_are_the_issues(km):
    s = practice_settings.current()
    assert (s.online_period, s.office_period, s.station_period, s.home_period) == ("day", "week", "month", "quarter")
    assert (s.online_threshold, s.office_threshold, s.station_threshold, s.home_threshold) == (1, 1, 1, 1)
    assert s.review_cutoff_day == 20 and s.claim_escalation_hours == 72


@pytest.mark.parametrize("day", [0, 29, 31, -1, "20", True])
def test_cut_off_day_outside_1_28_is_a_field_error_and_changes_nothing(km, day):
    practice_settings.update(station_threshold=2)
    with pytest.raises(ServiceError) as exc:
        practice_settings.update(review_cutoff_day=day, home_threshold=2)
    assert fields(exc) == {"review_cutoff_day": "out_of_range"}
    s = PracticeSettings.objects.get()
    assert (s.home_threshold, s.station_threshold, s.review_cutoff_day) == (1, 2, 20)


def test_bad_period_and_threshold_name_their_fields(km):
    with pytest.raises(ServiceError) as exc:
        practice_settings.update(office_period="year", station_threshold=0, colour="red")
    assert set(fields(exc)) == {"office_period", "station_threshold", "colour"}


def test_periods():
    assert cadence.last_complete_period("day", ON) == (dt.date(2025, 6, 17),) * 2
    assert cadence.last_complete_period("week", ON) == (dt.date(2025, 6, 9), dt.date(2025, 6, 15))
    assert cadence.last_complete_period("month", ON) == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert cadence.last_complete_period("quarter", ON) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert cadence.last_complete_period("quarter", dt.date(2025, 1, 5)) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))


def _keep_everything(km, d):
    event(km.online, at(2025, 6, 17), kind="visit", signed=[d])  # online yesterday
    event(km.office, at(2025, 6, 11), signed=[d])  # office last week
    event(km.station, at(2025, 5, 20), signed=[d])  # station last month
    event(km.home, at(2025, 2, 3), kind="training", signed=[d])  # home last quarter


def test_a_deputy_who_keeps_every_rule_is_not_behind_and_one_who_does_not_is(km):
    keeper, online_by_opinion, idle = km.deputies[0], km.deputies[1], km.deputies[2]
    _keep_everything(km, keeper)
    _keep_everything(km, online_by_opinion)
    Opinion.objects.create(channel="online", position=km.online, division=km.township, deputy=online_by_opinion, title="t",
                           content="c", registered_at=at(2025, 6, 17, 9))
    behind = {c.deputy.pk: [r.rule for r in c.behind] for c in cadence.behind_cadence(km.station, on=ON)}
    assert keeper.pk not in behind and online_by_opinion.pk not in behind
    assert behind[idle.pk] == ["online", "office", "station", "home"]
    # The prefecture's list has the office's deputy and the other township's too.
    everyone = {c.deputy.pk for c in cadence.behind_cadence(on=ON)}
    assert {idle.pk, km.deputies[3].pk, km.other.pk} <= everyone and keeper.pk not in everyone


def test_a_sign_in_outside_the_period_or_below_the_threshold_does_not_count(km):
    d = km.deputies[0]
    _keep_everything(km, d)
    event(km.office, at(2025, 6, 16), signed=[d])  # this week, not last week: no help
    practice_settings.update(office_threshold=2)
    status = cadence.cadence([d], on=ON)[0].rules
    assert status["office"].days == 1 and not status["office"].met
    assert status["station"].met and status["home"].met


def test_year_record_counts_periods_kept(km):
    d = km.deputies[0]
    event(km.station, at(2025, 1, 10), signed=[d])
    event(km.station, at(2025, 3, 10), signed=[d])
    rec = {r.rule: r for r in cadence.year_record(d, 2025, on=ON)}
    assert (rec["station"].periods, rec["station"].periods_met) == (5, 2)  # Jan–May complete
    assert (rec["home"].periods, rec["home"].periods_met) == (1, 0)


def test_share_meeting_counts_deputies_on_the_roll(km):
    _keep_everything(km, km.deputies[0])
    share = cadence.share_meeting(on=ON)
    assert share["deputies"] == 5 and share["station"] == 1 and share["home"] == 1


def test_qujing_sees_no_kunming_deputy_behind(km, qj_schema):
    with qj_schema():
        assert cadence.behind_cadence(on=ON) == []
        assert practice_settings.current().review_cutoff_day == 20  # its own settings row


def test_the_performance_record_page_shows_the_cadence(km, kunming):
    from django.test import Client

    from liaison.platform.accounts.models import Membership, Role, User

    d = km.deputies[0]
    event(km.station, at(2025, 1, 10), signed=[d])
    user = User.objects.create(username="cadence_admin", is_staff=True)
    Membership.objects.create(user=user, role=Role.PREFECTURE_ADMIN, prefecture=kunming)
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(user)
    html = client.get(f"/admin/deputies/deputy/{d.pk}/record/?year=2025").content.decode()
    assert "日在线、周驻室、月进站、常回家" in html
    assert '<tr data-rule="station"><td>月进站</td>' in html
