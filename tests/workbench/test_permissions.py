"""Who may see and do what in the workbench: every page and every form, for every role.

A Qujing account on the Kunming host is refused everything; station B's staff are
refused every page and form about station A's opinions, suggestions and reception days;
province roles read but never write; anonymous callers are sent to the login page;
no page answers 500 to any role, whatever the query string.
"""
from __future__ import annotations

import uuid

import pytest

from liaison.tenants.opinions.models import Opinion, Transition

from .conftest import client_for, in_kunming
from .objects import general_posts, general_urls, make_objects, object_posts, object_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def objs(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_objects(world)


def _post(client, url, **data):
    return client.post(url, {"form_token": uuid.uuid4().hex, "note": "x", "content": "答复内容", "title": "t", **data})


def _rows():
    with in_kunming():
        return Opinion.objects.count(), Transition.objects.count()


def test_anonymous_is_sent_to_the_login_page(world, objs):
    anonymous = client_for(None)
    for url in general_urls() + object_urls(objs):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/workbench/login/?next="), url
    for url in general_posts() + object_posts(objs):
        assert _post(anonymous, url).status_code == 302, url
    login = anonymous.get("/workbench/login/")
    assert login.status_code == 200 and "登录工作台" in login.content.decode()


def test_another_prefectures_account_is_refused_every_page_and_form(world, objs, clients):
    qujing = clients["qujing_admin"]
    before = _rows()
    for url in general_urls() + object_urls(objs):
        assert qujing.get(url).status_code == 403, url
    for url in general_posts() + object_posts(objs):
        assert _post(qujing, url).status_code == 403, url
    assert _rows() == before


def test_another_stations_staff_is_refused_station_a_pages_and_forms(world, objs, clients):
    staff_b = clients["staff_b"]
    before = _rows()
    for url in object_urls(objs):
        assert staff_b.get(url).status_code == 403, url
    for url in object_posts(objs):
        assert _post(staff_b, url).status_code == 403, url
    # Registering at station A is refused too, and nothing was written.
    response = _post(staff_b, "/workbench/opinions/new/", channel="reception", position=world.station_a.pk)
    assert response.status_code == 403
    assert _rows() == before
    # Their own queue and reception days do not show station A's work.
    queue = staff_b.get("/workbench/opinions/?tab=all").content.decode()
    assert "村道路灯损坏" not in queue
    assert f"/workbench/events/{objs.event}/" not in staff_b.get("/workbench/events/").content.decode()


def test_station_staff_see_their_own_station(world, objs, clients):
    staff_a = clients["staff_a"]
    for url in general_urls()[:8] + object_urls(objs)[:4]:
        if url in ("/workbench/board/", "/workbench/me/"):
            continue
        assert staff_a.get(url).status_code == 200, url
    assert "村道路灯损坏" in staff_a.get("/workbench/opinions/?tab=all").content.decode()


def test_province_roles_read_with_personal_data_masked_and_never_write(world, objs, clients):
    province = clients["province"]
    page = province.get(f"/workbench/opinions/{objs.opinion}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "张**" in text and "138****5678" in text and "13812345678" not in text
    with in_kunming():
        code = Opinion.objects.get(pk=objs.opinion).tracking_code
    assert code not in text  # the code lets its holder act as the citizen
    assert province.get("/workbench/board/").status_code == 200
    before = _rows()
    for url in general_posts() + object_posts(objs):
        assert _post(province, url).status_code == 403, url
    assert _rows() == before


def test_staff_see_the_citizens_contact_and_download_attachments(world, objs, clients):
    text = clients["staff_a"].get(f"/workbench/opinions/{objs.opinion}/").content.decode()
    assert "张三丰" in text and "13812345678" in text
    download = clients["staff_a"].get(f"/workbench/opinions/{objs.opinion}/attachments/{objs.attachment}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == "照片".encode()


def test_board_is_for_administrators_and_me_for_deputies(world, objs, clients):
    assert clients["staff_a"].get("/workbench/board/").status_code == 403
    assert clients["admin"].get("/workbench/board/").status_code == 200
    assert clients["admin"].get("/workbench/me/").status_code == 403
    assert clients["deputy"].get("/workbench/me/").status_code == 200


@pytest.mark.parametrize("role", ["admin", "staff_a", "staff_b", "deputy", "province", "qujing_admin"])
def test_crawl_every_url_with_every_role_gives_no_server_error(world, objs, clients, role):
    client = clients[role]
    for url in general_urls() + object_urls(objs) + ["/workbench/opinions/999999/", "/workbench/opinions/1/nope/",
                                                      "/workbench/events/999999/", "/workbench/suggestions/999999/"]:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
    for url in general_posts() + object_posts(objs):
        response = _post(client, url, position="abc", starts_at="nonsense", people_received="-3", deputy="zz",
                         unit="zz", new_due_on="2020-99-99", satisfaction="great", outcome="Z", year="x")
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
