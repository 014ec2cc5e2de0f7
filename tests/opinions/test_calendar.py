"""The official working-day calendar: data in public, editable, counted correctly."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.platform.province import calendar
from liaison.platform.province.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date


def test_seeded_years_and_2026_state_council_notice():
    assert calendar.official_years() == list(range(2019, 2027))
    h = set(CalendarDay.objects.filter(date__year=2026, kind="holiday").values_list("date", flat=True))
    w = set(CalendarDay.objects.filter(date__year=2026, kind="workday").values_list("date", flat=True))
    assert {D(2026, 1, 1), D(2026, 1, 3), D(2026, 2, 15), D(2026, 2, 23), D(2026, 4, 6), D(2026, 5, 5),
            D(2026, 6, 19), D(2026, 9, 25), D(2026, 10, 1), D(2026, 10, 7)} <= h
    assert len(h) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert w == {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)}


def test_fifteen_working_days_across_national_day_week():
    # Registered Mon 28 Sep 2026: Sep 29, 30 | Oct 1-7 off | Oct 8, 9, Sat 10 (worked), 12-16, 19-23.
    assert calendar.add_working_days(D(2026, 9, 28), 15) == D(2026, 10, 23)
    assert calendar.is_working_day(D(2026, 10, 10)) and not calendar.is_working_day(D(2026, 10, 5))
    assert calendar.working_days_between(D(2026, 9, 28), D(2026, 10, 23)) == 15
    assert calendar.subtract_working_days(D(2026, 10, 12), 2) == D(2026, 10, 9)


def test_spring_festival_and_makeup_saturday():
    # Fri 13 Feb, Sat 14 Feb worked, 15-23 off, then Tue 24.
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_calendar_is_editable_data():
    # A (hypothetical) extra day off entered by the province admin moves the deadline.
    before = calendar.add_working_days(D(2026, 11, 2), 5)
    CalendarDay.objects.create(date=D(2026, 11, 4), kind="holiday", name="测试")
    assert calendar.add_working_days(D(2026, 11, 2), 5) == before + dt.timedelta(days=1)


def test_unpublished_year_counts_monday_to_friday():
    assert not calendar.is_official(2031)
    assert calendar.add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)  # Fri → Mon
    CalendarYear.objects.create(year=2031, source="测试")
    assert calendar.is_official(2031)


def test_months_clamp_to_month_end():
    assert calendar.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert calendar.add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)


def test_calendar_is_edited_in_the_province_admin_by_province_admins_only(client, kunming):
    from liaison.platform.accounts.models import Membership, User

    admin = User.objects.create_user(username="prov-admin", password="pw", is_staff=True)
    Membership.objects.create(user=admin, prefecture=None, role="province_admin")
    local = User.objects.create_user(username="km-staff-cal", password="pw", is_staff=True)
    Membership.objects.create(user=local, prefecture=kunming, role="prefecture_admin")
    client.force_login(admin)
    resp = client.post("/admin/province/calendarday/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
                       HTTP_HOST="localhost")
    assert resp.status_code == 302, resp.content[:500]
    assert CalendarDay.objects.filter(date=D(2027, 1, 1), kind="holiday").exists()
    assert not calendar.is_working_day(D(2027, 1, 1))
    client.force_login(local)
    # a prefecture administrator has no admin on the province host (302 to its login page)
    assert client.get("/admin/province/calendarday/add/", HTTP_HOST="localhost").status_code in (302, 403)
    assert client.get("/admin/province/crossreferral/", HTTP_HOST="kunming.localhost").status_code in (403, 404)
