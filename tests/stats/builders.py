"""Small, hand-made statistics data in a prefecture's schema (call inside schema_context)."""
from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from liaison.platform.province.models import Category
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import Opinion
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
            status: str = "registered", div: Division | None = None) -> Opinion:
    n = next(_seq)
    return Opinion.objects.create(
        tracking_code=f"T{n:07d}", channel=channel, position=pos, division=div or pos.division, title=f"意见{n}",
        content="内容", category=Category.objects.get(code=category) if category else None, status=status, registered_at=when)


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
    for _ in range(3):
        deputy(v1, "township")
    for _ in range(3 + variant):
        deputy(v3, "county")
    deputy(v2, "township")
    deputy(v2, "county")
    deputy(v2, "township", active=False)
    deputy(root, "provincial")
    deputy(root, "national")
    if variant:
        o["station_t2_new"] = position(t2, "station", "open", dt.date(2024, 4, 1))
        position(c2, "online", "open", dt.date(2024, 4, 2))
    # Opinions in several months, one before 2019 (outside "since 2019").
    opinion(o["station_t1"], at(2018, 12, 31, 23), channel="box", category="transport", status="closed")
    opinion(o["station_t1"], at(2019, 1, 1, 0), channel="reception", category="transport", status="replied")
    opinion(o["station_t1"], at(2024, 3, 3), channel="deputy", category="environment", status="referred")
    opinion(o["office_v1"], at(2024, 3, 31, 23), channel="online", status="registered")
    opinion(o["office_v1"], at(2024, 4, 1, 1), channel="online", category="education_culture_health", status="closed")
    opinion(o["home_pref"], at(2025, 1, 10), channel="observer", category="transport", status="triaged")
    for i in range(variant * 2):
        opinion(o["station_t3"], at(2025, 2, 1 + i), channel="reception", category="agriculture", status="replied")
    return o
