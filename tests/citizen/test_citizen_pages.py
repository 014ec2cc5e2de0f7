"""The online position (/p/<code>/) and the tracking page (/t/) through HTTP: submit with
field-named Chinese errors and nothing written on error, one opinion per form however often
it is posted, the abuse checks, tracking by a posted code, rating the delivered reply, and
another prefecture's host serving none of it."""
from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.citizen import form_token as tokens
from liaison.tenants.opinions import services as opinion_services
from liaison.tenants.opinions.models import Opinion

from .conftest import opinion_form

pytestmark = pytest.mark.django_db


def opinions(schema: str = "kunming") -> list[Opinion]:
    with schema_context(schema):
        return list(Opinion.objects.select_related("position").order_by("id"))


def tracking_code(html: str) -> str:
    return re.search(r'id="tracking-code">([^<]+)<', html).group(1)


def test_a_citizen_submits_on_the_position_page_and_gets_a_tracking_code(km_station, kunming_client):
    page = kunming_client.get(f"/p/{km_station.code}/").content.decode()
    assert "网上提意见建议" in page and km_station.deputy_name in page
    resp = kunming_client.post(f"/p/{km_station.code}/", opinion_form(kunming_client, km_station.code))
    assert resp.status_code == 200
    html = resp.content.decode()
    code = tracking_code(html)
    [opinion] = opinions()
    assert opinion.tracking_code == code and opinion.channel == "online" and opinion.position.code == km_station.code
    assert opinion.citizen_name == "张三丰" and opinion.citizen_phone == "13812345678"
    assert "已收到您的意见建议" in html and "已登记" in html


def test_the_same_form_posted_twice_registers_once(km_station, kunming_client):
    form = opinion_form(kunming_client, km_station.code)
    first = kunming_client.post(f"/p/{km_station.code}/", form).content.decode()
    again = kunming_client.post(f"/p/{km_station.code}/", form).content.decode()
    assert tracking_code(first) == tracking_code(again)
    assert "没有重复登记" in again
    assert len(opinions()) == 1
    # a new page is a new submission
    kunming_client.post(f"/p/{km_station.code}/", opinion_form(kunming_client, km_station.code))
    assert len(opinions()) == 2


def test_bad_input_gets_chinese_errors_next_to_the_fields_and_writes_nothing(km_station, kunming_client):
    form = opinion_form(kunming_client, km_station.code) | {"title": "", "content": " ", "citizen_phone": "12ab"}
    resp = kunming_client.post(f"/p/{km_station.code}/", form)
    assert resp.status_code == 400
    html = resp.content.decode()
    for field in ("title", "content"):
        block = html.split(f'id="field-{field}"')[1].split("</div>")[0]
        assert "errorlist" in block and "请填写" in block, field
    assert opinions() == []
    # the phone is the service's rule: its error stands next to the phone field
    form |= {"title": "路灯", "content": "坏了"}
    html = kunming_client.post(f"/p/{km_station.code}/", form).content.decode()
    block = html.split('id="field-citizen_phone"')[1].split("</div>")[0]
    assert "errorlist" in block and re.search(r"[\u4e00-\u9fff]", block.split("errorlist")[1]), block
    assert opinions() == []
    # the form keeps what was typed
    assert "路灯" in html


def test_scripted_posts_are_refused(km_station, kunming_client, settings):
    url = f"/p/{km_station.code}/"
    form = opinion_form(kunming_client, km_station.code)
    # no token, a forged one, another position's
    for token in ("", "abc", tokens.issue("kunming-OTHER")):
        resp = kunming_client.post(url, form | {"token": token})
        assert resp.status_code == 400 and "页面已失效" in resp.content.decode()
    # the honeypot filled in
    resp = kunming_client.post(url, form | {"website": "http://spam.example"})
    assert resp.status_code == 400 and "未通过校验" in resp.content.decode()
    # sent back faster than a person can read and type
    settings.LIAISON_CITIZEN_FORM_MIN_SECONDS = 3
    resp = kunming_client.post(url, opinion_form(kunming_client, km_station.code))
    assert resp.status_code == 400 and "提交太快" in resp.content.decode()
    assert opinions() == []


def test_fill_time_and_expiry_follow_the_clock(km_station, kunming_client, settings, monkeypatch):
    settings.LIAISON_CITIZEN_FORM_MIN_SECONDS = 3
    now = time.time()
    monkeypatch.setattr(tokens.time, "time", lambda: now)
    form = opinion_form(kunming_client, km_station.code)
    monkeypatch.setattr(tokens.time, "time", lambda: now + tokens.FORM_MAX_AGE + 1)
    resp = kunming_client.post(f"/p/{km_station.code}/", form)
    assert resp.status_code == 400 and "已过期" in resp.content.decode()
    assert form["token"] not in resp.content.decode()  # the page comes back with a fresh token
    monkeypatch.setattr(tokens.time, "time", lambda: now + 5)
    assert kunming_client.post(f"/p/{km_station.code}/", form).status_code == 200
    assert len(opinions()) == 1


def test_submissions_share_the_api_rate_limit(km_station, kunming_client, settings):
    settings.LIAISON_RATE_LIMITS = {"submit_opinion": {"anonymous": (2, 3600)}}
    for _ in range(2):
        assert kunming_client.post(f"/p/{km_station.code}/", opinion_form(kunming_client, km_station.code)).status_code == 200
    form = opinion_form(kunming_client, km_station.code)
    resp = kunming_client.post(f"/p/{km_station.code}/", form)
    assert resp.status_code == 429 and "操作太频繁" in resp.content.decode()
    assert len(opinions()) == 2
    # another client IP has its own count
    other = Client(HTTP_HOST="kunming.localhost", REMOTE_ADDR="10.0.0.9")
    assert other.post(f"/p/{km_station.code}/", opinion_form(other, km_station.code)).status_code == 200


def test_tracking_takes_the_code_by_post_and_shows_the_reply_to_rate(km_station, kunming_client):
    html = kunming_client.post(f"/p/{km_station.code}/", opinion_form(kunming_client, km_station.code)).content.decode()
    code = tracking_code(html)
    assert kunming_client.get(f"/t/?code={code}").content.decode().count(code) == 0  # never from the URL
    tracked = kunming_client.post("/t/", {"code": code.lower()}).content.decode()
    assert code in tracked and "已登记" in tracked and 'id="rate"' not in tracked
    # handled and the reply delivered: the citizen can rate it
    with schema_context("kunming"):
        opinion = Opinion.objects.get(tracking_code=code)
        _deliver_a_reply(opinion)
    tracked = kunming_client.post("/t/", {"code": code}).content.decode()
    assert "路灯已于本周修复" in tracked and 'id="rate"' in tracked
    # a rating without a choice is an error next to the choice, and changes nothing
    resp = kunming_client.post("/t/", {"action": "rate", "code": code, "satisfaction": ""})
    block = resp.content.decode().split('id="field-satisfaction"')[1].split("</div>")[0]
    assert resp.status_code == 400 and "errorlist" in block
    done = kunming_client.post("/t/", {"action": "rate", "code": code, "satisfaction": "satisfied", "comment": "很快"})
    html = done.content.decode()
    assert done.status_code == 200 and "感谢您的评价" in html and 'id="rate"' not in html
    with schema_context("kunming"):
        assert Opinion.objects.get(tracking_code=code).status == "closed"


def test_an_unknown_code_is_a_field_error(km_station, kunming_client):
    resp = kunming_client.post("/t/", {"code": "ZZZZ-ZZZZ"})
    block = resp.content.decode().split('id="field-code"')[1].split("</div>")[0]
    assert resp.status_code == 404 and "errorlist" in block
    assert kunming_client.post("/t/", {"code": ""}).status_code == 400


def test_another_prefecture_host_serves_neither_the_position_nor_its_opinions(km_station, kunming_client, qujing_client):
    html = kunming_client.post(f"/p/{km_station.code}/", opinion_form(kunming_client, km_station.code)).content.decode()
    code = tracking_code(html)
    assert qujing_client.get(f"/p/{km_station.code}/").status_code == 404
    token = tokens.issue(km_station.code)
    assert qujing_client.post(f"/p/{km_station.code}/", {"token": token, "title": "x", "content": "y"}).status_code == 404
    assert qujing_client.post("/t/", {"code": code}).status_code == 404
    rated = qujing_client.post("/t/", {"action": "rate", "code": code, "satisfaction": "satisfied"})
    assert rated.status_code == 404 and 'id="tracking"' not in rated.content.decode()
    assert opinions("qujing") == [] and len(opinions()) == 1


def test_the_deputy_page_links_to_the_positions_where_the_deputy_is_met(km_station, kunming_client):
    html = kunming_client.get(f"/d/{km_station.roll_number}/").content.decode()
    assert f'href="/p/{km_station.code}/"' in html and km_station.name in html


def _deliver_a_reply(opinion: Opinion) -> None:
    """Triage, refer, reply and deliver through the services, as staff would."""
    from liaison.tenants.opinions.models import HandlingUnit

    actor = opinion_services.Actor(kind="user", id=1, label="站长")
    unit = HandlingUnit.objects.create(name="测试镇人民政府", kind="township_government", level="township",
                                       division=opinion.position.division)
    opinion_services.triage(opinion, category="urban_rural", jurisdiction_level="township", actor=actor)
    opinion_services.refer(opinion, unit=unit, actor=actor)
    opinion_services.reply(opinion, unit=unit, content="路灯已于本周修复。", outcome="A", actor=actor)
    opinion_services.deliver(opinion, to_citizen=True, actor=actor)


def test_announced_reception_days_show_where_and_when_the_deputy_is_met(km_station, kunming_client):
    import datetime as dt

    from django.utils import timezone

    from liaison.tenants.activities import services as activity_services
    from liaison.tenants.deputies.models import Deputy
    from liaison.tenants.positions.models import Position

    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    with schema_context("kunming"):
        station = Position.objects.get(code=km_station.code)
        deputy = Deputy.objects.get(roll_number=km_station.roll_number)
        announced = activity_services.schedule_reception_day(station, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                                             deputies=[deputy], title="代表接待日")
        activity_services.announce_event(announced)
        activity_services.schedule_reception_day(station, starts_at=start + dt.timedelta(days=1),
                                                 ends_at=start + dt.timedelta(days=1, hours=3), deputies=[deputy],
                                                 title="内部安排未公告")
    when = f"{start.month}月{start.day}日 09:00"
    position_page = kunming_client.get(f"/p/{km_station.code}/").content.decode()
    assert when in position_page and "代表接待日" in position_page and km_station.deputy_name in position_page
    assert "内部安排未公告" not in position_page
    deputy_page = kunming_client.get(f"/d/{km_station.roll_number}/").content.decode()
    events = deputy_page.split('id="events"')[1]
    assert when in events and f'href="/p/{km_station.code}/"' in events
    later = start + dt.timedelta(days=1)
    assert f"{later.month}月{later.day}日 09:00" not in events
