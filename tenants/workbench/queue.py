"""The opinion queue: tabs (with counts), filters and sorting over the opinions
selectors' queue. Tabs are views of status and deadline as the selectors define them
(`with_overdue`); "due soon" uses the official working-day calendar."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from liaison.platform.province import calendar
from liaison.tenants.opinions import selectors
from liaison.tenants.opinions.models import AWAITING_REPLY, Status

DUE_SOON_WORKING_DAYS = 3


@dataclass(frozen=True)
class Tab:
    key: str
    label: str


TABS = [
    Tab("triage", _("待研判")),
    Tab("referred", _("已交办待答复")),
    Tab("due_soon", _("3个工作日内到期")),
    Tab("overdue", _("已逾期")),
    Tab("replied", _("已答复待评价")),
    Tab("reopened", _("重新办理")),
    Tab("all", _("全部")),
]
TAB_KEYS = {t.key for t in TABS}


def due_soon_limit(today: dt.date) -> dt.date:
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def tab_filter(key: str, today: dt.date) -> Q:
    if key == "triage":
        return Q(status__in=(Status.REGISTERED, Status.TRIAGED), duplicate_of__isnull=True)
    if key == "referred":
        return Q(status__in=(Status.REFERRED, Status.ESCALATED, Status.CONVERTED))
    if key == "due_soon":
        return Q(status__in=AWAITING_REPLY, due_on__gte=today, due_on__lte=due_soon_limit(today))
    if key == "overdue":
        return Q(is_overdue=True)
    if key == "replied":
        return Q(status=Status.REPLIED)
    if key == "reopened":
        return Q(status=Status.REOPENED)
    return Q()


def base(access) -> QuerySet:
    return access.opinions(selectors.queue())


def counts(access, today: dt.date | None = None) -> dict[str, int]:
    today = today or selectors.today()
    qs = base(access)
    return {t.key: qs.filter(tab_filter(t.key, today)).count() for t in TABS}


SORTS = {
    "registered": ("registered_at", "id"), "-registered": ("-registered_at", "-id"),
    "due": ("due_on", "id"), "-due": ("-due_on", "-id"),
    "status": ("status", "-registered_at"), "title": ("title", "id"),
}
SORT_LABELS = [("-registered", _("登记时间（新→旧）")), ("registered", _("登记时间（旧→新）")), ("due", _("期限（近→远）")),
               ("-due", _("期限（远→近）")), ("status", _("状态"))]
