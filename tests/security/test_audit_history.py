"""Audit history (django-pghistory triggers, per prefecture schema): a position edited
through the admin, GraphQL and the service shows who, how and before/after; another
prefecture sees none of it."""
from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts import api_keys
from liaison.platform.accounts.models import Membership, User
from liaison.platform.ops import audit
from liaison.tenants.positions import services as position_services
from liaison.tenants.positions.models import Position

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The values a browser would submit for the first <form method=post> of a page."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.setdefault(a["name"], []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.values.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.values[a["name"]] = [""]
            self._textarea = a["name"]

    def handle_data(self, data):
        name = getattr(self, "_textarea", None)
        if name:
            self.values[name] = [data.strip("\n")]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None
        if tag == "form":
            self._in_form = False


def form_of(html: str) -> dict:
    parser = FormFields()
    parser.feed(html)
    return {k: (v if len(v) != 1 else v[0]) for k, v in parser.values.items() if k != "csrfmiddlewaretoken"}


@pytest.fixture
def position(kunming):
    from liaison.tenants.divisions.models import Division

    with schema_context("kunming"):
        county = Division.objects.filter(level="county").order_by("code").first()
        return position_services.create_position(code="AUD-1", name="审计县代表之家", tier="home", division=county,
                                                 status="open", status_on=dt.date(2023, 1, 1))


def test_a_position_edited_through_each_interface_has_who_how_and_before_after(kunming, qujing, position):
    admin_user = User.objects.create_user(username="km-auditor", password="x", is_staff=True)
    Membership.objects.create(user=admin_user, prefecture=kunming, role="prefecture_admin")
    key = api_keys.create_key(name="区县小程序", prefectures=["kunming"], can_write=True)

    # 1. the admin's change form
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(admin_user)
    url = f"/admin/positions/position/{position.pk}/change/"
    data = form_of(client.get(url).content.decode())
    data["name"] = "审计县代表之家（后台）"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    # 2. GraphQL with a read/write API key
    import base64

    gid = base64.b64encode(f"Position:kunming:{position.pk}".encode()).decode()
    query = "mutation($input: UpdatePositionInput!) { updatePosition(input: $input) { errors { field message } position { name } } }"
    response = Client(HTTP_HOST="kunming.localhost").post(
        "/graphql/", json.dumps({"query": query, "variables": {"input": {"id": gid, "name": "审计县代表之家（接口）"}}}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    body = response.json()
    assert body["data"]["updatePosition"]["errors"] == [], body
    assert body["data"]["updatePosition"]["position"]["name"] == "审计县代表之家（接口）"

    # 3. the service from a command (no request)
    with schema_context("kunming"), audit.command_context("shell"):
        position_services.update_position(position.pk, address="五华区一号")

    with schema_context("kunming"):
        changes = audit.history(Position.objects.get(pk=position.pk))
    assert [c.action for c in changes] == ["insert", "update", "update", "update"]
    by_admin, by_api, by_command = changes[1:]
    assert by_admin.who == "km-auditor" and by_admin.via == "admin"
    assert by_admin.changes["名称"] == ("审计县代表之家", "审计县代表之家（后台）")
    assert by_api.who == f"API 密钥 #{key.key.pk}" and by_api.via == "graphql"
    assert by_api.changes["名称"] == ("审计县代表之家（后台）", "审计县代表之家（接口）")
    assert by_command.via == "command" and by_command.who == "liaison shell"
    assert by_command.changes["地址"] == ("", "五华区一号")

    # the prefecture administrator reads it in the admin's 变更记录
    page = client.get("/admin/positions/positionevent/").content.decode()
    assert "km-auditor" in page and "审计县代表之家（后台）" in page and "管理后台" in page and "GraphQL" in page

    # qujing: no such rows in its schema, and its administrator sees nothing of kunming's
    with schema_context("qujing"):
        assert audit.event_model_for(Position).objects.filter(name__startswith="审计县").count() == 0
    qj_admin = User.objects.create_user(username="qj-auditor", password="x", is_staff=True)
    Membership.objects.create(user=qj_admin, prefecture=qujing, role="prefecture_admin")
    qj = Client(HTTP_HOST="qujing.localhost")
    qj.force_login(qj_admin)
    page = qj.get("/admin/positions/positionevent/")
    assert page.status_code == 200 and "审计县代表之家" not in page.content.decode()
    # and kunming's administrator cannot read it on qujing's host either
    assert client.get("/admin/positions/positionevent/", HTTP_HOST="qujing.localhost").status_code == 302


def test_membership_history_is_shown_to_its_own_prefecture_only(kunming, qujing):
    from liaison.platform.accounts import memberships

    for name in ("km-a", "qj-a", "someone"):
        User.objects.create_user(username=name, password="x")
    memberships.save_membership(username="km-a", role="prefecture_admin", prefecture="kunming")
    memberships.save_membership(username="qj-a", role="prefecture_admin", prefecture="qujing")
    km = Client(HTTP_HOST="kunming.localhost")
    km.force_login(User.objects.get(username="km-a"))
    km.post("/admin/accounts/membership/add/", {"username": "someone", "role": "station_staff", "positions": "", "deputy": ""})
    qj = Client(HTTP_HOST="qujing.localhost")
    qj.force_login(User.objects.get(username="qj-a"))
    km_page = km.get("/admin/accounts/membershipevent/").content.decode()
    qj_page = qj.get("/admin/accounts/membershipevent/").content.decode()
    assert "站点工作人员" in km_page and "km-a" in km_page
    assert "站点工作人员" not in qj_page
    # station staff have no admin, so no history either
    staff = Client(HTTP_HOST="kunming.localhost")
    staff.force_login(User.objects.get(username="someone"))
    assert staff.get("/admin/accounts/membershipevent/").status_code == 302
