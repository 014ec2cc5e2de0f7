"""Positions: the 家、站、室 hierarchy, status lifecycle, standards checklist, QR codes, staff."""
from __future__ import annotations

import datetime as dt

import pytest

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.positions import selectors, services
from liaison.tenants.positions.models import Position, PositionStatusChange, StandardCheck, StandardItem

pytestmark = pytest.mark.django_db


def fields(exc) -> dict:
    return {e.field: e.code for e in exc.value.errors}


def build_hierarchy(tree):
    since = dt.date(2023, 1, 1)
    home = services.create_position(code="H-A", name="甲县代表之家", tier="home", division=tree.county_a, status_on=since)
    station = services.create_position(code="S-1", name="甲镇代表工作站", tier="station", division=tree.t1, parent=home, status_on=since)
    office = services.create_position(code="O-1", name="一村代表联络室", tier="office", division=tree.v1, parent=station, status_on=since)
    return home, station, office


def test_a_prefecture_builds_homes_stations_and_offices_along_the_division_tree(tree):
    home, station, office = build_hierarchy(tree)
    pref_home = services.create_position(code="H-P", name="州市代表之家", tier="home", division=tree.root)
    services.update_position(home, parent=pref_home)
    station.refresh_from_db()
    assert office.parent == station and station.parent.parent == pref_home
    assert {p.code for p in selectors.positions(division=tree.county_a)} == {"H-A", "S-1", "O-1"}
    assert station.status == "planned" and station.status_history.count() == 1


@pytest.mark.parametrize("tier, where, field", [
    ("station", "v1", "division"),       # a station sits at a township, not a village
    ("station", "county_a", "division"),
    ("office", "t1", "division"),        # an office sits at a village/community
    ("home", "t1", "division"),          # a home at county or prefecture
])
def test_tier_must_sit_at_its_division_level(tree, tier, where, field):
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="X", name="错位阵地", tier=tier, division=getattr(tree, where))
    assert fields(exc) == {field: "hierarchy"}
    assert not Position.objects.filter(code="X").exists()


def test_parent_chain_must_agree_with_the_division_tree(tree):
    home, station, office = build_hierarchy(tree)
    other_home = services.create_position(code="H-B", name="乙县代表之家", tier="home", division=tree.county_b)
    # a station of county A's township under county B's home
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="S-2", name="乙街道站", tier="station", division=tree.t2, parent=other_home)
    assert fields(exc) == {"parent": "hierarchy"}
    # an office whose parent is a station of another township
    station3 = services.create_position(code="S-3", name="丙乡站", tier="station", division=tree.t3, parent=other_home)
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="O-2", name="二社区联络室", tier="office", division=tree.v2, parent=station3)
    assert fields(exc) == {"parent": "hierarchy"}
    # an office directly under a home skips the station tier
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="O-3", name="二社区联络室", tier="office", division=tree.v2, parent=home)
    assert fields(exc) == {"parent": "hierarchy"}
    # moving a station away would orphan its office: refused, nothing changed
    with pytest.raises(ServiceError) as exc:
        services.update_position(station, division=tree.t2)
    assert "division" in fields(exc)
    station.refresh_from_db()
    assert station.division == tree.t1


def test_unknown_ids_from_another_prefecture_are_refused(tree, qujing):
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="S-9", name="站", tier="station", division=999999, parent=888888)
    assert fields(exc) == {"division": "not_found", "parent": "not_found"}


def test_online_professional_and_special_positions(tree):
    home, station, office = build_hierarchy(tree)
    online = services.create_position(code="N-1", name="甲镇网上代表工作站", tier="online", division=tree.t1, counterpart=station,
                                      online_url="https://example.cn/s1")
    free = services.create_position(code="N-2", name="州网上代表之家", tier="online", division=tree.root)
    assert online.counterpart == station and free.counterpart is None
    with pytest.raises(ServiceError) as exc:  # a second online counterpart for the same station
        services.create_position(code="N-3", name="重复", tier="online", division=tree.t1, counterpart=station)
    assert fields(exc) == {"counterpart": "duplicate"}
    with pytest.raises(ServiceError) as exc:  # must sit where its counterpart is
        services.create_position(code="N-4", name="错位", tier="online", division=tree.v1, counterpart=home)
    assert fields(exc) == {"counterpart": "hierarchy"}
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="P-1", name="旅游专业站", tier="professional", division=tree.county_a, parent=home)
    assert fields(exc) == {"field": "required"}
    services.create_position(code="P-1", name="旅游专业站", tier="professional", field="旅游", division=tree.county_a, parent=home)
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="SP-1", name="校园站", tier="special", division=tree.t1)
    assert fields(exc) == {"special_kind": "required"}
    services.create_position(code="SP-1", name="大学城校园站", tier="special", special_kind="campus", division=tree.t1, parent=station)
    with pytest.raises(ServiceError) as exc:
        services.create_position(code="S-X", name="站", tier="station", division=tree.t2, field="旅游", special_kind="campus")
    assert fields(exc) == {"field": "invalid", "special_kind": "invalid"}


def test_qr_codes_point_at_the_online_counterpart(tree):
    home, station, office = build_hierarchy(tree)
    services.create_position(code="N-1", name="网上站", tier="online", division=tree.t1, counterpart=station,
                             online_url="https://wx.example.cn/station/S-1")
    station.refresh_from_db()
    assert selectors.public_url(station) == "https://wx.example.cn/station/S-1"
    png = selectors.qr_png(station)
    svg = selectors.qr_svg(station)
    assert png.startswith(b"\x89PNG") and len(png) > 200
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "网上" not in svg[:0]
    import segno

    assert segno.make("https://wx.example.cn/station/S-1", error="m").designator == segno.make(selectors.public_url(station), error="m").designator
    assert selectors.public_url(office) == "http://kunming.localhost:8000/p/O-1/"


def test_status_lifecycle_with_dates_and_history(tree):
    home, station, office = build_hierarchy(tree)
    services.change_status(station, "building", on=dt.date(2024, 3, 1))
    services.change_status(station, "open", on=dt.date(2024, 6, 1), note="揭牌")
    station.refresh_from_db()
    assert station.status == "open" and station.status_since == dt.date(2024, 6, 1) and station.established_on == dt.date(2024, 6, 1)
    with pytest.raises(ServiceError) as exc:
        services.change_status(station, "standard")
    assert fields(exc) == {"to_status": "derived"}
    with pytest.raises(ServiceError) as exc:
        services.change_status(station, "building", on=dt.date(2024, 7, 1))
    assert fields(exc) == {"to_status": "invalid_transition"}
    with pytest.raises(ServiceError) as exc:
        services.change_status(station, "closed", on=dt.date(2024, 5, 1))
    assert fields(exc) == {"on": "out_of_order"}
    with pytest.raises(ServiceError) as exc:
        services.change_status(station, "closed", on=dt.date.today() + dt.timedelta(days=3))
    assert fields(exc) == {"on": "in_future"}
    history = list(PositionStatusChange.objects.filter(position=station).values_list("to_status", "changed_on"))
    assert history[1:] == [("building", dt.date(2024, 3, 1)), ("open", dt.date(2024, 6, 1))]


def test_meets_standard_is_derived_from_the_checklist_and_stationed_deputies(tree, make_deputy):
    from liaison.tenants.deputies.services import end_stationing, station_deputy

    home, station, office = build_hierarchy(tree)
    services.change_status(office, "open", on=dt.date(2024, 1, 10))
    items = selectors.checklist()
    assert [i.name for i in items] == ["有固定场所", "有统一标识", "有公示栏", "有制度上墙", "有台账资料", "有设施设备", "有工作人员"]
    for item in items[:-1]:
        services.record_check(office, item.code, met=True, evidence_note="现场核查", checked_on=dt.date(2024, 2, 1))
    office.refresh_from_db()
    assert office.status == "open"
    assert selectors.standard_assessment(office).missing == ["有工作人员"]
    with pytest.raises(ServiceError) as exc:  # met without evidence
        services.record_check(office, "staff", met=True)
    assert fields(exc) == {"evidence_note": "required"}
    services.record_check(office, "staff", met=True, evidence_note="联络员2名", checked_on=dt.date(2024, 2, 2))
    office.refresh_from_db()
    assert office.status == "standard" and office.status_history.filter(derived=True, to_status="standard").exists()
    # an item found unmet later takes the standard away again
    services.record_check(office, "notice_board", met=False, evidence_note="公示栏损坏", checked_on=dt.date(2024, 5, 1))
    office.refresh_from_db()
    assert office.status == "open"

    # a station also needs at least 3 stationed deputies
    services.change_status(station, "open", on=dt.date(2024, 1, 10))
    for item in items:
        services.record_check(station, item.code, met=True, evidence_note="合格", checked_on=dt.date(2024, 2, 1))
    station.refresh_from_db()
    assert station.status == "open"
    assert [row["stationed_deputies"] for row in selectors.stations_below_deputy_minimum()] == [0]
    stationings = [station_deputy(make_deputy(tree.t1), station, start_on=dt.date(2024, 1, 1)) for _ in range(3)]
    station.refresh_from_db()
    assert station.status == "standard" and selectors.stations_below_deputy_minimum() == []
    end_stationing(stationings[0], end_on=dt.date.today())
    station.refresh_from_db()
    assert station.status == "standard"  # still stationed today
    end_stationing(stationings[1], end_on=dt.date.today() - dt.timedelta(days=1))
    station.refresh_from_db()
    assert station.status == "open"


def test_prefecture_edits_its_own_checklist(tree, qujing):
    from django_tenants.utils import schema_context

    home, station, office = build_hierarchy(tree)
    services.change_status(office, "open", on=dt.date(2024, 1, 10))
    for item in selectors.checklist():
        services.record_check(office, item.code, met=True, evidence_note="ok", checked_on=dt.date(2024, 2, 1))
    office.refresh_from_db()
    assert office.status == "standard"
    services.save_checklist_item(code="digital", name="有网上阵地", order=8)
    office.refresh_from_db()
    assert office.status == "open" and selectors.standard_assessment(office).missing == ["有网上阵地"]
    services.save_checklist_item(code="digital", name="有网上阵地", order=8, active=False)
    office.refresh_from_db()
    assert office.status == "standard"
    with schema_context("qujing"):
        assert [i.code for i in selectors.checklist()][-1] == "staff"  # qujing keeps the province template
        assert not StandardItem.objects.filter(code="digital").exists()


def test_staff_by_role(tree):
    home, station, office = build_hierarchy(tree)
    head = services.add_staff(station, role="head", name="李站长", start_on=dt.date(2024, 1, 1))
    services.add_staff(station, role="liaison", name="王联络员")
    services.add_staff(station, role="observer", name="赵观察员")
    with pytest.raises(ServiceError) as exc:
        services.add_staff(station, role="head", name="第二个站长")
    assert fields(exc) == {"role": "duplicate"}
    with pytest.raises(ServiceError) as exc:
        services.add_staff(station, role="boss", name="", start_on=dt.date(2024, 2, 1), end_on=dt.date(2024, 1, 1))
    assert fields(exc) == {"role": "invalid", "name": "required", "end_on": "out_of_order"}
    services.end_staff(head, end_on=dt.date(2024, 12, 31))
    services.add_staff(station, role="head", name="新站长", start_on=dt.date(2025, 1, 1))
    assert sorted(station.staff.values_list("role", flat=True)) == ["head", "head", "liaison", "observer"]


def test_checks_and_positions_are_invisible_from_another_prefecture(tree, qujing):
    from django_tenants.utils import schema_context

    home, station, office = build_hierarchy(tree)
    services.record_check(office, "staff", met=False)
    with schema_context("qujing"):
        assert not Position.objects.exists()
        assert not StandardCheck.objects.exists()
        with pytest.raises(ServiceError) as exc:
            services.change_status(station.pk, "building")
        assert fields(exc) == {"position": "not_found"}
        with pytest.raises(ServiceError) as exc:
            services.record_check(office.pk, "staff", met=False)
        assert fields(exc) == {"position": "not_found"}
