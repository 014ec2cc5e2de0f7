"""A small world inside a prefecture for the opinion loop: a county, a township, a
station, a deputy, handling units at each level (with supervising committees)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone

from liaison.platform.province.models import Category
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import services
from liaison.tenants.opinions.models import HandlingUnit
from liaison.tenants.positions.models import Position

STAFF = services.Actor(kind="user", id=1, label="站长王某")
APPROVER = services.Actor(kind="user", id=2, label="县人大常委会李主任")


def at(day: str, hour: int = 10) -> dt.datetime:
    """Aware datetime in Asia/Shanghai for 'YYYY-MM-DD'."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@dataclass
class World:
    schema: str
    root: Division
    county: Division
    township: Division
    station: Position
    deputy: Deputy
    other_deputy: Deputy
    township_gov: HandlingUnit
    county_transport: HandlingUnit
    county_committee: HandlingUnit
    prefecture_committee: HandlingUnit
    prefecture_transport: HandlingUnit

    def register(self, **kw):
        defaults = dict(channel="reception", position=self.station, citizen_name="张三丰", citizen_phone="13812345678",
                        title="村道路灯损坏", content="幸福村主干道路灯损坏三个月，夜间出行不便，希望尽快修复。",
                        registered_at=at("2026-09-28", 9), actor=STAFF)
        defaults.update(kw)
        return services.register(**defaults)


def build_world(prefix: str) -> World:
    schema = connection.schema_name
    root = Division.objects.get(level="prefecture")
    county = Division.objects.filter(level="county").order_by("code").first()
    township = Division.objects.create(code=f"{county.code}901", name=f"{prefix}测试镇", level="township", parent=county)
    village = Division.objects.create(code=f"{county.code}901001", name=f"{prefix}幸福村", level="village", parent=township)
    station = Position.objects.create(code=f"{schema}-ST-1", name=f"{prefix}测试镇代表工作站", tier="station", division=township, status="open")
    deputy = Deputy.objects.create(roll_number=f"{schema}-D1", name=f"{prefix}代表甲", level="county", constituency=township, phone="13900000001")
    other = Deputy.objects.create(roll_number=f"{schema}-D2", name=f"{prefix}代表乙", level="county", constituency=village)
    transport = Category.objects.get(code="transport")
    urban = Category.objects.get(code="urban_rural")

    def unit(name, kind, level, division, cats=(), supervises=False):
        u = HandlingUnit.objects.create(name=name, kind=kind, level=level, division=division, supervises=supervises)
        u.categories.set(cats)
        return u

    return World(
        schema=schema, root=root, county=county, township=township, station=station, deputy=deputy, other_deputy=other,
        township_gov=unit(f"{prefix}测试镇人民政府", "township_government", "township", township, [urban]),
        county_transport=unit(f"{county.name}交通运输局", "county_department", "county", county, [transport]),
        county_committee=unit(f"{county.name}人大常委会代表工委", "county_standing_committee", "county", county, supervises=True),
        prefecture_committee=unit(f"{root.name}人大常委会代表工委", "prefecture_standing_committee", "prefecture", root, supervises=True),
        prefecture_transport=unit(f"{root.name}交通运输局", "prefecture_department", "prefecture", root, [transport]),
    )


@pytest.fixture
def km(in_kunming) -> World:
    return build_world("昆明")


@pytest.fixture
def qj(qujing, kunming) -> World:
    from django_tenants.utils import schema_context

    with schema_context("qujing"):
        world = build_world("曲靖")
    return world
