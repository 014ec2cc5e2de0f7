"""The prefecture's admin: pages load in Chinese on kunming's host, the daily-work actions
work through the services, and nothing of kunming shows on qujing's host."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, User
from liaison.tenants.activities import services as activity_services
from liaison.tenants.activities.models import Event, Reception, SignIn, Visitor
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.notifications.models import Notification
from liaison.tenants.positions import services as position_services
from liaison.tenants.positions.models import Position

from .conftest import aware, make_tree

pytestmark = pytest.mark.django_db

MY_MODELS = ["positions/position", "positions/standarditem", "positions/standardcheck", "positions/staff",
             "deputies/deputy", "deputies/stationing", "deputies/pointsrule", "activities/event", "activities/annualplan",
             "activities/signin", "activities/reception", "notifications/notification", "divisions/division"]


def admin_client(host: str, prefecture, username: str) -> Client:
    user = User.objects.create_user(username=username, password="x", is_staff=True)
    Membership.objects.create(user=user, prefecture=prefecture, role="prefecture_admin")
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


@pytest.fixture
def kunming_admin(kunming):
    return admin_client("kunming.localhost", kunming, "km-admin")


@pytest.fixture
def qujing_admin(qujing):
    return admin_client("qujing.localhost", qujing, "qj-admin")


@pytest.fixture
def world(kunming, make_deputy):
    with schema_context("kunming"):
        tree = make_tree()
        home = position_services.create_position(code="H-A", name="甲县代表之家", tier="home", division=tree.county_a, status="open",
                                                 status_on=dt.date(2023, 1, 1))
        station = position_services.create_position(code="S-1", name="甲镇代表工作站", tier="station", division=tree.t1, parent=home,
                                                    status="open", status_on=dt.date(2023, 1, 1))
        deputies = [make_deputy(tree.t1, name=n) for n in ("张代表", "李代表", "王代表")]
        for d in deputies:
            deputy_services.station_deputy(d, station, start_on=dt.date(2023, 1, 1))
        return {"tree": tree, "home": home, "station": station, "deputies": deputies}


def test_every_admin_page_loads_in_chinese(kunming_admin, world):
    index = kunming_admin.get("/admin/")
    assert index.status_code == 200 and "代表活动阵地" in index.content.decode()
    for model in MY_MODELS:
        resp = kunming_admin.get(f"/admin/{model}/")
        assert resp.status_code == 200, model
    for model in ("positions/position", "deputies/deputy", "activities/event", "positions/staff", "deputies/stationing"):
        assert kunming_admin.get(f"/admin/{model}/add/").status_code == 200, model
    station = world["station"]
    page = kunming_admin.get(f"/admin/positions/position/{station.pk}/change/").content.decode()
    assert "建设状态履历" in page and "进站代表" in page and "二维码" in page
    assert kunming_admin.get(f"/admin/positions/position/{station.pk}/qr.png")["Content-Type"] == "image/png"
    assert kunming_admin.get(f"/admin/deputies/deputy/{world['deputies'][0].pk}/qr.svg")["Content-Type"] == "image/svg+xml"
    checklist = kunming_admin.get("/admin/positions/standarditem/").content.decode()
    assert "有固定场所" in checklist and "有工作人员" in checklist


def test_positions_are_built_through_the_admin_and_the_hierarchy_rule_holds(kunming_admin, world):
    tree, station = world["tree"], world["station"]
    base = {"code": "O-1", "name": "一村代表联络室", "tier": "office", "special_kind": "", "field": "", "address": "一村村委会",
            "opening_hours": "每月15日", "online_url": "",
            "status_history-TOTAL_FORMS": "0", "status_history-INITIAL_FORMS": "0",
            "standard_checks-TOTAL_FORMS": "0", "standard_checks-INITIAL_FORMS": "0",
            "staff-TOTAL_FORMS": "0", "staff-INITIAL_FORMS": "0",
            "stationings-TOTAL_FORMS": "0", "stationings-INITIAL_FORMS": "0"}
    # an office at a township is refused with the reason on the division field
    resp = kunming_admin.post("/admin/positions/position/add/", {**base, "division": tree.t1.pk, "parent": station.pk})
    assert resp.status_code == 200
    assert "代表联络室只能设在村（社区）" in resp.content.decode()
    with schema_context("kunming"):
        assert not Position.objects.filter(code="O-1").exists()
    resp = kunming_admin.post("/admin/positions/position/add/", {**base, "division": tree.v1.pk, "parent": station.pk})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    with schema_context("kunming"):
        office = Position.objects.get(code="O-1")
        assert office.parent == station and office.status == "planned" and office.status_history.count() == 1
    # status action: mark open
    resp = kunming_admin.post("/admin/positions/position/", {"action": "mark_open", "_selected_action": [office.pk]}, follow=True)
    assert resp.status_code == 200
    with schema_context("kunming"):
        office.refresh_from_db()
        assert office.status == "open"


def test_daily_work_schedule_announce_sign_in_and_record(kunming_admin, world, django_capture_on_commit_callbacks, capsys):
    station, (zhang, li, wang) = world["station"], world["deputies"]
    with schema_context("kunming"):
        starts = aware(2031, 6, 1, 9, 0)  # far enough ahead to announce
    # schedule a reception day through the add form
    resp = kunming_admin.post("/admin/activities/event/add/", {
        "position": station.pk, "kind": "reception_day", "title": "", "starts_at_0": "2031-06-01", "starts_at_1": "09:00",
        "ends_at_0": "2031-06-01", "ends_at_1": "12:00", "place": "", "description": "", "scheduled": [zhang.pk, li.pk],
        "scheduled-TOTAL_FORMS": "0", "scheduled-INITIAL_FORMS": "0", "sign_ins-TOTAL_FORMS": "0", "sign_ins-INITIAL_FORMS": "0",
        "receptions-TOTAL_FORMS": "0", "receptions-INITIAL_FORMS": "0",
    })
    assert resp.status_code == 302, resp.content.decode()[:3000]
    with schema_context("kunming"):
        event = Event.objects.get()
        assert event.kind == "reception_day" and event.starts_at == starts
        assert set(event.deputies.values_list("name", flat=True)) == {"张代表", "李代表"}
    # announce (action): deputies are notified through the outbox, printed by the console backend
    with django_capture_on_commit_callbacks(execute=True):
        resp = kunming_admin.post("/admin/activities/event/", {"action": "announce", "_selected_action": [event.pk]}, follow=True)
    assert "已公告" in resp.content.decode()
    with schema_context("kunming"):
        assert Notification.objects.filter(dedupe_key__startswith=f"event:{event.pk}:", status="sent").count() == 2
    assert "活动安排：甲镇代表工作站接待日" in capsys.readouterr().out

    # sign in (the event must be under way: move it to now through the service)
    with schema_context("kunming"):
        from django.utils import timezone

        now = timezone.now().replace(microsecond=0)
        activity_services.update_event(event, starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2))
    sign_in_url = reverse("admin:activities_event_sign_in", args=[event.pk])
    assert kunming_admin.get(sign_in_url).status_code == 200
    local = timezone.localtime(now)
    resp = kunming_admin.post(sign_in_url, {"deputies": [zhang.pk], "signed_at": local.strftime("%Y-%m-%d %H:%M:%S")})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    # an unscheduled deputy is not even offered; posting one anyway is refused
    resp = kunming_admin.post(sign_in_url, {"deputies": [wang.pk], "signed_at": local.strftime("%Y-%m-%d %H:%M:%S")})
    assert resp.status_code == 200
    with schema_context("kunming"):
        assert list(SignIn.objects.values_list("deputy__name", flat=True)) == ["张代表"]

    # record a reception
    reception_url = reverse("admin:activities_event_reception", args=[event.pk])
    resp = kunming_admin.post(reception_url, {"deputy": zhang.pk, "people_received": "4", "summary": "反映饮水问题",
                                              "visitors_text": "赵群众,13900000000,饮水\n钱群众,,道路"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    resp = kunming_admin.post(reception_url, {"deputy": zhang.pk, "people_received": "1", "visitors_text": "甲\n乙"})
    assert resp.status_code == 200 and "不能少于登记的来访群众人数" in resp.content.decode()
    with schema_context("kunming"):
        assert Reception.objects.get().people_received == 4
        assert sorted(Visitor.objects.values_list("name", flat=True)) == ["赵群众", "钱群众"]

    # the performance record page adds it up
    page = kunming_admin.get(reverse("admin:deputies_deputy_record", args=[zhang.pk]) + f"?year={local.year}").content.decode()
    assert "接待日签到</td><td class=\"value\">1<" in page and "接待群众人次</td><td class=\"value\">4<" in page


def test_nothing_of_kunming_shows_on_qujings_host(kunming_admin, qujing_admin, world, kunming):
    station, deputy = world["station"], world["deputies"][0]
    with schema_context("kunming"):
        event = activity_services.schedule_reception_day(station, starts_at=aware(2031, 6, 1, 9, 0), ends_at=aware(2031, 6, 1, 12, 0),
                                                         deputies=[deputy])
    # qujing's own admin: empty lists, kunming's ids are not found
    for model in MY_MODELS:
        resp = qujing_admin.get(f"/admin/{model}/")
        assert resp.status_code == 200, model
        assert "甲镇代表工作站" not in resp.content.decode() and "张代表" not in resp.content.decode()
    for url in (f"/admin/positions/position/{station.pk}/change/", f"/admin/deputies/deputy/{deputy.pk}/change/",
                f"/admin/activities/event/{event.pk}/change/"):
        resp = qujing_admin.get(url)
        assert resp.status_code in (302, 404)
        assert "甲镇代表工作站" not in resp.content.decode()
    assert qujing_admin.get(f"/admin/positions/position/{station.pk}/qr.png").status_code == 404
    assert qujing_admin.get(reverse("admin:activities_event_sign_in", args=[event.pk])).status_code == 404
    # kunming's admin on qujing's host sees no module and may not open anything
    km_on_qj = Client(HTTP_HOST="qujing.localhost")
    km_on_qj.force_login(User.objects.get(username="km-admin"))
    index = km_on_qj.get("/admin/")
    assert 'href="/admin/positions/' not in index.content.decode()  # no module (the site's title names 代表活动阵地 too)
    # (the admin site itself is closed to them there: to the login page)
    for model in MY_MODELS:
        assert km_on_qj.get(f"/admin/{model}/").status_code in (302, 403), model
    assert km_on_qj.post(f"/admin/activities/event/{event.pk}/sign-in/", {}).status_code in (302, 403)
    # and the province host does not list tenant models at all
    province = Client(HTTP_HOST="localhost")
    province.force_login(User.objects.get(username="km-admin"))
    assert 'href="/admin/positions/' not in province.get("/admin/").content.decode()
