"""Deputies: five levels, province-wide identities counted once, stationing rules, public profile, 两个必建 coverage."""
from __future__ import annotations

import datetime as dt

import pytest
from django_tenants.utils import schema_context

from liaison.platform.roster.models import ProvinceDeputy
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies import selectors, services
from liaison.tenants.deputies.models import Deputy, Stationing
from liaison.tenants.positions import selectors as position_selectors
from liaison.tenants.positions import services as position_services

from .conftest import make_tree

pytestmark = pytest.mark.django_db
D = dt.date


def fields(exc) -> dict:
    return {e.field: e.code for e in exc.value.errors}


def positions(tree):
    home = position_services.create_position(code="H-A", name="甲县代表之家", tier="home", division=tree.county_a, status_on=D(2023, 1, 1))
    station = position_services.create_position(code="S-1", name="甲镇代表工作站", tier="station", division=tree.t1, parent=home,
                                                status_on=D(2023, 1, 1))
    pro = position_services.create_position(code="P-1", name="生态环保专业站", tier="professional", field="生态", division=tree.county_a,
                                            parent=home, status_on=D(2023, 1, 1))
    return home, station, pro


def test_deputies_of_all_five_levels_are_stationed(tree, make_deputy):
    home, station, pro = positions(tree)
    levels = ["national", "provincial", "prefecture", "county", "township"]
    for level in levels:
        deputy = make_deputy(tree.t1, level=level)
        services.station_deputy(deputy, station, start_on=D(2024, 1, 1))
    assert sorted(selectors.stationed_at(station).values_list("level", flat=True)) == sorted(levels)
    assert selectors.counts_by_level() == {level: 1 for level in levels}
    # provincial and national deputies got a province-wide identity, the others did not
    assert set(Deputy.objects.filter(identity__isnull=False).values_list("level", flat=True)) == {"national", "provincial"}


def test_stationing_by_area_and_by_field_with_dates(tree, make_deputy):
    home, station, pro = positions(tree)
    deputy = make_deputy(tree.t1)
    services.station_deputy(deputy, station, start_on=D(2024, 1, 1), end_on=D(2024, 6, 30))
    services.station_deputy(deputy, pro, basis="field", start_on=D(2024, 3, 1))
    services.station_deputy(deputy, station, start_on=D(2024, 7, 1))  # back again after the first period ended
    assert Stationing.objects.filter(deputy=deputy).count() == 3
    with pytest.raises(ServiceError) as exc:  # overlaps the open-ended second period
        services.station_deputy(deputy, station, start_on=D(2025, 1, 1), end_on=D(2025, 2, 1))
    assert fields(exc) == {"start_on": "overlap"}
    with pytest.raises(ServiceError) as exc:  # overlaps the first period
        services.station_deputy(deputy, station, start_on=D(2023, 12, 1), end_on=D(2024, 1, 1))
    assert fields(exc) == {"start_on": "overlap"}
    with pytest.raises(ServiceError) as exc:
        services.station_deputy(deputy, station, start_on=D(2024, 5, 1), end_on=D(2024, 4, 1))
    assert fields(exc) == {"end_on": "out_of_order"}
    with pytest.raises(ServiceError) as exc:
        services.station_deputy(make_deputy(tree.t1), station, basis="field")
    assert fields(exc) == {"basis": "invalid"}
    with pytest.raises(ServiceError) as exc:
        services.station_deputy(987654, 876543)
    assert fields(exc) == {"deputy": "not_found", "position": "not_found"}
    assert Stationing.objects.filter(deputy=deputy).count() == 3


def test_a_provincial_deputy_has_one_identity_across_prefectures_and_counts_once(kunming, qujing, make_deputy):
    with schema_context("kunming"):
        tree = make_tree()
        home, station, pro = positions(tree)
        local = make_deputy(tree.t1, level="provincial", name="省代表甲", email="jia@example.cn", id_number="530100199001010011")
        services.station_deputy(local, station, start_on=D(2024, 1, 1))
        identity = local.identity
        assert identity.home_prefecture == kunming and identity.id_number == "530100199001010011"
        kunming_keys = selectors.person_keys()
    with schema_context("qujing"):
        qtree = make_tree()
        qhome = position_services.create_position(code="QH", name="曲靖县代表之家", tier="home", division=qtree.county_a)
        qstation = position_services.create_position(code="QS", name="曲靖镇站", tier="station", division=qtree.t1, parent=qhome)
        guest = services.bring_in_province_deputy(identity.pk)
        assert services.bring_in_province_deputy(identity.pk) == guest  # idempotent
        assert guest.on_roll is False and guest.constituency is None and guest.id_number == ""
        assert guest.email == "jia@example.cn"
        services.station_deputy(guest, qstation, start_on=D(2024, 1, 1))
        qujing_local = make_deputy(qtree.t1, level="county")
        qujing_keys = selectors.person_keys()
        # the qujing schema holds no kunming deputy rows
        assert not Deputy.objects.filter(roll_number=local.roll_number).exists()
    # two prefectures, three deputy rows, two people
    assert len(kunming_keys | qujing_keys) == 2
    assert ProvinceDeputy.objects.filter(pk=identity.pk).count() == 1
    assert qujing_local.identity is None


def test_public_profile_never_shows_private_fields(tree, make_deputy):
    home, station, pro = positions(tree)
    deputy = make_deputy(tree.t1, level="county", phone="13800001111", id_number="530102198001011234", email="d@example.cn",
                         occupation="教师", bio="长期关注教育")
    services.station_deputy(deputy, station, start_on=D(2024, 1, 1))
    profile = selectors.public_profile(deputy)
    text = repr(profile)
    for secret in ("13800001111", "530102198001011234", "d@example.cn"):
        assert secret not in text
    assert not set(profile) & {"phone", "id_number", "email"}
    assert profile["name"] == deputy.name and profile["constituency"] == "甲镇" and profile["positions"][0]["code"] == "S-1"
    png, svg = selectors.qr_png(deputy), selectors.qr_svg(deputy)
    assert png.startswith(b"\x89PNG") and "<svg" in svg


def test_deputy_bad_input(tree, make_deputy):
    with pytest.raises(ServiceError) as exc:
        services.create_deputy(roll_number="", name="", level="mayor", constituency=424242)
    assert fields(exc) == {"roll_number": "required", "name": "required", "level": "invalid", "constituency": "not_found"}
    make_deputy(tree.t1, roll_number="R1")
    with pytest.raises(ServiceError) as exc:
        make_deputy(tree.t1, roll_number="R1")
    assert fields(exc) == {"roll_number": "duplicate"}
    assert Deputy.objects.count() == 1


def test_coverage_of_the_two_musts_per_county_and_prefecture(tree, make_deputy):
    home = position_services.create_position(code="H-A", name="甲县代表之家", tier="home", division=tree.county_a, status="open")
    # county A: townships t1, t2 (+ none else); county B: t3. Stations: t1 open, t2 only planned, t3 open.
    position_services.create_position(code="S-1", name="甲镇站", tier="station", division=tree.t1, parent=home, status="open")
    position_services.create_position(code="S-2", name="乙街道站", tier="station", division=tree.t2, parent=home)
    position_services.create_position(code="S-3", name="丙乡站", tier="station", division=tree.t3, status="open")
    # villages: v1 has 3 deputies (office required and built), v2 has 2 (not required), v3 has 4 (required, no office)
    for _ in range(3):
        make_deputy(tree.v1)
    for _ in range(2):
        make_deputy(tree.v2)
    for _ in range(4):
        make_deputy(tree.v3)
    make_deputy(tree.v3, active=False)
    position_services.create_position(code="O-1", name="一村联络室", tier="office", division=tree.v1, status="open")
    position_services.create_position(code="O-2", name="二社区联络室", tier="office", division=tree.v2, status="open")

    a = position_selectors.coverage_two_musts(tree.county_a)
    assert (a.townships_total, a.townships_with_station, a.villages_requiring_office, a.villages_with_office) == (2, 1, 1, 1)
    b = position_selectors.coverage_two_musts(tree.county_b)
    assert (b.townships_total, b.townships_with_station, b.villages_requiring_office, b.villages_with_office) == (1, 1, 1, 0)
    whole = position_selectors.coverage_two_musts()
    assert (whole.townships_total, whole.townships_with_station, whole.villages_requiring_office, whole.villages_with_office) == (3, 2, 2, 1)
    assert whole.station_rate == pytest.approx(2 / 3) and not whole.complete
    by_county = {c.division_name: c for c in position_selectors.coverage_two_musts_by_county()}
    assert by_county[tree.county_a.name] == a and by_county[tree.county_b.name] == b
    assert len(by_county) == 14  # every kunming county, most with nothing to cover yet


def test_province_wide_record_sums_a_provincial_deputy_over_prefectures(kunming, qujing, make_deputy):
    from liaison.platform.roster.selectors import performance_across_prefectures, province_people_count, public_identity
    from liaison.tenants.activities import services as activity_services

    from .conftest import aware

    with schema_context("kunming"):
        tree = make_tree()
        home, station, pro = positions(tree)
        deputy = make_deputy(tree.t1, level="provincial", name="省代表乙", phone="13700000000")
        services.station_deputy(deputy, station, start_on=D(2024, 1, 1))
        event = activity_services.schedule_reception_day(station, starts_at=aware(2025, 4, 1, 9), ends_at=aware(2025, 4, 1, 11),
                                                         deputies=[deputy])
        activity_services.sign_in(event, deputy, at=aware(2025, 4, 1, 9))
        identity = deputy.identity
    with schema_context("qujing"):
        qtree = make_tree()
        qstation = position_services.create_position(code="QS", name="曲靖镇站", tier="station", division=qtree.t1)
        guest = services.bring_in_province_deputy(identity)
        event = activity_services.schedule_reception_day(qstation, starts_at=aware(2025, 5, 1, 9), ends_at=aware(2025, 5, 1, 11),
                                                         deputies=[guest])
        activity_services.sign_in(event, guest, at=aware(2025, 5, 1, 9))
    record = performance_across_prefectures(identity, 2025)
    assert set(record.by_prefecture) == {"kunming", "qujing"} and record.total("duty_day") == 2
    assert province_people_count() == 1
    assert "13700000000" not in repr(public_identity(identity))
