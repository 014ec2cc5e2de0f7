"""The workbench in a real browser (Playwright driving Debian's chromium; fixtures in
tests/browser_support.py): station staff handle an opinion from triage to closing, a
deputy signs in on a duty day, the supervision board shows an overdue opinion. Each main
page is photographed at phone and desktop widths (the run prints the folder)."""
from __future__ import annotations

import datetime as dt

import pytest
from browser_support import DESKTOP, PHONE
from django.utils import timezone

from liaison.tenants.activities import services as activity_services
from liaison.tenants.opinions import services
from liaison.tenants.opinions.models import Opinion, Status

from .conftest import STAFF, in_kunming

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def both_widths(new_page, login, user, url, screenshot, name, check=None):
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport=viewport)
        login(page, user, "kunming.localhost")
        page.goto(url)
        if check:
            check(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"{name} at {label} width scrolls sideways ({width}px)"
        screenshot(page, f"workbench-{name}-{label}")


def test_station_staff_triage_refer_reply_deliver_and_close_in_the_browser(world, users, browser_server, new_page, login,
                                                                          screenshot):
    with in_kunming():
        opinion = world.register(deputy=world.deputy)
        world.register(title="村道路灯不亮", content="幸福村主干道路灯损坏，夜间出行不便，希望尽快修复路灯。", citizen_name="李四")
    staff = users["staff_a"]
    url = browser_server.url("kunming", f"/workbench/opinions/{opinion.pk}/")
    page = new_page(viewport=DESKTOP)
    login(page, staff, "kunming.localhost")

    page.goto(browser_server.url("kunming", "/workbench/opinions/?tab=triage"))
    page.get_by_role("link", name="村道路灯损坏").click()
    page.wait_for_url(url)
    page.get_by_text("相似的在办意见").wait_for()
    screenshot(page, "workbench-opinion-registered-desktop")

    page.locator('[data-step="triage"]').click()
    page.wait_for_url("**/triage/")
    page.get_by_role("button", name="提交").click()  # nothing chosen: errors by the fields, nothing written
    page.locator("#field-category .errorlist").wait_for()
    assert page.locator("#field-category .errorlist").inner_text().startswith("类别：")
    screenshot(page, "workbench-step-errors-desktop")
    page.select_option("#id_category", "transport")
    page.select_option("#id_jurisdiction_level", "township")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(url)

    page.locator('[data-step="refer"]').click()
    page.wait_for_url("**/refer/")
    page.get_by_text("推荐承办单位（按匹配度）").wait_for()
    screenshot(page, "workbench-refer-desktop")
    page.get_by_role("button", name="提交").click()  # the best proposal is preselected
    page.wait_for_url(url)

    page.locator('[data-step="reply"]').click()
    page.wait_for_url("**/reply/")
    page.select_option("#id_outcome", "A")
    page.fill("#id_content", "路灯已由镇政府安排维修，已恢复照明。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(url)

    page.locator('[data-step="deliver"]').click()
    page.wait_for_url("**/deliver/")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(url)

    page.locator('[data-step="rate"]').click()
    page.wait_for_url("**/rate/")
    page.select_option("#id_satisfaction", "satisfied")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(url)

    page.locator('[data-step="close"]').click()
    page.wait_for_url("**/close/")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(url)
    page.locator('[data-status="closed"]').wait_for()
    history = page.locator("ol.timeline").inner_text()
    for label in ("登记", "研判", "交办", "答复", "送达", "评价", "办结"):
        assert label in history
    screenshot(page, "workbench-opinion-closed-desktop")
    with browser_server.paused(), in_kunming():
        assert Opinion.objects.get(pk=opinion.pk).status == Status.CLOSED

    both_widths(new_page, login, staff, browser_server.url("kunming", "/workbench/"), screenshot, "home")
    both_widths(new_page, login, staff, browser_server.url("kunming", "/workbench/opinions/?tab=all"), screenshot, "queue")
    both_widths(new_page, login, staff, url, screenshot, "opinion")
    both_widths(new_page, login, staff, browser_server.url("kunming", "/workbench/opinions/new/"), screenshot, "register")
    both_widths(new_page, login, staff, browser_server.url("kunming", "/workbench/events/"), screenshot, "events")


def test_a_deputy_signs_in_on_a_duty_day(world, users, browser_server, new_page, login, screenshot):
    with in_kunming():
        start = timezone.now() + dt.timedelta(minutes=30)
        event = activity_services.schedule_reception_day(world.station_a, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                                         deputies=[world.deputy, world.other_deputy], title="代表接待日")
    page = new_page(viewport=PHONE)
    login(page, users["deputy"], "kunming.localhost")
    page.goto(browser_server.url("kunming", "/workbench/me/"))
    screenshot(page, "workbench-me-before-phone")
    page.locator(f'[data-event="{event.pk}"]').get_by_role("button", name="签到").click()
    page.get_by_text("签到成功").wait_for()
    assert page.locator(f'[data-event="{event.pk}"]').get_by_text("已签到").is_visible()
    screenshot(page, "workbench-me-phone")
    both_widths(new_page, login, users["staff_a"], browser_server.url("kunming", f"/workbench/events/{event.pk}/"), screenshot,
                "event", check=lambda p: p.get_by_text("已签到 1 / 2").wait_for())
    both_widths(new_page, login, users["deputy"], browser_server.url("kunming", "/workbench/me/"), screenshot, "me")


def test_the_supervision_board_shows_an_overdue_opinion(world, users, browser_server, new_page, login, screenshot):
    with in_kunming():
        op = world.register(title="逾期未办的村道维修")
        services.triage(op, category="transport", jurisdiction_level="township", actor=STAFF)
        services.refer(op, unit=world.township_gov, actor=STAFF)
        Opinion.objects.filter(pk=op.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))

    def shows_it(page):
        assert page.locator("#overdue-list").get_by_text("逾期未办的村道维修").is_visible()

    both_widths(new_page, login, users["admin"], browser_server.url("kunming", "/workbench/board/"), screenshot, "board",
                check=shows_it)
    page = new_page(viewport=DESKTOP)
    page.goto(browser_server.url("kunming", "/workbench/board/"))
    assert "/workbench/login/" in page.url
    screenshot(page, "workbench-login-desktop")
