"""Test data for the GraphQL tests, built through the domain services (not the API):
a county home, `stations` township stations each with stationed deputies, a head of
station, checklist checks and opinions referred to a handling unit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.divisions.models import Division
from liaison.tenants.positions import services as position_services


@dataclass
class World:
    schema: str
    county: Division
    townships: list = field(default_factory=list)
    home: object = None
    stations: list = field(default_factory=list)
    deputies: list = field(default_factory=list)
    opinions: list = field(default_factory=list)
    units: list = field(default_factory=list)


def build_world(schema: str, stations: int = 2, deputies_per_station: int = 3, opinions_per_station: int = 0,
                referrals: bool = True, tag: str = "") -> World:
    with schema_context(schema):
        county = Division.objects.filter(level="county").order_by("code").first()
        w = World(schema=schema, county=county)
        start = timezone.localdate() - dt.timedelta(days=30)
        w.home = position_services.create_position(code=f"{schema}-{tag}H", name=f"{county.name}{tag}代表之家", tier="home",
                                                   division=county, address=f"{county.name}人民路1号", status="open",
                                                   status_on=start)
        position_services.ensure_checklist()
        unit = None
        if opinions_per_station:
            unit = _unit(county, tag)
            w.units.append(unit)
        for i in range(stations):
            township = Division.objects.create(code=f"{county.code}{tag}{i:03d}"[:20], name=f"{tag}测试{i}镇", level="township",
                                               parent=county)
            w.townships.append(township)
            station = position_services.create_position(
                code=f"{schema}-{tag}S{i:03d}", name=f"{tag}测试{i}镇代表工作站", tier="station", division=township,
                parent=w.home, address=f"测试{i}镇政府院内", opening_hours="周一至周五 9:00-17:00", status="open",
                status_on=start)
            w.stations.append(station)
            position_services.add_staff(station, role="head", name=f"王站长{i}", phone="13812341234", start_on=start)
            position_services.record_check(station, "fixed_premises" if _has_item("fixed_premises") else _first_item(),
                                           met=True, evidence_note="有固定场所", checked_on=start)
            for j in range(deputies_per_station):
                deputy = deputy_services.create_deputy(roll_number=f"{schema}-{tag}D{i:03d}{j:02d}", name=f"李{tag}代表{i}{j}",
                                                       level="township", constituency=township, phone="13900001111",
                                                       id_number="530102199001011234")
                deputy_services.station_deputy(deputy, station, start_on=start)
                w.deputies.append(deputy)
            for k in range(opinions_per_station):
                w.opinions.append(_opinion(station, unit, k, referrals))
        return w


def _has_item(code: str) -> bool:
    from liaison.tenants.positions.models import StandardItem

    return StandardItem.objects.filter(code=code, active=True).exists()


def _first_item() -> str:
    from liaison.tenants.positions.models import StandardItem

    return StandardItem.objects.filter(active=True).order_by("order").first().code


def _unit(county: Division, tag: str):
    from liaison.tenants.opinions.models import HandlingUnit

    return HandlingUnit.objects.create(name=f"{county.name}{tag}住建局", kind="county_department", level="county", division=county)


def _opinion(station, unit, k: int, referral: bool):
    from liaison.tenants.opinions import services as opinion_services

    op = opinion_services.register(channel="reception", position=station, citizen_name="张三丰", citizen_phone="13812345678",
                                   title=f"路灯损坏{k}", content=f"{station.name}附近路灯损坏，请修复（{k}）。")
    if referral:
        opinion_services.triage(op, category="urban_rural", jurisdiction_level="county")
        opinion_services.refer(op, unit=unit)
        op.refresh_from_db()
    return op
