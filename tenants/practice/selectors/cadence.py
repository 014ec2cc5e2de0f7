"""Yunnan's cadence 日在线、周驻室、月进站、常回家, computed from what was recorded.

A deputy keeps a rule in a period when the number of distinct days (Asia/Shanghai) with a
qualifying act in that period reaches the rule's threshold (PracticeSettings, defaults:
online 1 day per day, office 1 per week, station 1 per month, home 1 per quarter).
Qualifying acts:
- online (日在线): an opinion of the online channel collected by the deputy, a step the
  deputy took on an online opinion (their transition), or a sign-in at an online position;
- office (周驻室): a sign-in at an event of an office (代表联络室);
- station (月进站): a sign-in at an event of a station (incl. professional and special ones);
- home (常回家): a sign-in at an event of a home (代表之家).
"Behind" means the last complete period of the rule (yesterday, last week, last month,
last quarter — before `on`) fell short.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.tenants.activities.models import SignIn
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.opinions.models import Channel, Opinion, Transition
from liaison.tenants.positions.models import Tier

from ..services.settings import current as current_settings

RULES = {"online": _("日在线"), "office": _("周驻室"), "station": _("月进站"), "home": _("常回家")}
TIER_RULE = {Tier.ONLINE: "online", Tier.OFFICE: "office", Tier.STATION: "station", Tier.PROFESSIONAL: "station",
             Tier.SPECIAL: "station", Tier.HOME: "home"}


def period_of(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] (inclusive) of the period containing `day`."""
    if period == "day":
        return day, day
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
    else:  # quarter
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    months = 1 if period == "month" else 3
    m = start.month - 1 + months
    nxt = start.replace(year=start.year + m // 12, month=m % 12 + 1)
    return start, nxt - dt.timedelta(days=1)


def last_complete_period(period: str, on: dt.date) -> tuple[dt.date, dt.date]:
    start, _end = period_of(period, on)
    return period_of(period, start - dt.timedelta(days=1))


def rules_config() -> dict[str, tuple[str, int]]:
    s = current_settings()
    return {rule: (getattr(s, f"{rule}_period"), getattr(s, f"{rule}_threshold")) for rule in RULES}


def _bounds(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def activity_days(deputy_ids, start: dt.date, end: dt.date) -> dict[str, dict[int, set[dt.date]]]:
    """rule → deputy id → the days in [start, end] with a qualifying act."""
    lo, hi = _bounds(start, end)
    out: dict[str, dict[int, set[dt.date]]] = {rule: {} for rule in RULES}
    ids = list(deputy_ids)

    def add(rule, deputy_id, when):
        out[rule].setdefault(deputy_id, set()).add(timezone.localtime(when).date())

    for deputy_id, tier, when in (SignIn.objects.filter(deputy_id__in=ids, event__starts_at__gte=lo, event__starts_at__lt=hi)
                                  .values_list("deputy_id", "event__position__tier", "event__starts_at")):
        if tier in TIER_RULE:
            add(TIER_RULE[tier], deputy_id, when)
    for deputy_id, when in (Opinion.objects.filter(deputy_id__in=ids, channel=Channel.ONLINE, registered_at__gte=lo, registered_at__lt=hi)
                            .values_list("deputy_id", "registered_at")):
        add("online", deputy_id, when)
    for deputy_id, when in (Transition.objects.filter(actor_kind=Transition.ActorKind.DEPUTY, actor_id__in=ids,
                                                      opinion__channel=Channel.ONLINE, at__gte=lo, at__lt=hi)
                            .values_list("actor_id", "at")):
        add("online", deputy_id, when)
    return out


@dataclass
class RuleStatus:
    rule: str
    label: str
    period: str
    threshold: int
    period_start: dt.date
    period_end: dt.date
    days: int
    met: bool


@dataclass
class DeputyCadence:
    deputy: object
    rules: dict[str, RuleStatus] = field(default_factory=dict)

    @property
    def behind(self) -> list[RuleStatus]:
        return [r for r in self.rules.values() if not r.met]


def cadence(deputies, on: dt.date | None = None) -> list[DeputyCadence]:
    """Each deputy's standing on each rule in the rule's last complete period before `on`."""
    on = on or timezone.localdate()
    deputies = list(deputies)
    config = rules_config()
    periods = {rule: last_complete_period(period, on) for rule, (period, _t) in config.items()}
    start = min(p[0] for p in periods.values())
    end = max(p[1] for p in periods.values())
    days = activity_days([d.pk for d in deputies], start, end)
    out = []
    for d in deputies:
        item = DeputyCadence(d)
        for rule, (period, threshold) in config.items():
            p_start, p_end = periods[rule]
            n = sum(1 for day in days[rule].get(d.pk, ()) if p_start <= day <= p_end)
            item.rules[rule] = RuleStatus(rule, str(RULES[rule]), period, threshold, p_start, p_end, n, n >= threshold)
        out.append(item)
    return out


def behind_cadence(position=None, on: dt.date | None = None) -> list[DeputyCadence]:
    """Deputies behind on at least one rule: those stationed at `position` now, or every
    active deputy of the prefecture."""
    on = on or timezone.localdate()
    qs = deputy_selectors.stationed_at(position, on) if position is not None else deputy_selectors.deputies()
    return [c for c in cadence(qs.order_by("roll_number"), on) if c.behind]


@dataclass
class YearCadence:
    rule: str
    label: str
    periods: int  # complete periods of the year before `on`
    periods_met: int


def year_record(deputy, year: int, on: dt.date | None = None) -> list[YearCadence]:
    """For the performance record: in how many of the year's complete periods each rule was kept."""
    on = on or timezone.localdate()
    first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), on - dt.timedelta(days=1))
    out = []
    days = activity_days([deputy.pk], first - dt.timedelta(days=92), max(first, last)) if last >= first else {r: {} for r in RULES}
    for rule, (period, threshold) in rules_config().items():
        periods = met = 0
        cursor = first
        while cursor <= last:
            p_start, p_end = period_of(period, cursor)
            if p_end > last:
                break
            periods += 1
            n = sum(1 for day in days[rule].get(deputy.pk, ()) if p_start <= day <= p_end)
            met += n >= threshold
            cursor = p_end + dt.timedelta(days=1)
        out.append(YearCadence(rule, str(RULES[rule]), periods, met))
    return out


def share_meeting(on: dt.date | None = None, deputies=None) -> dict[str, int]:
    """{"deputies": n, "online": kept, …} over active deputies on the roll (the statistic)."""
    qs = deputies if deputies is not None else deputy_selectors.deputies(on_roll=True)
    result = {"deputies": 0, **{rule: 0 for rule in RULES}}
    for c in cadence(qs, on):
        result["deputies"] += 1
        for rule, status in c.rules.items():
            result[rule] += status.met
    return result
