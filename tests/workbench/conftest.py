"""A small world for the workbench: in Kunming, two stations (A and B) in one township,
a deputy stationed at A, handling units, and a user of every role; one Qujing admin.

Clients are signed in with force_login on the right host. (Until the shared browser
fixture lands, the Playwright tests start their own live server: browser_support.py.)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, Role, User
from liaison.platform.province.models import Category
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import services
from liaison.tenants.opinions.models import HandlingUnit
from liaison.tenants.positions.models import Position

STAFF = services.Actor(kind="user", id=None, label="测试工作人员")


@dataclass
class World:
    township: Division
    village: Division
    station_a: Position
    station_b: Position
    deputy: Deputy
    other_deputy: Deputy
    township_gov: HandlingUnit
    county_transport: HandlingUnit
    county_committee: HandlingUnit

    def register(self, position=None, **kw) -> "services.Opinion":
        defaults = dict(channel="reception", position=position or self.station_a, citizen_name="张三丰",
                        citizen_phone="13812345678", title="村道路灯损坏",
                        content="幸福村主干道路灯损坏三个月，夜间出行不便，希望尽快修复。", actor=STAFF)
        defaults.update(kw)
        return services.register(**defaults)


def build_world() -> World:
    county = Division.objects.filter(level="county").order_by("code").first()
    township = Division.objects.create(code=f"{county.code}801", name="工作台测试镇", level="township", parent=county)
    village = Division.objects.create(code=f"{county.code}801001", name="幸福村", level="village", parent=township)
    a = Position.objects.create(code="WB-ST-A", name="测试镇代表工作站", tier="station", division=township, status="open")
    b = Position.objects.create(code="WB-ST-B", name="邻镇代表工作站", tier="station", division=township, status="open")
    deputy = Deputy.objects.create(roll_number="WB-D1", name="李代表", level="county", constituency=township, phone="13900000001")
    other = Deputy.objects.create(roll_number="WB-D2", name="王代表", level="county", constituency=village)
    transport = Category.objects.get(code="transport")
    urban = Category.objects.get(code="urban_rural")

    def unit(name, kind, level, division, cats=(), supervises=False):
        u = HandlingUnit.objects.create(name=name, kind=kind, level=level, division=division, supervises=supervises)
        u.categories.set(cats)
        return u

    return World(
        township=township, village=village, station_a=a, station_b=b, deputy=deputy, other_deputy=other,
        township_gov=unit("工作台测试镇人民政府", "township_government", "township", township, [urban, transport]),
        county_transport=unit(f"{county.name}交通运输局", "county_department", "county", county, [transport]),
        county_committee=unit(f"{county.name}人大常委会代表工委", "county_standing_committee", "county", county, supervises=True),
    )


@pytest.fixture
def world(kunming, qujing) -> World:
    with schema_context("kunming"):
        return build_world()


def make_user(name: str, role: str, prefecture=None, position_ids=(), deputy_id=None) -> User:
    user = User(username=name, display_name=name)
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=role, prefecture=prefecture, position_ids=list(position_ids), deputy_id=deputy_id)
    return user


@pytest.fixture
def users(world, kunming, qujing) -> dict[str, User]:
    return {
        "admin": make_user("km-admin", Role.PREFECTURE_ADMIN, kunming),
        "staff_a": make_user("km-staff-a", Role.STATION_STAFF, kunming, [world.station_a.pk]),
        "staff_b": make_user("km-staff-b", Role.STATION_STAFF, kunming, [world.station_b.pk]),
        "deputy": make_user("km-deputy", Role.DEPUTY, kunming, deputy_id=world.deputy.pk),
        "province": make_user("province-monitor", Role.PROVINCE_MONITOR),
        "qujing_admin": make_user("qj-admin", Role.PREFECTURE_ADMIN, qujing),
    }


def client_for(user: User | None, host: str = "kunming.localhost") -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clients(users) -> dict[str, Client]:
    return {name: client_for(user) for name, user in users.items()}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Form tokens live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def in_kunming():
    return schema_context("kunming")
