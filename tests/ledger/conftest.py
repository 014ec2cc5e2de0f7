"""A small but complete kunming ledger, built through the owning apps' services.

Divisions below one county, a home/station/office chain with an online counterpart,
deputies (one provincial, with a province-wide identity) stationed at the station, a
handling unit, and opinions at every stage of the loop (registered, referred, closed
after a rating, explained).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from liaison.tenants.deputies import services as deputies
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import services as opinions
from liaison.tenants.opinions.models import HandlingUnit, Opinion, UnitKind, UnitLevel
from liaison.tenants.positions import services as positions

AGO = dt.timedelta(days=40)


@dataclass
class Ledger:
    county: Division
    township: Division
    village: Division
    home: object
    station: object
    office: object
    online: object
    deputies: list
    unit: HandlingUnit
    opinions: dict


def build_ledger() -> Ledger:
    root = Division.objects.get(level="prefecture")
    county = Division.objects.filter(parent=root).order_by("code").first()
    township = Division.objects.create(code=f"{county.code}901", name="测试街道", level="township", parent=county)
    village = Division.objects.create(code=f"{township.code}001", name="测试社区", level="village", parent=township, is_community=True)
    start = timezone.localdate() - AGO
    home = positions.create_position(code="T-J-001", name=f"{county.name}人大代表之家", tier="home", division=county,
                                     status="open", status_on=start, address="测试路 1 号")
    station = positions.create_position(code="T-Z-001", name="测试街道人大代表工作站", tier="station", division=township,
                                        parent=home, status="open", status_on=start, latitude="25.040609",
                                        longitude="102.712251", opening_hours="每周三 9:00-17:00")
    office = positions.create_position(code="T-S-001", name="测试社区人大代表联络室", tier="office", division=village,
                                       parent=station, status="building", status_on=start)
    online = positions.create_position(code="T-W-001", name="测试街道网上代表工作站", tier="online", division=township,
                                       counterpart=station, online_url="https://example.org/t")
    people = [
        deputies.create_deputy(roll_number=f"T-{i:03d}", name=name, level="county", constituency=village, gender="女" if i % 2 else "男",
                               ethnicity="彝族", occupation="测试社区居委会", phone=f"1388765432{i}", id_number="")
        for i, name in enumerate(["张丽", "王强", "李娜"], start=1)
    ]
    people.append(deputies.create_deputy(roll_number="T-P-001", name="赵省", level="provincial", constituency=county,
                                         phone="13800001111", id_number="11010519491231002X"))
    for d in people:
        deputies.station_deputy(d, station, start_on=start)
    unit = HandlingUnit.objects.create(name=f"{county.name}住房和城乡建设局", kind=UnitKind.COUNTY_DEPARTMENT, level=UnitLevel.COUNTY,
                                       division=county)
    t0 = timezone.now() - dt.timedelta(days=20)
    ops = {}
    ops["registered"] = opinions.register(channel="reception", title="路灯损坏", content="测试路 3 号路灯损坏。", position=station,
                                          citizen_name="王某某", citizen_phone="13912345678", registered_at=t0,
                                          source_reference="PL-001")
    ops["referred"] = opinions.register(channel="deputy", title="停车难", content="小区停车难。", position=station, deputy=people[0],
                                        registered_at=t0 + dt.timedelta(hours=1), citizen_name="李某")
    opinions.triage(ops["referred"], category="urban_rural", jurisdiction_level="county", at=t0 + dt.timedelta(days=1))
    opinions.refer(ops["referred"], unit=unit, at=t0 + dt.timedelta(days=1, hours=1))
    ops["closed"] = opinions.register(channel="reception", title="垃圾清运", content="垃圾清运不及时。", position=office,
                                      citizen_name="陈某", citizen_phone="0871-63123456", registered_at=t0 + dt.timedelta(hours=2))
    opinions.triage(ops["closed"], category="environment", jurisdiction_level="county", at=t0 + dt.timedelta(days=1))
    opinions.refer(ops["closed"], unit=unit, at=t0 + dt.timedelta(days=1, hours=2))
    opinions.reply(ops["closed"], content="已增加清运频次。", outcome="A", at=t0 + dt.timedelta(days=5))
    opinions.deliver(ops["closed"], to_citizen=True, at=t0 + dt.timedelta(days=6))
    opinions.rate(tracking_code=Opinion.objects.get(pk=ops["closed"].pk).tracking_code, satisfaction="satisfied",
                  at=t0 + dt.timedelta(days=7))
    ops["explained"] = opinions.register(channel="online", title="诉讼咨询", content="咨询离婚诉讼。", position=station,
                                         registered_at=t0 + dt.timedelta(hours=3))
    opinions.reply(ops["explained"], content="已引导通过司法途径解决。", kind="explanation", at=t0 + dt.timedelta(days=2))
    for key in ops:
        ops[key] = Opinion.objects.get(pk=ops[key].pk)
    return Ledger(county, township, village, home, station, office, online, people, unit, ops)


@pytest.fixture
def ledger(in_kunming) -> Ledger:
    return build_ledger()


# --- people and keys ---------------------------------------------------------------------------

@pytest.fixture
def make_user(db):
    from liaison.platform.accounts.models import Membership, User

    counter = {"n": 0}

    def make(role: str, prefecture=None):
        counter["n"] += 1
        user = User.objects.create_user(username=f"ledger{counter['n']}_{role}", password="x", is_staff=True)
        Membership.objects.create(user=user, role=role, prefecture=prefecture)
        return user
    return make


@pytest.fixture
def make_key(db):
    from liaison.platform.accounts import api_keys

    def make(*prefectures, province=False, write=False, personal=False):
        return api_keys.create_key(name="ledger test client", prefectures=list(prefectures), province=province, can_write=write,
                                   personal_data=personal).secret
    return make


def write_csv(path, rows, encoding="utf-8"):
    import csv

    with open(path, "w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def write_xlsx(path, sheets: dict):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def read_xlsx(path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    out = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    return out
