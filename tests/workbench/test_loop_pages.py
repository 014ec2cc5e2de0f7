"""The opinion loop through the workbench pages: every step is a form that calls the
service; bad input shows Chinese errors next to the field and writes nothing; a
double-submitted form never performs its step twice."""
from __future__ import annotations

import re
import uuid

import pytest

from liaison.tenants.opinions.models import Opinion, Reply, Status, Transition

from .conftest import in_kunming

pytestmark = pytest.mark.django_db


def token() -> str:
    return uuid.uuid4().hex


def page_token(response) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "the form carries a one-time token"
    return match.group(1)


def step(client, opinion_id, name, **data):
    form = client.get(f"/workbench/opinions/{opinion_id}/{name}/")
    assert form.status_code == 200
    return client.post(f"/workbench/opinions/{opinion_id}/{name}/", {"form_token": page_token(form), **data})


def refresh(pk) -> Opinion:
    with in_kunming():
        return Opinion.objects.get(pk=pk)


def test_station_staff_handle_an_opinion_from_registration_to_closing(world, clients):
    staff = clients["staff_a"]
    form = staff.get("/workbench/opinions/new/")
    response = staff.post("/workbench/opinions/new/", {
        "form_token": page_token(form), "channel": "reception", "position": world.station_a.pk,
        "deputy": world.deputy.pk, "citizen_name": "赵六", "citizen_phone": "13700001111", "title": "村道坑洼",
        "content": "幸福村村道坑洼积水，雨天无法通行。", "category": "transport"})
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S)
    with in_kunming():
        opinion = Opinion.objects.get(title="村道坑洼")
    assert response["Location"].startswith(f"/workbench/opinions/{opinion.pk}/")
    page = staff.get(f"/workbench/opinions/{opinion.pk}/").content.decode()
    assert "<strong>登记</strong>" in page and "<strong>register</strong>" not in page

    assert step(staff, opinion.pk, "triage", category="transport", jurisdiction_level="township").status_code == 302
    refer_page = staff.get(f"/workbench/opinions/{opinion.pk}/refer/").content.decode()
    assert "推荐" in refer_page and world.township_gov.name in refer_page
    assert step(staff, opinion.pk, "refer", unit=world.township_gov.pk, note="请核实").status_code == 302
    assert refresh(opinion.pk).status == Status.REFERRED
    assert step(staff, opinion.pk, "reply", kind="answer", outcome="A", content="已修复村道。").status_code == 302
    assert step(staff, opinion.pk, "deliver", to_citizen="on", to_deputy="on").status_code == 302
    assert step(staff, opinion.pk, "rate", satisfaction="satisfied", comment="满意").status_code == 302
    assert refresh(opinion.pk).status == Status.REPLIED  # the citizen has not rated yet
    assert step(staff, opinion.pk, "close", note="代表已评价满意").status_code == 302
    assert refresh(opinion.pk).status == Status.CLOSED

    page = staff.get(f"/workbench/opinions/{opinion.pk}/").content.decode()
    for label in ("研判", "交办", "答复", "送达", "评价", "办结"):
        assert label in page
    for code in ("triage", "refer", "deliver"):
        assert f"<strong>{code}</strong>" not in page


def test_a_step_with_bad_input_shows_chinese_errors_by_the_field_and_writes_nothing(world, clients):
    with in_kunming():
        opinion = world.register()
        before = Transition.objects.filter(opinion=opinion).count()
    staff = clients["staff_a"]
    response = step(staff, opinion.pk, "triage", category="", jurisdiction_level="")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="field-category"' in html and "类别：此项必填" in html
    assert "管辖层级：" in html
    with in_kunming():
        assert Transition.objects.filter(opinion=opinion).count() == before
    # A step the status does not allow: the service refuses, in Chinese, nothing written.
    response = step(staff, opinion.pk, "close", note="")
    html = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist nonfield"' in html and "状态：" in html
    with in_kunming():
        assert Transition.objects.filter(opinion=opinion).count() == before


def test_registration_errors_name_the_fields(world, clients):
    staff = clients["staff_a"]
    form = staff.get("/workbench/opinions/new/")
    response = staff.post("/workbench/opinions/new/", {"form_token": page_token(form), "channel": "reception",
                                                       "position": world.station_a.pk, "title": "", "content": "",
                                                       "citizen_phone": "abc"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "标题：此项必填" in html and "内容：此项必填" in html and "联系电话：" in html
    with in_kunming():
        assert not Opinion.objects.exists()


def test_a_double_submitted_registration_registers_once(world, clients):
    staff = clients["staff_a"]
    data = {"form_token": token(), "channel": "reception", "position": world.station_a.pk, "title": "路灯不亮",
            "content": "村口路灯不亮。"}
    first = staff.post("/workbench/opinions/new/", data)
    second = staff.post("/workbench/opinions/new/", data)  # double click, or the back button and send again
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    with in_kunming():
        assert Opinion.objects.filter(title="路灯不亮").count() == 1


def test_a_double_submitted_step_is_performed_once(world, clients):
    with in_kunming():
        opinion = world.register()
    staff = clients["staff_a"]
    data = {"form_token": token(), "kind": "explanation", "outcome": "D", "content": "不属受理范围，已解释。"}
    assert staff.post(f"/workbench/opinions/{opinion.pk}/reply/", data).status_code == 302
    again = staff.post(f"/workbench/opinions/{opinion.pk}/reply/", data, follow=True)
    assert "该表单已经提交过" in again.content.decode()
    with in_kunming():
        assert Reply.objects.filter(opinion=opinion).count() == 1
    escalate_data = {"form_token": token(), "note": "久拖不办"}
    with in_kunming():
        other = world.register(title="另一件")
        from liaison.tenants.opinions import services

        services.triage(other, category="transport", jurisdiction_level="township")
        services.refer(other, unit=world.township_gov)
    staff.post(f"/workbench/opinions/{other.pk}/escalate/", escalate_data)
    staff.post(f"/workbench/opinions/{other.pk}/escalate/", escalate_data)
    with in_kunming():
        assert Transition.objects.filter(opinion_id=other.pk, action="escalate").count() == 1


def test_similar_open_opinions_are_shown_and_can_be_linked_as_duplicates(world, clients):
    with in_kunming():
        first = world.register()
        second = world.register(citizen_name="李四")
    staff = clients["staff_a"]
    page = staff.get(f"/workbench/opinions/{second.pk}/").content.decode()
    assert first.tracking_code in page and "作为重复件并入此件" in page
    response = staff.post(f"/workbench/opinions/{second.pk}/duplicate/", {"form_token": token(), "primary": first.tracking_code})
    assert response.status_code == 302
    assert refresh(second.pk).duplicate_of_id == first.pk


def test_queue_tabs_count_and_filter(world, clients):
    with in_kunming():
        world.register(title="甲")
        world.register(title="乙", position=world.station_b)
    html = clients["admin"].get("/workbench/opinions/?tab=triage").content.decode()
    assert re.search(r'data-tab="triage">待研判<span class="count">2</span>', html)
    filtered = clients["admin"].get(f"/workbench/opinions/?tab=triage&position={world.station_b.pk}").content.decode()
    assert ">乙</a>" in filtered and ">甲</a>" not in filtered
    partial = clients["admin"].get("/workbench/opinions/?tab=all", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in partial.content.decode() and ">甲</a>" in partial.content.decode()
