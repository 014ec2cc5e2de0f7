"""A station with a stationed deputy in kunming, built through the domain services, and
fresh rate-limit counters for each test."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.divisions.models import Division
from liaison.tenants.positions import services as position_services


@dataclass
class Station:
    code: str
    name: str
    roll_number: str
    deputy_name: str


def make_station(schema: str, tag: str = "") -> Station:
    with schema_context(schema):
        county = Division.objects.filter(level="county").order_by("code").first()
        township = Division.objects.create(code=f"{county.code}9{tag}01"[:20], name=f"{tag}网上测试镇", level="township",
                                           parent=county)
        start = timezone.localdate() - dt.timedelta(days=30)
        station = position_services.create_position(code=f"{schema}-WEB{tag}", name=f"{tag}网上测试镇代表工作站", tier="station",
                                                    division=township, address="镇政府一楼", status="open", status_on=start)
        deputy = deputy_services.create_deputy(roll_number=f"{schema}-WD{tag}", name=f"赵{tag}代表", level="township",
                                               constituency=township, phone="13900001111")
        deputy_services.station_deputy(deputy, station, start_on=start)
        return Station(station.code, station.name, deputy.roll_number, deputy.name)


@pytest.fixture
def km_station(kunming) -> Station:
    return make_station("kunming")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    settings.LIAISON_CITIZEN_FORM_MIN_SECONDS = 0  # tests that check the fill time set it back
    cache.clear()
    yield
    cache.clear()


def form_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def opinion_form(client: Client, code: str) -> dict:
    page = client.get(f"/p/{code}/")
    assert page.status_code == 200
    return {"token": form_token(page.content.decode()), "title": "小区门口路灯坏了",
            "content": "晚上出行不便，请尽快修复。", "citizen_name": "张三丰", "citizen_phone": "13812345678", "category": ""}
