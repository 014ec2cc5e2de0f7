"""The pages the QR codes point to: public profile only, on the prefecture's own host."""
from __future__ import annotations

import pytest

from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.positions import selectors as position_selectors
from liaison.tenants.positions import services as position_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree, make_deputy):
    station = position_services.create_position(code="KM-S-001", name="甲镇人大代表工作站", tier="station", division=tree.t1,
                                                address="甲镇政府一楼", opening_hours="每月 15 日")
    deputy = make_deputy(tree.t1, phone="13812345678", id_number="530102199001011234", email="dep@example.cn",
                         occupation="村医", name="李春华")
    deputy_services.station_deputy(deputy, station)
    return station, deputy


def test_position_qr_points_at_its_public_page_which_lists_stationed_deputies(station, kunming_client):
    position, deputy = station
    url = position_selectors.public_url(position)
    assert url == "http://kunming.localhost:8000/p/KM-S-001/"
    page = kunming_client.get("/p/KM-S-001/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲镇人大代表工作站" in html and "甲镇政府一楼" in html and "李春华" in html and "<svg" in html
    qr = kunming_client.get("/p/KM-S-001/qr.svg?format=png")
    assert qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")


def test_deputy_page_shows_the_public_profile_and_never_private_fields(station, kunming_client):
    _, deputy = station
    assert deputy_selectors.profile_url(deputy) == f"http://kunming.localhost:8000/d/{deputy.roll_number}/"
    html = kunming_client.get(f"/d/{deputy.roll_number}/").content.decode()
    assert "李春华" in html and "村医" in html and "甲镇人大代表工作站" in html
    for private in ("13812345678", "530102199001011234", "dep@example.cn"):
        assert private not in html


def test_another_prefecture_host_does_not_serve_them(station, qujing_client):
    _, deputy = station
    assert qujing_client.get("/p/KM-S-001/").status_code == 404
    assert qujing_client.get(f"/d/{deputy.roll_number}/").status_code == 404
    assert qujing_client.get("/p/KM-S-001/qr.svg").status_code == 404
