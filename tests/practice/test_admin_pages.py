"""The practices in the admin: read by the prefecture's own people only, settings changed
through their service (field errors on the form), notices downloadable as sent."""
from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from liaison.platform.accounts.models import Membership, Role, User
from liaison.tenants.practice.models import AttendanceNotice, PracticeSettings
from liaison.tenants.practice.services import notices

from .conftest import at, event

pytestmark = pytest.mark.django_db


def client(host, prefecture, name):
    user = User.objects.create(username=name, is_staff=True)
    Membership.objects.create(user=user, role=Role.PREFECTURE_ADMIN, prefecture=prefecture)
    c = Client(HTTP_HOST=host)
    c.force_login(user)
    return c


def test_admin_lists_download_and_settings(km, kunming, qujing):
    event(km.station, at(2024, 3, 1), scheduled=km.deputies[:3], signed=km.deputies[:1])
    notices.generate_year_end_notices(2024, km.station)
    notice = AttendanceNotice.objects.first()
    admin = client("kunming.localhost", kunming, "prac_km")
    for model in ("attendancenotice", "audit", "closingsuggestion", "campaign", "request", "grid", "talk", "resignationadvice",
                  "commitment", "practicesettings"):
        assert admin.get(f"/admin/practice/{model}/").status_code == 200, model
    resp = admin.get(f"/admin/practice/attendancenotice/{notice.pk}/download/")
    assert resp.status_code == 200 and load_workbook(io.BytesIO(resp.content)).sheetnames == ["本人出勤", "本站代表出勤"]
    form = {"online_period": "day", "office_period": "week", "station_period": "month", "home_period": "quarter",
            "online_threshold": 1, "office_threshold": 1, "station_threshold": 1, "home_threshold": 2, "absence_threshold": 3,
            "claim_escalation_hours": 48, "review_cutoff_day": 30}
    resp = admin.post("/admin/practice/practicesettings/add/", form)
    assert resp.status_code == 200 and "review_cutoff_day" in resp.context["adminform"].form.errors
    assert not PracticeSettings.objects.exists()
    resp = admin.post("/admin/practice/practicesettings/add/", {**form, "review_cutoff_day": 25})
    assert resp.status_code == 302 and PracticeSettings.objects.get().review_cutoff_day == 25
    # Qujing's admin on kunming's host: nothing.
    other = client("kunming.localhost", qujing, "prac_qj")
    assert other.get(f"/admin/practice/attendancenotice/{notice.pk}/download/").status_code in (302, 403)
    assert other.get("/admin/practice/audit/").status_code in (302, 403)
