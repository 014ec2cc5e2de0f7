"""Search fixtures: a small set of Chinese opinions in kunming and qujing, and the
backends the contract tests run against (PostgreSQL always, Elasticsearch when
ELASTICSEARCH_URL is set)."""
from __future__ import annotations

import itertools
import os
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, Role, User
from liaison.platform.accounts.principal import Principal, principal_for_user
from liaison.platform.province.models import Category
from liaison.search.backends import use_backend
from liaison.search.backends.postgres import PostgresBackend
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.positions.models import Position

TZ = ZoneInfo("Asia/Shanghai")
BASE = datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
_codes = itertools.count(1)


def make_place(prefix: str, county_code: str) -> dict:
    """A township and a village under a seeded county, with a station and an office."""
    county = Division.objects.get(code=county_code)
    town = Division.objects.create(code=f"{county_code}901", name=f"{prefix}镇", level="township", parent=county)
    village = Division.objects.create(code=f"{county_code}901001", name=f"{prefix}村", level="village", parent=town)
    station = Position.objects.create(code=f"{county_code}-S1", name=f"{prefix}镇代表工作站", tier="station", division=town, status="open")
    office = Position.objects.create(code=f"{county_code}-O1", name=f"{prefix}村代表联络室", tier="office", division=village, status="open")
    return {"county": county, "town": town, "village": village, "station": station, "office": office}


def make_opinion(place: dict, title: str, content: str, *, category: str | None = "other", at="office", days: int = 0,
                 status: str = "registered", channel: str = "reception", citizen_name: str = "", citizen_phone: str = "") -> Opinion:
    position = place[at]
    return Opinion.objects.create(
        tracking_code=f"T{next(_codes):08d}", channel=channel, position=position, division=position.division,
        title=title, content=content, category=Category.objects.get(code=category) if category else None,
        status=status, registered_at=BASE + timedelta(days=days), citizen_name=citizen_name, citizen_phone=citizen_phone,
    )


KUNMING_OPINIONS = [
    # key, title, content, kwargs
    ("lamp", "请尽快安装路灯", "长水村主干道晚上没有路灯，群众出行不便，希望尽快安装路灯。", dict(category="urban_rural", days=1)),
    ("road", "道路坑洼需要修缮", "G213国道附近的乡村道路坑洼严重，影响出行安全。", dict(category="transport", days=2, at="station")),
    ("crossing", "学校门口交通拥堵", "学校门口的路口早晚高峰拥堵，建议增设红绿灯。", dict(category="transport", days=3, channel="online")),
    ("water", "农田灌溉用水紧张", "今年干旱少雨，村里的灌溉水渠年久失修，<请>修缮水渠。", dict(category="agriculture", days=4, status="replied")),
    ("canteen", "学校食堂卫生问题", "中心小学食堂卫生条件差，家长担心孩子健康。", dict(category="education_culture_health", days=5, at="station")),
    ("broken", "已安装的路灯不亮", "张三丰反映：去年村里安装了太阳能路灯，现在有一半不亮。回电13800001234。",
     dict(category="urban_rural", days=6, status="referred",
                                                        citizen_name="张三丰", citizen_phone="13800001234")),
]
QUJING_OPINIONS = [
    ("q_lamp", "路灯损坏无人维修", "麒麟区某街道的路灯损坏多日，请安装新的路灯。", dict(category="urban_rural", days=1)),
    ("q_road", "农村公路硬化", "村组公路还是土路，雨天泥泞难行。", dict(category="transport", days=2)),
]


@pytest.fixture
def world(db):
    """Opinions in kunming (under 五华区 530102) and qujing (under 麒麟区 530302)."""
    out = {"kunming": {}, "qujing": {}}
    with schema_context("kunming"):
        place = make_place("长水", "530102")
        out["kunming_place"] = place
        for key, title, content, kw in KUNMING_OPINIONS:
            out[key] = out["kunming"][key] = make_opinion(place, title, content, **kw)
    with schema_context("qujing"):
        place = make_place("麒麟", "530302")
        out["qujing_place"] = place
        for key, title, content, kw in QUJING_OPINIONS:
            out[key] = out["qujing"][key] = make_opinion(place, title, content, **kw)
    return out


def es_url() -> str:
    return os.environ.get("ELASTICSEARCH_URL", "").strip()


@pytest.fixture(params=["postgres", "elasticsearch"])
def backend(request, db):
    """Each contract test runs once per backend; Elasticsearch only against a live server."""
    if request.param == "postgres":
        with use_backend(PostgresBackend()) as b:
            yield b
        return
    if not es_url():
        pytest.skip("Elasticsearch contract run needs ELASTICSEARCH_URL (not set): not run")
    from liaison.search.backends.elastic import ElasticsearchBackend

    b = ElasticsearchBackend(es_url(), prefix=f"liaison-test-{uuid.uuid4().hex[:8]}", refresh=True)
    try:
        with use_backend(b):
            yield b
    finally:
        b.drop_all()


@pytest.fixture
def indexed(world, backend):
    """The world, indexed into the backend under test (through the reindex path)."""
    from liaison.search.indexing import reindex_schema

    reindex_schema("kunming")
    reindex_schema("qujing")
    return world


def user_with(username: str, role: str, prefecture_slug: str | None = None) -> User:
    from liaison.tenants.registry.models import Prefecture

    user = User.objects.create_user(username=username, password="x")
    pref = Prefecture.objects.get(slug=prefecture_slug) if prefecture_slug else None
    Membership.objects.create(user=user, prefecture=pref, role=role)
    return user


@pytest.fixture
def kunming_admin(db) -> Principal:
    return principal_for_user(user_with("km-admin", Role.PREFECTURE_ADMIN, "kunming"))


@pytest.fixture
def qujing_admin(db) -> Principal:
    return principal_for_user(user_with("qj-admin", Role.PREFECTURE_ADMIN, "qujing"))


@pytest.fixture
def province_monitor(db) -> Principal:
    return principal_for_user(user_with("prov-monitor", Role.PROVINCE_MONITOR))
