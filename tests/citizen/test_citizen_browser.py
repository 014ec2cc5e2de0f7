"""A citizen on a phone (390×844) in chromium: opens the position's page from its QR code,
submits an opinion (double-tapping the button), gets the tracking code, tracks it, and
rates the reply once delivered; another prefecture's host does not show the page."""
from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from browser_support import PHONE
from liaison.tenants.opinions.models import Opinion

from .test_citizen_pages import _deliver_a_reply

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_a_citizen_submits_and_tracks_on_a_phone(km_station, browser_server, new_page, screenshot):
    page = new_page(PHONE)
    page.goto(browser_server.url("kunming", f"/p/{km_station.code}/"))
    assert page.title().startswith(km_station.name)
    screenshot(page, "citizen-position-phone")

    # nothing typed: errors next to the fields, nothing registered
    page.click("#submit-opinion")
    page.wait_for_selector("#field-title .errorlist")
    assert page.inner_text("#field-content .errorlist") == "请填写意见建议"
    screenshot(page, "citizen-position-errors-phone")
    with browser_server.paused():
        with schema_context("kunming"):
            assert not Opinion.objects.exists()

    page.fill("#id_title", "村口路灯坏了")
    page.fill("#id_content", "幸福村村口的路灯坏了一个月，晚上出行不便，请尽快修复。")
    page.select_option("#id_category", "urban_rural")
    page.fill("#id_citizen_phone", "13812345678")
    page.dblclick("#submit-opinion")  # a double tap
    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    screenshot(page, "citizen-submitted-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
    with browser_server.paused():
        with schema_context("kunming"):
            [opinion] = Opinion.objects.all()
            assert opinion.tracking_code == code and opinion.category.code == "urban_rural"

    page.click("text=查询办理进度")
    page.fill("#id_code", code)
    page.click("#track-form button")
    page.wait_for_selector("#tracking")
    assert page.inner_text("#status") == "已登记"
    assert code not in page.url
    screenshot(page, "citizen-track-phone")

    with browser_server.paused():
        with schema_context("kunming"):
            _deliver_a_reply(Opinion.objects.get(tracking_code=code))
    page.goto(browser_server.url("kunming", "/t/"))
    page.fill("#id_code", code)
    page.click("#track-form button")
    page.wait_for_selector("#rate")
    assert "路灯已于本周修复" in page.inner_text("#reply")
    page.check("input[name=satisfaction][value=satisfied]")
    page.click("#rate button")
    page.wait_for_selector("text=感谢您的评价")
    assert page.inner_text("#status") == "已办结"
    screenshot(page, "citizen-rated-phone")

    # the deputy's page leads to the position
    page.goto(browser_server.url("kunming", f"/d/{km_station.roll_number}/"))
    page.click(f"#positions a[href='/p/{km_station.code}/']")
    page.wait_for_selector("#opinion-form")

    # qujing's host does not know kunming's position
    response = page.goto(browser_server.url("qujing", f"/p/{km_station.code}/"))
    assert response.status == 404
