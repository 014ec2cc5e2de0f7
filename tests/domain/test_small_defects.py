"""Small defects users saw (issue 13, finding 6): the province user's event page, a
reception recorded twice, phones, a second 站长, QR ports, reminder day counts."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, Role, User
from liaison.tenants.activities import services
from liaison.tenants.activities.models import Reception
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.common.phones import is_valid_phone, normalise_phone
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.positions import selectors as position_selectors
from liaison.tenants.positions import services as position_services
from liaison.tenants.positions.models import Staff

from .conftest import aware

pytestmark = pytest.mark.django_db


def fields(exc) -> dict:
    return {e.field: e.code for e in exc.value.errors}


@pytest.fixture
def station(tree):
    home = position_services.create_position(code="H-A", name="甲县代表之家", tier="home", division=tree.county_a, status="open",
                                             status_on=dt.date(2023, 1, 1))
    return position_services.create_position(code="S-1", name="甲镇代表工作站", tier="station", division=tree.t1, parent=home,
                                             status="open", status_on=dt.date(2023, 1, 1))


@pytest.fixture
def reception_day(station, tree, make_deputy):
    zhang = make_deputy(tree.t1, level="county", name="张代表")
    deputy_services.station_deputy(zhang, station, start_on=dt.date(2023, 1, 1))
    event = services.schedule_reception_day(station, starts_at=aware(2025, 3, 15, 9, 0), ends_at=aware(2025, 3, 15, 12, 0),
                                            deputies=[zhang])
    return event, zhang


def test_the_province_user_opens_an_event_in_the_admin(reception_day, kunming):
    event, _ = reception_day
    user = User.objects.create_user(username="province-viewer", password="x", is_staff=True, is_superuser=True)
    Membership.objects.create(user=user, role=Role.PROVINCE_MONITOR)
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(user)
    page = client.get(f"/admin/activities/event/{event.pk}/change/")
    assert page.status_code == 200 and "甲镇代表工作站接待日" in page.content.decode()


def test_the_same_reception_cannot_be_recorded_twice(reception_day):
    event, zhang = reception_day
    services.record_reception(event, deputy=zhang, people_received=5, recorded_at=aware(2025, 3, 15, 12, 0))
    with pytest.raises(ServiceError) as exc:
        services.record_reception(event, deputy=zhang, people_received=5, recorded_at=aware(2025, 3, 15, 12, 1))
    assert fields(exc) == {"deputy": "duplicate"} and "已登记过" in exc.value.errors[0].message
    services.record_reception(event, people_received=2, recorded_at=aware(2025, 3, 15, 12, 2))  # the day as a whole
    with pytest.raises(ServiceError) as exc:
        services.record_reception(event, people_received=2, recorded_at=aware(2025, 3, 15, 12, 3))
    assert fields(exc) == {"event": "duplicate"}
    assert Reception.objects.filter(event=event).count() == 2


@pytest.mark.parametrize("phone,ok", [("13812345678", True), ("+86 138-1234-5678", True), ("0871-65123456", True),
                                      ("087165123456转801", True), ("1398765", False), ("12345", False),
                                      ("23812345678", False), ("138123456789", False)])
def test_one_phone_rule(phone, ok):
    assert is_valid_phone(phone) is ok


def test_staff_and_visitor_phones_are_checked(station, reception_day):
    with pytest.raises(ServiceError) as exc:
        position_services.add_staff(station, role="liaison", name="李干事", phone="1398765")
    assert fields(exc) == {"phone": "invalid_phone"}
    staff = position_services.add_staff(station, role="liaison", name="李干事", phone="138 1234 5678")
    assert staff.phone == normalise_phone("138 1234 5678") == "13812345678"
    event, zhang = reception_day
    with pytest.raises(ServiceError) as exc:
        services.record_reception(event, deputy=zhang, people_received=1, visitors=[{"name": "赵群众", "phone": "12345"}],
                                  recorded_at=aware(2025, 3, 15, 12, 0))
    assert fields(exc) == {"visitors.0.phone": "invalid_phone"}


def test_a_second_head_gets_a_chinese_field_error_in_the_admin(station, kunming):
    position_services.add_staff(station, role="head", name="王站长", phone="13812341234")
    user = User.objects.create_user(username="km-staff-admin", password="x", is_staff=True)
    Membership.objects.create(user=user, prefecture=kunming, role="prefecture_admin")
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(user)
    page = client.post("/admin/positions/staff/add/", {"position": station.pk, "role": "head", "name": "赵站长",
                                                       "start_on": "2025-01-01", "phone": "13812345678"})
    html = page.content.decode()
    assert page.status_code == 200 and "已有在任站长" in html
    assert "staff_one_current_head" not in html and "约束" not in html
    with schema_context("kunming"):
        assert Staff.objects.filter(position=station, role="head").count() == 1


def test_qr_codes_link_to_the_port_that_serves(station, settings, kunming):
    from django.test import RequestFactory

    from liaison.tenants.common import urls

    def url_in_request(port):
        seen = {}
        urls.ServingPortMiddleware(lambda request: seen.setdefault("url", position_selectors.public_url(station)))(
            RequestFactory().get("/", SERVER_PORT=port))
        return seen["url"]

    settings.LIAISON_PUBLIC_PORT, settings.LIAISON_PUBLIC_PORT_FROM_REQUEST = "8000", True  # development, nothing set
    assert position_selectors.public_url(station) == "http://kunming.localhost:8000/p/S-1/"  # outside a request
    assert url_in_request("8123") == "http://kunming.localhost:8123/p/S-1/"
    settings.LIAISON_PUBLIC_PORT, settings.LIAISON_PUBLIC_PORT_FROM_REQUEST = "9000", False  # set explicitly: wins
    assert url_in_request("8123") == "http://kunming.localhost:9000/p/S-1/"
    settings.LIAISON_PUBLIC_PORT = ""  # production: no port
    assert url_in_request("8000") == "http://kunming.localhost/p/S-1/"


@pytest.mark.parametrize("now,label", [
    (aware(2025, 3, 13, 11, 0), "2 天后"),   # 1 day 22 hours before 09:00 on the 15th: two calendar days
    (aware(2025, 3, 12, 9, 0), "3 天后"),
    (aware(2025, 3, 14, 9, 0), "明天"),
    (aware(2025, 3, 14, 23, 30), "明天"),
    (aware(2025, 3, 15, 0, 30), "今天"),
])
def test_reminder_counts_calendar_days_in_shanghai(now, label):
    assert services.days_ahead_label(aware(2025, 3, 15, 9, 0), now) == label
