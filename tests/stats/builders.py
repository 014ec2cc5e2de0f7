"""Small, hand-made statistics data in a prefecture's schema (call inside schema_context)."""
from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from liaison.platform.province.models import Category
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.activities.models import Event, Reception, ScheduledDeputy, SignIn
from liaison.tenants.deputies.models import Stationing
from liaison.tenants.opinions.models import Evaluation, HandlingUnit, Opinion, Referral, Reply, Suggestion
from liaison.tenants.positions.models import Position

TZ = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(y: int, m: int, d: int = 15, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def division(code: str, level: str, parent: Division, name: str | None = None) -> Division:
    return Division.objects.create(code=code, name=name or f"区划{code}", level=level, parent=parent)


def position(div: Division, tier: str, status: str, established: dt.date | None = None) -> Position:
    n = next(_seq)
    return Position.objects.create(code=f"P{n:05d}", name=f"阵地{n}", tier=tier, status=status, division=div, established_on=established)


def deputy(div: Division, level: str = "township", active: bool = True) -> Deputy:
    n = next(_seq)
    return Deputy.objects.create(roll_number=f"D{n:05d}", name=f"代表{n}", level=level, constituency=div, active=active)


def opinion(pos: Position, when: dt.datetime, *, channel: str = "reception", category: str | None = None,
            status: str = "registered", div: Division | None = None, due_on: dt.date | None = None, origin_schema: str = "") -> Opinion:
    n = next(_seq)
    return Opinion.objects.create(
        tracking_code=f"T{n:07d}", channel=channel, position=pos, division=div or pos.division, title=f"意见{n}",
        content="内容", category=Category.objects.get(code=category) if category else None, status=status, registered_at=when,
        due_on=due_on, origin_schema=origin_schema)


def unit(div: Division) -> HandlingUnit:
    return HandlingUnit.objects.get_or_create(name=f"承办单位{div.code}", defaults={"kind": "township_government", "level": "township", "division": div})[0]


def refer(op: Opinion, when: dt.datetime, due: dt.date) -> Referral:
    return Referral.objects.create(opinion=op, unit=unit(op.division), referred_at=when, due_on=due, original_due_on=due, state="active")


def reply(op: Opinion, when: dt.datetime, outcome: str, due: dt.date | None, round: int = 1) -> Reply:
    return Reply.objects.create(opinion=op, content="答复", outcome=outcome, replied_at=when, due_on=due, round=round)


def rate(rep: Reply, rater: str, satisfaction: str, when: dt.datetime, dep: Deputy | None = None) -> Evaluation:
    return Evaluation.objects.create(reply=rep, rater=rater, satisfaction=satisfaction, rated_at=when, deputy=dep)


def event(pos: Position, when: dt.datetime, kind: str = "reception_day", status: str = "held", scheduled=(), signed=(),
          received: int = 0) -> Event:
    n = next(_seq)
    ev = Event.objects.create(position=pos, kind=kind, title=f"活动{n}", starts_at=when, ends_at=when + dt.timedelta(hours=3), status=status)
    for d in scheduled:
        ScheduledDeputy.objects.create(event=ev, deputy=d)
    for d in signed:
        SignIn.objects.create(event=ev, deputy=d, signed_at=when)
    if received:
        Reception.objects.create(event=ev, people_received=received, recorded_at=when)
    return ev


def build(prefecture_code: str, variant: int = 0) -> dict:
    """A prefecture with two counties, townships, villages, positions, deputies and opinions.

    `variant` shifts a few counts so two prefectures differ. Returns the objects by name.
    """
    root = Division.objects.get(code=prefecture_code)
    c1, c2 = Division.objects.filter(level="county", parent=root).order_by("code")[:2]
    t1 = division(f"{c1.code}001", "township", c1)
    t2 = division(f"{c1.code}002", "township", c1)
    t3 = division(f"{c2.code}001", "township", c2)
    v1 = division(f"{t1.code}001", "village", t1)
    v2 = division(f"{t1.code}002", "village", t1)
    v3 = division(f"{t3.code}001", "village", t3, )
    o = {}
    o["home_pref"] = position(root, "home", "standard", dt.date(2018, 6, 1))
    o["home_c1"] = position(c1, "home", "open", dt.date(2019, 3, 1))
    o["station_t1"] = position(t1, "station", "standard", dt.date(2019, 5, 20))
    o["station_t3"] = position(t3, "station", "building")
    o["station_t2_closed"] = position(t2, "station", "closed", dt.date(2019, 1, 1))
    o["office_v1"] = position(v1, "office", "open", dt.date(2020, 2, 2))
    o["office_v3"] = position(v3, "office", "planned")
    o["professional"] = position(c2, "professional", "open", dt.date(2021, 7, 1))
    v1_deputies = [deputy(v1, "township") for _ in range(3)]
    v3_deputies = [deputy(v3, "county") for _ in range(3 + variant)]
    deputy(v2, "township")
    deputy(v2, "county")
    deputy(v2, "township", active=False)
    provincial = deputy(root, "provincial")
    deputy(root, "national")
    # Stationing: current, ended, and future ones.
    for d in v1_deputies:
        Stationing.objects.create(deputy=d, position=o["station_t1"], start_on=dt.date(2020, 1, 1))
    Stationing.objects.create(deputy=v1_deputies[0], position=o["office_v1"], start_on=dt.date(2021, 1, 1))  # twice: one person
    Stationing.objects.create(deputy=v3_deputies[0], position=o["station_t3"], start_on=dt.date(2019, 1, 1), end_on=dt.date(2020, 1, 1))
    Stationing.objects.create(deputy=provincial, position=o["home_pref"], start_on=dt.date(2019, 1, 1))
    # Activities: reception days with scheduled deputies and sign-ins, other kinds, a cancelled one.
    event(o["station_t1"], at(2019, 6, 1), scheduled=v1_deputies, signed=v1_deputies[:2], received=12)
    event(o["station_t1"], at(2024, 3, 1), scheduled=v1_deputies[:2], signed=v1_deputies[:2] + [provincial], received=7 + variant)
    event(o["home_c1"], at(2024, 3, 9), kind="visit", signed=v1_deputies[:1])
    event(o["home_pref"], at(2025, 1, 9), kind="training", signed=[provincial])
    event(o["station_t3"], at(2025, 2, 9), status="cancelled", scheduled=v3_deputies[:1])
    for i in range(variant):
        event(o["office_v1"], at(2025, 2, 10 + i), kind="survey", received=3)
    if variant:
        o["station_t2_new"] = position(t2, "station", "open", dt.date(2024, 4, 1))
        position(c2, "online", "open", dt.date(2024, 4, 2))
    # Opinions in several months, one before 2019 (outside "since 2019").
    old = opinion(o["station_t1"], at(2018, 12, 31, 23), channel="box", category="transport", status="closed")
    refer(old, at(2019, 1, 2), dt.date(2019, 1, 20))
    r = reply(old, at(2019, 1, 10), "A", dt.date(2019, 1, 20))  # on time
    rate(r, "citizen", "satisfied", at(2019, 1, 11))
    first = opinion(o["station_t1"], at(2019, 1, 1, 0), channel="reception", category="transport", status="replied")
    refer(first, at(2019, 1, 2), dt.date(2019, 1, 20))
    r1 = reply(first, at(2019, 2, 10), "B", dt.date(2019, 1, 20))  # late
    rate(r1, "citizen", "dissatisfied", at(2019, 2, 11))
    rate(r1, "deputy", "basically", at(2019, 2, 11), provincial)
    r2 = reply(first, at(2019, 3, 10), "A", dt.date(2019, 4, 1), round=2)  # re-handled: latest outcome A
    rate(r2, "citizen", "satisfied", at(2019, 3, 11))  # latest rating counts
    overdue = opinion(o["station_t1"], at(2024, 3, 3), channel="deputy", category="environment", status="referred", due_on=dt.date(2024, 3, 25))
    refer(overdue, at(2024, 3, 4), dt.date(2024, 3, 25))
    opinion(o["office_v1"], at(2024, 3, 31, 23), channel="online", status="registered")
    closed = opinion(o["office_v1"], at(2024, 4, 1, 1), channel="online", category="education_culture_health", status="closed")
    r = reply(closed, at(2024, 4, 5), "D", None)  # an explanation, no deadline
    rate(r, "deputy", "satisfied", at(2024, 4, 6), provincial)
    converted = opinion(o["home_pref"], at(2025, 1, 10), channel="observer", category="transport", status="converted",
                        due_on=dt.date.today().replace(year=dt.date.today().year + 2))  # never due while tests run
    converted.suggestion = Suggestion.objects.create(number=f"S{next(_seq)}", title="建议", content="内容", level="prefecture",
                                                     lead_deputy=provincial, filed_at=at(2025, 1, 12))
    converted.save()
    for i in range(variant * 2):
        x = opinion(o["station_t3"], at(2025, 2, 1 + i), channel="reception", category="agriculture", status="replied")
        refer(x, at(2025, 2, 2 + i), dt.date(2025, 2, 20))
        reply(x, at(2025, 2, 10), "A", dt.date(2025, 2, 20))
    # A copy received from another prefecture: counted where it was registered, not here.
    opinion(o["station_t1"], at(2024, 5, 5), channel="online", origin_schema="elsewhere")
    return o
