"""A small prefecture for the practices: a township with a station, a village with an
office, the county's home, an online position, deputies stationed, a handling unit."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from liaison.tenants.activities.models import Event, ScheduledDeputy, SignIn
from liaison.tenants.deputies.models import Deputy, Stationing
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import HandlingUnit
from liaison.tenants.positions.models import Position, Staff

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def build(prefecture_code: str) -> SimpleNamespace:
    root = Division.objects.get(code=prefecture_code)
    county = Division.objects.filter(parent=root, level="county").order_by("code").first()
    township = Division.objects.create(code=f"{county.code}901", name="实践镇", level="township", parent=county)
    township2 = Division.objects.create(code=f"{county.code}902", name="邻镇", level="township", parent=county)
    village = Division.objects.create(code=f"{township.code}001", name="实践村", level="village", parent=township)
    o = SimpleNamespace(root=root, county=county, township=township, township2=township2, village=village)
    o.home = Position.objects.create(code=f"H{county.code}", name="县代表之家", tier="home", status="open", division=county)
    o.station = Position.objects.create(code=f"S{township.code}", name="实践镇代表工作站", tier="station", status="open", division=township)
    o.station2 = Position.objects.create(code=f"S{township2.code}", name="邻镇代表工作站", tier="station", status="open", division=township2)
    o.office = Position.objects.create(code=f"O{village.code}", name="实践村代表联络室", tier="office", status="open", division=village)
    o.online = Position.objects.create(code=f"W{township.code}", name="网上工作站", tier="online", status="open", division=township)
    o.deputies = [Deputy.objects.create(roll_number=f"{prefecture_code}-{i}", name=f"代表{i}", level="township", constituency=village)
                  for i in range(1, 5)]
    o.other = Deputy.objects.create(roll_number=f"{prefecture_code}-9", name="邻镇代表", level="township", constituency=township2)
    for d in o.deputies[:3]:
        Stationing.objects.create(deputy=d, position=o.station, start_on=dt.date(2020, 1, 1))
    Stationing.objects.create(deputy=o.deputies[3], position=o.office, start_on=dt.date(2020, 1, 1))
    Stationing.objects.create(deputy=o.other, position=o.station2, start_on=dt.date(2020, 1, 1))
    o.head = Staff.objects.create(position=o.station, role="head", name="站长甲", start_on=dt.date(2020, 1, 1))
    o.unit = HandlingUnit.objects.create(name="实践镇人民政府", kind="township_government", level="township", division=township)
    return o


def event(position, when, *, kind="reception_day", scheduled=(), signed=()):
    ev = Event.objects.create(position=position, kind=kind, title="活动", starts_at=when, ends_at=when + dt.timedelta(hours=2), status="held")
    for d in scheduled:
        ScheduledDeputy.objects.create(event=ev, deputy=d)
    for d in signed:
        SignIn.objects.create(event=ev, deputy=d, signed_at=when)
    return ev


@pytest.fixture
def km(in_kunming):
    return build("530100")


@pytest.fixture
def qj_schema(qujing):
    """Run a block inside qujing: `with qj_schema(): …`."""
    return lambda: schema_context("qujing")
