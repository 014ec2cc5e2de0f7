"""Objects every permission test needs: an opinion, a suggestion and a reception day at
station A, and the list of every workbench URL (GET) and form (POST) around them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from liaison.tenants.activities import services as activity_services
from liaison.tenants.opinions import services

from .conftest import STAFF, World, in_kunming


@dataclass
class Objects:
    opinion: int
    replied: int
    suggestion: int
    event: int
    attachment: int


def make_objects(world: World) -> Objects:
    with in_kunming():
        op = world.register(deputy=world.deputy, attachments=[{"name": "现场照片.txt", "content": "照片".encode()}])
        replied = world.register(title="河道垃圾清理", content="村口河道垃圾堆积，请清理。", deputy=world.deputy)
        services.reply(replied, content="已解释", kind="explanation", actor=STAFF)
        to_convert = world.register(title="建议修建便民桥", content="两村之间需要一座便民桥。")
        services.triage(to_convert, category="transport", jurisdiction_level="county", actor=STAFF)
        suggestion = services.convert_to_suggestion([to_convert], lead_deputy=world.deputy, title="修建便民桥",
                                                    content="两村之间需要一座便民桥。", actor=STAFF)
        start = timezone.now() + dt.timedelta(hours=1)
        event = activity_services.schedule_reception_day(world.station_a, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                                         deputies=[world.deputy], title="代表接待日")
        attachment = op.attachments.get().pk
    return Objects(op.pk, replied.pk, suggestion.pk, event.pk, attachment)


OPINION_STEPS = ["attach", "triage", "refer", "refer_prefecture", "extend", "reply", "deliver", "rate", "close", "reopen",
                 "escalate", "duplicate", "convert"]
SUGGESTION_STEPS = ["assign", "extend", "answer", "rate"]


def object_urls(o: Objects) -> list[str]:
    """Pages about station A's objects (refused to station B's staff and to Qujing)."""
    urls = [f"/workbench/opinions/{o.opinion}/", f"/workbench/opinions/{o.replied}/", f"/workbench/suggestions/{o.suggestion}/",
            f"/workbench/events/{o.event}/", f"/workbench/opinions/{o.opinion}/attachments/{o.attachment}/"]
    urls += [f"/workbench/opinions/{o.opinion}/{s}/" for s in OPINION_STEPS]
    urls += [f"/workbench/opinions/{o.replied}/{s}/" for s in ("deliver", "rate", "close", "reopen")]
    urls += [f"/workbench/suggestions/{o.suggestion}/{s}/" for s in SUGGESTION_STEPS]
    return urls


def general_urls() -> list[str]:
    urls = ["/workbench/", "/workbench/opinions/", "/workbench/opinions/new/", "/workbench/suggestions/",
            "/workbench/events/", "/workbench/events/new/", "/workbench/events/plan/", "/workbench/board/", "/workbench/me/",
            "/workbench/divisions/?position=1", "/workbench/opinions/?q=路灯", "/workbench/suggestions/?status=filed",
            "/workbench/opinions/?position=x&division=nope&from=bad&to=2026-13-45&sort=zzz&page=999&unit=abc&channel=zz&category=no"]
    urls += [f"/workbench/opinions/?tab={t}" for t in ("triage", "referred", "due_soon", "overdue", "replied", "reopened", "all")]
    return urls


def object_posts(o: Objects) -> list[str]:
    posts = [f"/workbench/opinions/{o.opinion}/{s}/" for s in OPINION_STEPS]
    posts += [f"/workbench/opinions/{o.replied}/{s}/" for s in ("deliver", "rate", "close", "reopen")]
    posts += [f"/workbench/suggestions/{o.suggestion}/{s}/" for s in SUGGESTION_STEPS]
    posts += [f"/workbench/events/{o.event}/{s}/" for s in ("announce", "sign-in", "reception")]
    return posts


def general_posts() -> list[str]:
    return ["/workbench/opinions/new/", "/workbench/events/new/", "/workbench/events/plan/"]
