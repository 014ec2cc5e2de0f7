"""The admin is the province's platform: branded (not "Django 管理"), lists whose columns
keep names on one line, and the bring-in page linked from the deputies list."""
from __future__ import annotations

import pytest

from liaison.platform.accounts.models import Membership, Role, User

from .conftest import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def kunming_admin(kunming):
    user = User.objects.create_user(username="brand_admin", password="brand-pw-1", is_staff=True)
    Membership.objects.create(user=user, role=Role.PREFECTURE_ADMIN, prefecture=kunming)
    return user


def test_the_admin_is_branded_as_the_provinces_platform(kunming_client, province_client):
    for client in (kunming_client, province_client):
        html = client.get("/admin/login/").content.decode()
        assert "云南省人大代表活动阵地平台" in html
        assert "Django" not in html.split("<body")[1]
    assert "昆明市" in kunming_client.get("/admin/login/").content.decode()


def test_the_deputies_list_links_to_bringing_in_a_provincial_deputy(kunming_admin, kunming_client):
    kunming_client.force_login(kunming_admin)
    html = kunming_client.get("/admin/deputies/deputy/").content.decode()
    assert 'href="/admin/deputies/deputy/bring-in/"' in html and "引入外州市的省级及以上代表" in html
    assert "平台管理" in kunming_client.get("/admin/").content.decode()


@pytest.mark.browser
def test_list_columns_keep_names_on_one_line_at_1366(kunming_admin, browser_server, new_page, login, screenshot):
    make_station("kunming")
    make_station("kunming", tag="2")
    page = new_page()
    login(page, kunming_admin, "kunming.localhost")
    for path, shot in (("/admin/deputies/deputy/", "admin-deputies-desktop"), ("/admin/positions/position/", "admin-positions-desktop")):
        page.goto(browser_server.url("kunming", path))
        page.wait_for_selector("#result_list")
        screenshot(page, shot)
        heads = page.eval_on_selector_all("#result_list thead th", "els => els.map(e => [e.innerText, e.getBoundingClientRect().height])")
        row = page.eval_on_selector_all("#result_list tbody tr:first-child > *", "els => els.map(e => e.getBoundingClientRect().height)")
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#result_list td')).lineHeight) || 20")
        assert all(h < 2.5 * line for _, h in heads), heads  # headings on one line
        assert max(row) < 2.5 * line, (path, row)  # every cell on one line, none stacked character by character
    assert "云南省人大代表活动阵地平台" in page.inner_text("#site-name")
