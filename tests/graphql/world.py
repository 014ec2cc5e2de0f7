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


def bulk_world(schema: str, stations: int, deputies_per_station: int = 2, opinions_per_station: int = 0,
               events_per_station: int = 0) -> World:
    """The same shape as build_world, written with bulk_create (for the query-count tests,
    which need hundreds of rows fast; the services are exercised by build_world)."""
    from liaison.platform.province.models import Category
    from liaison.tenants.activities.models import Event, ScheduledDeputy
    from liaison.tenants.deputies.models import Deputy, Stationing
    from liaison.tenants.opinions.models import HandlingUnit, Opinion, Referral, Transition, new_tracking_code
    from liaison.tenants.positions.models import Position, Staff, StandardCheck, StandardItem

    with schema_context(schema):
        county = Division.objects.filter(level="county").order_by("code").first()
        w = World(schema=schema, county=county)
        today = timezone.localdate()
        start = today - dt.timedelta(days=30)
        position_services.ensure_checklist()
        item = StandardItem.objects.order_by("order").first()
        w.home = Position.objects.create(code=f"{schema}-BH", name=f"{county.name}代表之家", tier="home", division=county,
                                         status="open", status_since=start)
        townships = [Division(code=f"{county.code}{i:04d}", name=f"批量{i}镇", level="township", parent=county,
                              path=f"{county.path}/{county.code}{i:04d}") for i in range(stations)]
        w.townships = Division.objects.bulk_create(townships)
        w.stations = Position.objects.bulk_create([
            Position(code=f"{schema}-B{i:04d}", name=f"批量{i}镇代表工作站", tier="station", division=t, parent=w.home,
                     status="open", status_since=start, address=f"批量{i}镇") for i, t in enumerate(w.townships)])
        Staff.objects.bulk_create([Staff(position=p, role="head", name=f"站长{i}", phone="13812341234", start_on=start)
                                   for i, p in enumerate(w.stations)])
        StandardCheck.objects.bulk_create([StandardCheck(position=p, item=item, met=True, evidence_note="有", checked_on=start)
                                           for p in w.stations])
        w.deputies = Deputy.objects.bulk_create([
            Deputy(roll_number=f"{schema}-BD{i:04d}{j:02d}", name=f"批量代表{i}-{j}", level="township", constituency=t,
                   phone="13900001111", id_number="530102199001011234") for i, t in enumerate(w.townships) for j in range(deputies_per_station)])
        Stationing.objects.bulk_create([Stationing(deputy=d, position=w.stations[k // deputies_per_station], start_on=start)
                                        for k, d in enumerate(w.deputies)])
        if opinions_per_station:
            unit = HandlingUnit.objects.create(name=f"{county.name}批量住建局", kind="county_department", level="county",
                                               division=county)
            w.units.append(unit)
            category = Category.objects.get(code="urban_rural")
            now = timezone.now() - dt.timedelta(days=2)
            ops = Opinion.objects.bulk_create([
                Opinion(tracking_code=new_tracking_code(), channel="reception", position=p, division=p.division,
                        deputy=w.deputies[i * deputies_per_station], citizen_name="张三丰", citizen_phone="13812345678",
                        title=f"意见{i}-{k}", content="路灯损坏", category=category, jurisdiction_level="county",
                        status="referred", registered_at=now, handling_unit=unit, due_on=today + dt.timedelta(days=10),
                        referred_at=now)
                for i, p in enumerate(w.stations) for k in range(opinions_per_station)])
            Referral.objects.bulk_create([Referral(opinion=o, unit=unit, referred_at=now, due_on=o.due_on, original_due_on=o.due_on)
                                          for o in ops])
            Transition.objects.bulk_create([Transition(opinion=o, action=a, from_status=f, to_status=t, actor_kind="system",
                                                       actor_label="系统", at=now)
                                            for o in ops for a, f, t in (("register", "", "registered"),
                                                                         ("triage", "registered", "triaged"),
                                                                         ("refer", "triaged", "referred"))])
            w.opinions = ops
        if events_per_station:
            begin = timezone.now() + dt.timedelta(days=5)
            events = Event.objects.bulk_create([
                Event(position=p, kind="reception_day", title=f"接待日{i}-{k}", starts_at=begin + dt.timedelta(days=k),
                      ends_at=begin + dt.timedelta(days=k, hours=3)) for i, p in enumerate(w.stations) for k in range(events_per_station)])
            by_station = {}
            for k, d in enumerate(w.deputies):
                by_station.setdefault(k // deputies_per_station, []).append(d)
            ScheduledDeputy.objects.bulk_create([
                ScheduledDeputy(event=e, deputy=d) for n, e in enumerate(events) for d in by_station[n // events_per_station]])
        return w
