"""The dashboard page and the CSV/XLSX exports: who sees what, and that the numbers are
the selectors' (the same source as the API)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openpyxl import load_workbook

from liaison.platform.rollups import selectors
from liaison.tenants.stats.catalogue import FIGURES

from .conftest import HOSTS

pytestmark = pytest.mark.django_db


def client_for(host: str, user=None) -> Client:
    c = Client(HTTP_HOST=HOSTS[host])
    if user is not None:
        c.force_login(user)
    return c


PATHS = ["/dashboard/", "/dashboard/export.csv", "/dashboard/export.xlsx"]


def test_anonymous_visitors_are_sent_to_the_login_page(stats_data):
    for host in ("province", "kunming"):
        for path in PATHS:
            resp = client_for(host).get(path)
            assert resp.status_code == 302 and resp["Location"].startswith("/admin/login/?next=/dashboard/"), (host, path)


def test_signed_in_users_outside_the_scope_are_refused(stats_data, stats_users):
    for host, user in (("province", "kunming_admin"), ("qujing", "kunming_admin"), ("kunming", "qujing_admin")):
        for path in PATHS:
            resp = client_for(host, stats_users[user]).get(path)
            assert resp.status_code == 403, (host, user, path)
            assert b"530" not in resp.content  # no figures, no codes


def test_province_dashboard_shows_the_selectors_figures_with_as_of(stats_data, stats_users):
    resp = client_for("province", stats_users["province"]).get("/dashboard/")
    assert resp.status_code == 200
    html = resp.content.decode()
    stats = selectors.province_statistics()
    for key in ("positions_total", "homes", "stations", "offices", "opinions", "people_received"):
        assert f'data-figure="{key}" data-value="{stats.totals.figures[key]}"' in html
    assert "云南公布：14,556" in html  # Yunnan's published figure beside ours
    assert 'data-slug="kunming"' in html and 'data-slug="qujing"' in html
    assert "统计截至" in html and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", html)
    assert "/static/vendor/plotly/plotly.min.js" in html and "cdn" not in html.lower()


def test_prefecture_dashboard_shows_its_counties_only(stats_data, stats_users):
    html = client_for("kunming", stats_users["kunming_admin"]).get("/dashboard/").content.decode()
    assert "昆明市本级" in html and "五华区" in html
    assert "曲靖" not in html and "云南公布" not in html
    stats = selectors.prefecture_statistics(stats_users["kunming_admin"].memberships.get().prefecture)
    assert f'data-figure="opinions" data-value="{stats.totals.figures["opinions"]}"' in html


def test_chart_library_is_served_from_the_installed_package():
    path = finders.find("vendor/plotly/plotly.min.js")
    assert path and path.endswith("plotly/package_data/plotly.min.js")
    with open(path, encoding="utf-8") as fh:
        assert "plotly.js" in fh.read(300)


def test_csv_export_is_the_report_layout(stats_data, stats_users):
    resp = client_for("province", stats_users["province"]).get("/dashboard/export.csv?since=2019-01")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    text = resp.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["州（市）", "区划代码", "阵地总数（家站室）"]
    assert rows[0][-1] == "统计截至"
    assert [r[0] for r in rows[1:]] == ["昆明市", "曲靖市", "全省合计"]
    stats = selectors.province_statistics(dt.date(2019, 1, 1))
    col = {h: i for i, h in enumerate(rows[0])}
    for f in FIGURES:
        if f.kind == "count":
            assert int(rows[3][col[f.label]]) == stats.totals.figures[f.key] == int(rows[1][col[f.label]]) + int(rows[2][col[f.label]])
    assert rows[3][col["按期答复率"]].endswith("%")


def test_csv_other_tables_and_bad_input(stats_data, stats_users):
    c = client_for("province", stats_users["province"])
    rows = list(csv.reader(io.StringIO(c.get("/dashboard/export.csv?table=categories").content.decode("utf-8-sig"))))
    assert rows[0][2] == "经济建设" and rows[0][-1] == "合计" and rows[-1][0] == "全省合计"
    assert int(rows[-1][-1]) == selectors.province_statistics().totals.figures["opinions"]
    assert c.get("/dashboard/export.csv?table=nope").status_code == 400
    assert c.get("/dashboard/?since=yesterday").status_code == 400


def test_xlsx_export_has_every_table_with_totals_and_definitions(stats_data, stats_users):
    resp = client_for("kunming", stats_users["kunming_admin"]).get("/dashboard/export.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["汇总表", "意见建议类别", "意见建议来源渠道", "月度趋势", "指标说明"]
    ws = wb["汇总表"]
    assert "昆明市" in ws["A1"].value and "统计截至" in ws["A1"].value
    headers = [c.value for c in ws[2]]
    assert headers[0] == "县（市、区）"
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "昆明市合计" and ws.cell(row=last, column=1).font.bold
    opinions_col = headers.index("收集意见建议（件）") + 1
    body = [ws.cell(row=r, column=opinions_col).value for r in range(3, last)]
    assert sum(body) == ws.cell(row=last, column=opinions_col).value == 5
    rate_col = headers.index("答复率") + 1
    assert ws.cell(row=last, column=rate_col).number_format == "0.00%"
