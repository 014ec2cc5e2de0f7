"""Memberships as a product feature: `liaison member`, the admin for prefecture
administrators (their own prefecture only), and the admin closed to station staff and
deputies (they work in the workbench; nobody needs is_staff)."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts import memberships
from liaison.platform.accounts.models import Membership, User
from liaison.platform.accounts.principal import principal_for_user
from liaison.tenants.common.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def km_records(kunming):
    """Two positions and a deputy in kunming."""
    from liaison.tenants.deputies import services as deputy_services
    from liaison.tenants.divisions.models import Division
    from liaison.tenants.positions import services as position_services

    with schema_context("kunming"):
        county = Division.objects.filter(level="county").order_by("code").first()
        township = Division.objects.create(code=f"{county.code}901", name="成员镇", level="township", parent=county)
        home = position_services.create_position(code="MH-1", name="成员县代表之家", tier="home", division=county, status="open",
                                                 status_on=dt.date(2023, 1, 1))
        s1 = position_services.create_position(code="MS-1", name="成员镇代表工作站", tier="station", division=township,
                                               parent=home, status="open", status_on=dt.date(2023, 1, 1))
        deputy = deputy_services.create_deputy(roll_number="M0001", name="成员代表", level="county", constituency=township)
        return {"home": home, "station": s1, "deputy": deputy}


def make_user(username, password="pw-123456"):
    return User.objects.create_user(username=username, password=password)


def run(*args) -> str:
    out = io.StringIO()
    call_command("member", *args, stdout=out)
    return out.getvalue()


def test_member_add_list_remove_from_the_command_line(km_records):
    make_user("zhang")
    out = run("add", "--user", "zhang", "--prefecture", "kunming", "--role", "station_staff", "--positions", "MS-1")
    assert out.startswith("Added zhang · station_staff") and "positions=MS-1" in out
    m = Membership.objects.get(user__username="zhang")
    assert m.position_ids == [km_records["station"].pk]
    assert principal_for_user(m.user).may_act_on_position("kunming", km_records["station"].pk)
    assert not principal_for_user(m.user).may_act_on_position("kunming", km_records["home"].pk)
    assert not User.objects.get(username="zhang").is_staff
    # add again: updates the positions
    assert run("add", "--user", "zhang", "--prefecture", "kunming", "--role", "station_staff",
               "--positions", "MS-1,MH-1").startswith("Updated")
    make_user("li")
    run("add", "--user", "li", "--prefecture", "kunming", "--role", "deputy", "--deputy", "M0001")
    rows = json.loads(run("list", "--prefecture", "kunming", "--json"))
    assert {(r["user"], r["role"], tuple(r["positions"]), r["deputy"]) for r in rows} == {
        ("zhang", "station_staff", ("MH-1", "MS-1"), None), ("li", "deputy", (), "M0001")}
    run("remove", "--user", "zhang", "--prefecture", "kunming", "--role", "station_staff")
    assert not Membership.objects.filter(user__username="zhang").exists()


def test_member_add_names_every_bad_field_and_writes_nothing(km_records):
    make_user("wang")
    with pytest.raises(CommandError) as err:
        run("add", "--user", "wang", "--prefecture", "kunming", "--role", "station_staff", "--positions", "MS-1,NOPE",
            "--deputy", "M0001")
    message = str(err.value)
    assert "deputy: 只有代表角色可以关联代表" in message
    with pytest.raises(CommandError, match="positions: .*NOPE"):
        run("add", "--user", "wang", "--prefecture", "kunming", "--role", "station_staff", "--positions", "MS-1,NOPE")
    with pytest.raises(CommandError, match="prefecture: 省级角色不属于某个州市"):
        run("add", "--user", "wang", "--prefecture", "kunming", "--role", "province_monitor")
    with pytest.raises(CommandError, match="user: 没有用户名为 nobody 的用户"):
        run("add", "--user", "nobody", "--prefecture", "kunming", "--role", "prefecture_admin")
    with pytest.raises(CommandError, match="deputy: 代表角色须填写代表证号"):
        run("add", "--user", "wang", "--prefecture", "kunming", "--role", "deputy")
    with pytest.raises(CommandError, match="prefecture: 没有这个州市"):
        run("add", "--user", "wang", "--prefecture", "atlantis", "--role", "deputy", "--deputy", "M0001")
    assert not Membership.objects.filter(user__username="wang").exists()


def test_a_prefecture_admin_manages_only_their_own_prefecture(kunming, qujing, km_records):
    admin = make_user("km-boss")
    memberships.save_membership(username="km-boss", role="prefecture_admin", prefecture="kunming")
    assert User.objects.get(pk=admin.pk).is_staff  # administrators use the admin
    actor = principal_for_user(admin)
    make_user("qj-person")
    with pytest.raises(ServiceError) as err:
        memberships.save_membership(username="qj-person", role="station_staff", prefecture="qujing", actor=actor)
    assert [e.field for e in err.value.errors] == ["prefecture"]
    with pytest.raises(ServiceError):
        memberships.save_membership(username="qj-person", role="province_admin", actor=actor)
    memberships.save_membership(username="qj-person", role="station_staff", prefecture="kunming", positions=["MS-1"], actor=actor)
    # a qujing membership made by the operator cannot be removed by kunming's admin
    memberships.save_membership(username="qj-person", role="prefecture_admin", prefecture="qujing")
    with pytest.raises(ServiceError):
        memberships.remove_membership(username="qj-person", role="prefecture_admin", prefecture="qujing", actor=actor)
    assert Membership.objects.filter(user__username="qj-person").count() == 2


def admin_client(host, user) -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_station_staff_and_deputies_get_no_admin_even_with_is_staff(km_records):
    staff = make_user("station-person")
    memberships.save_membership(username="station-person", role="station_staff", prefecture="kunming", positions=["MS-1"])
    deputy = make_user("deputy-person")
    memberships.save_membership(username="deputy-person", role="deputy", prefecture="kunming", deputy="M0001")
    User.objects.filter(pk__in=[staff.pk, deputy.pk]).update(is_staff=True)  # a leftover flag grants nothing
    for user in (staff, deputy):
        client = admin_client("kunming.localhost", User.objects.get(pk=user.pk))
        assert client.get("/admin/").status_code == 302  # to the login page
        for page in ("/admin/positions/position/add/", "/admin/activities/event/add/", "/admin/deputies/deputy/add/",
                     "/admin/positions/staff/add/", "/admin/accounts/membership/"):
            assert client.get(page).status_code == 302, page
    # and the login form says why, in Chinese
    client = Client(HTTP_HOST="kunming.localhost")
    response = client.post("/admin/login/?next=/admin/", {"username": "station-person", "password": "pw-123456"})
    assert response.status_code == 200 and "工作台" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_prefecture_admin_manages_memberships_in_the_admin_of_their_prefecture_only(kunming, qujing, km_records):
    boss = make_user("km-admin-m")
    memberships.save_membership(username="km-admin-m", role="prefecture_admin", prefecture="kunming")
    make_user("new-staff")
    make_user("qj-staff")
    memberships.save_membership(username="qj-staff", role="station_staff", prefecture="qujing")
    client = admin_client("kunming.localhost", User.objects.get(pk=boss.pk))
    response = client.post("/admin/accounts/membership/add/", {"username": "new-staff", "role": "station_staff",
                                                                "positions": "MS-1", "deputy": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    m = Membership.objects.get(user__username="new-staff")
    assert m.prefecture == kunming and m.position_ids == [km_records["station"].pk]
    # field-named errors in the form, nothing written
    response = client.post("/admin/accounts/membership/add/", {"username": "new-staff", "role": "deputy", "positions": "",
                                                                "deputy": "NOPE"})
    assert response.status_code == 200 and "代表名册中没有代表证号 NOPE" in response.content.decode()
    assert Membership.objects.filter(user__username="new-staff").count() == 1
    # the list shows kunming's memberships only; qujing's cannot be opened
    listing = client.get("/admin/accounts/membership/").content.decode()
    assert "new-staff" in listing and "qj-staff" not in listing
    qj = Membership.objects.get(user__username="qj-staff")
    assert client.get(f"/admin/accounts/membership/{qj.pk}/change/").status_code == 302
    assert client.post(f"/admin/accounts/membership/{qj.pk}/delete/", {"post": "yes"}).status_code == 302
    assert Membership.objects.filter(pk=qj.pk).exists()
    # and kunming's admin has no admin at all on qujing's host
    other = admin_client("qujing.localhost", User.objects.get(pk=boss.pk))
    assert other.get("/admin/").status_code == 302
    # removing through the admin
    assert client.post(f"/admin/accounts/membership/{m.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
