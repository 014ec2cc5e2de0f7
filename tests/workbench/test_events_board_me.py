"""Reception days, the supervision board and 我的履职 through the workbench pages."""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone

from liaison.tenants.activities import services as activity_services
from liaison.tenants.activities.models import Event, EventStatus, Reception, SignIn
from liaison.tenants.opinions import services
from liaison.tenants.opinions.models import Opinion

from .conftest import STAFF, in_kunming

pytestmark = pytest.mark.django_db


def token():
    return uuid.uuid4().hex


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_staff_plan_announce_sign_in_and_record_a_reception_day(world, clients):
    staff = clients["staff_a"]
    start = timezone.now() + dt.timedelta(days=1)
    response = staff.post("/workbench/events/new/", {
        "form_token": token(), "position": world.station_a.pk, "title": "代表接待日", "starts_at": local_input(start),
        "ends_at": local_input(start + dt.timedelta(hours=3)), "deputies": [world.deputy.pk, world.other_deputy.pk]})
    assert response.status_code == 302, response.content.decode()[:500]
    with in_kunming():
        event = Event.objects.get(title="代表接待日")
    # Announced only one day ahead: announced, with the 3-day warning.
    page = staff.post(f"/workbench/events/{event.pk}/announce/", {"form_token": token()}, follow=True).content.decode()
    assert "已公告" in page and "至少提前 3 天公告" in page
    with in_kunming():
        assert Event.objects.get(pk=event.pk).status == EventStatus.ANNOUNCED
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=30))
    signed = staff.post(f"/workbench/events/{event.pk}/sign-in/", {"form_token": token(), "deputy": world.deputy.pk})
    assert signed.status_code == 302
    reception = staff.post(f"/workbench/events/{event.pk}/reception/", {
        "form_token": token(), "people_received": "5", "deputy": world.deputy.pk, "summary": "接待群众",
        "visitors": "赵六，13700001111，幸福村，村道坑洼"})
    assert reception.status_code == 302
    with in_kunming():
        assert SignIn.objects.filter(event=event, deputy=world.deputy).exists()
        assert Reception.objects.get(event=event).visitors.get().name == "赵六"
    page = staff.get(f"/workbench/events/{event.pk}/").content.decode()
    assert "已签到 1 / 2" in page and f"/workbench/opinions/new/?position={world.station_a.pk}" in page


def test_a_reception_with_bad_input_names_the_field_and_records_nothing(world, clients):
    with in_kunming():
        start = timezone.now() - dt.timedelta(hours=1)
        event = activity_services.schedule_reception_day(world.station_a, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                                         deputies=[world.deputy], title="接待日")
    response = clients["staff_a"].post(f"/workbench/events/{event.pk}/reception/", {
        "form_token": token(), "people_received": "1", "visitors": "甲\n乙"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"接待群众人次：接待人次（1）不能少于登记的来访群众人数（2）", html)
    with in_kunming():
        assert not Reception.objects.exists()


def test_a_deputy_signs_in_on_a_duty_day_within_the_window(world, clients):
    with in_kunming():
        start = timezone.now() + dt.timedelta(hours=1)
        soon = activity_services.schedule_reception_day(world.station_a, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                                        deputies=[world.deputy], title="今天的接待日")
        later_start = timezone.now() + dt.timedelta(days=3)
        later = activity_services.schedule_reception_day(world.station_a, starts_at=later_start,
                                                         ends_at=later_start + dt.timedelta(hours=3),
                                                         deputies=[world.deputy], title="下周的接待日")
    deputy = clients["deputy"]
    page = deputy.get("/workbench/me/").content.decode()
    assert "今天的接待日" in page and "下周的接待日" in page and "起可签到" in page
    assert f"/workbench/events/{soon.pk}/self-sign-in/" in page
    assert f"/workbench/events/{later.pk}/self-sign-in/" not in page
    done = deputy.post(f"/workbench/events/{soon.pk}/self-sign-in/", {"form_token": token()}, follow=True)
    assert "签到成功" in done.content.decode()
    early = deputy.post(f"/workbench/events/{later.pk}/self-sign-in/", {"form_token": token()}, follow=True)
    assert "签到时间须在活动开始前 2 小时" in early.content.decode()
    with in_kunming():
        assert SignIn.objects.filter(deputy=world.deputy).count() == 1
    # Another deputy's account cannot sign this one in, nor staff sign in through this form.
    assert clients["staff_a"].post(f"/workbench/events/{soon.pk}/self-sign-in/", {"form_token": token()}).status_code == 403
    assert clients["qujing_admin"].post(f"/workbench/events/{soon.pk}/self-sign-in/", {"form_token": token()}).status_code == 403


def test_a_deputy_sees_their_opinions_and_rates_the_reply_addressed_to_them(world, clients):
    with in_kunming():
        op = world.register(deputy=world.deputy, title="代表收集的意见")
        services.reply(op, content="已解释", kind="explanation", actor=STAFF)
        services.deliver(op, to_deputy=True, actor=STAFF)
    deputy = clients["deputy"]
    page = deputy.get("/workbench/me/").content.decode()
    assert "代表收集的意见" in page and f"/workbench/opinions/{op.pk}/rate/" in page
    form = deputy.get(f"/workbench/opinions/{op.pk}/rate/")
    assert form.status_code == 200
    assert deputy.post(f"/workbench/opinions/{op.pk}/reply/", {"form_token": token(), "content": "x", "kind": "answer",
                                                               "outcome": "A"}).status_code == 403
    rated = deputy.post(f"/workbench/opinions/{op.pk}/rate/", {"form_token": token(), "satisfaction": "satisfied"})
    assert rated.status_code == 302
    with in_kunming():
        assert Opinion.objects.get(pk=op.pk).status == "closed"


def test_the_supervision_board_shows_an_overdue_opinion(world, clients):
    with in_kunming():
        op = world.register(title="逾期未办的意见")
        services.triage(op, category="transport", jurisdiction_level="township", actor=STAFF)
        services.refer(op, unit=world.township_gov, actor=STAFF)
        Opinion.objects.filter(pk=op.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    html = clients["admin"].get("/workbench/board/").content.decode()
    assert "逾期未办的意见" in html
    assert re.search(r"<td>工作台测试镇人民政府</td><td class=\"num\"><strong[^>]*>1</strong>", html)
    assert re.search(r"<td>测试镇代表工作站</td><td class=\"num\"><strong[^>]*>1</strong>", html)
    assert "逾期" in clients["admin"].get("/workbench/opinions/?tab=overdue").content.decode()
