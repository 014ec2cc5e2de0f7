"""Exports: the same columns as the templates, filters by date, status, position and
category, personal data masked for readers without the right, CSV and XLSX, templates."""
from __future__ import annotations

import csv
import datetime as dt
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from liaison.tenants.ledger import spec
from liaison.tenants.ledger.blanks import csv_template, template_kinds, xlsx_template
from liaison.tenants.ledger.exporting import ExportFilters, write_export
from liaison.tenants.ledger.importing import run_import
from liaison.tenants.opinions.models import Opinion

from .conftest import read_xlsx

pytestmark = pytest.mark.django_db


def csv_rows(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def test_opinion_ledger_filters_by_date_status_position_and_category(ledger, tmp_path):
    path = tmp_path / "all.csv"
    write_export(path, kinds=["opinions"], fmt="csv", personal=True)
    assert {r["标题"] for r in csv_rows(path)} == {"路灯损坏", "停车难", "垃圾清运", "诉讼咨询"}

    write_export(path, kinds=["opinions"], fmt="csv", filters=ExportFilters(status=["closed"]), personal=True)
    rows = csv_rows(path)
    assert [r["标题"] for r in rows] == ["垃圾清运"]
    assert rows[0]["办理状态"] == "已办结" and rows[0]["办理结果"] == "A" and rows[0]["群众满意度"] == "满意"
    assert rows[0]["阵地编码"] == ledger.office.code and rows[0]["承办单位"] == ledger.unit.name

    write_export(path, kinds=["opinions"], fmt="csv", filters=ExportFilters(positions=[ledger.office.code]), personal=True)
    assert [r["标题"] for r in csv_rows(path)] == ["垃圾清运"]

    write_export(path, kinds=["opinions"], fmt="csv", filters=ExportFilters(categories=["城乡建设"]), personal=True)
    assert [r["标题"] for r in csv_rows(path)] == ["停车难"]

    today = timezone.localdate()
    write_export(path, kinds=["opinions"], fmt="csv", filters=ExportFilters(date_from=today - dt.timedelta(days=5)), personal=True)
    assert csv_rows(path) == []
    write_export(path, kinds=["opinions"], fmt="csv", filters=ExportFilters(date_to=today - dt.timedelta(days=5)), personal=True)
    assert len(csv_rows(path)) == 4


def test_opinion_history_lists_every_step_of_the_filtered_opinions(ledger, tmp_path):
    path = tmp_path / "h.csv"
    write_export(path, kinds=["opinion_history"], fmt="csv", filters=ExportFilters(status=["closed"]), personal=True)
    rows = csv_rows(path)
    assert [(r["环节"], r["新状态"]) for r in rows] == [
        ("登记", "已登记"), ("研判", "已研判"), ("交办", "已交办"), ("答复", "已答复"), ("送达", "已答复"), ("评价", "已答复"), ("办结", "已办结")]
    assert {r["查询码"] for r in rows} == {ledger.opinions["closed"].tracking_code}


def test_personal_data_is_masked_unless_the_reader_may_see_it(ledger, tmp_path):
    masked, clear = tmp_path / "masked.xlsx", tmp_path / "clear.xlsx"
    write_export(masked, kinds=["deputies", "opinions"], personal=False)
    write_export(clear, kinds=["deputies", "opinions"], personal=True)
    m, c = read_xlsx(masked), read_xlsx(clear)
    header = m["意见建议"][0]
    name_col, phone_col = header.index("群众姓名"), header.index("联系电话")
    clear_names = {r[name_col] for r in c["意见建议"][1:]}
    masked_names = {r[name_col] for r in m["意见建议"][1:]}
    assert "王某某" in clear_names and "王某某" not in masked_names and "王**" in masked_names
    assert "13912345678" in {r[phone_col] for r in c["意见建议"][1:]}
    assert "139****5678" in {r[phone_col] for r in m["意见建议"][1:]}
    dh = m["代表"][0]
    assert {r[dh.index("联系电话")] for r in m["代表"][1:]} >= {"138****4321"}
    assert "11010519491231002X" in {r[dh.index("身份证号")] for r in c["代表"][1:]}
    assert "11010519491231002X" not in {r[dh.index("身份证号")] for r in m["代表"][1:]}
    assert "个人信息" in dict(tuple(r[:2]) for r in m["导出说明"])  # the file says whether it is masked
    # A masked export cannot be imported back as if it were real data.
    report = run_import(masked, kind="opinions", dry_run=True)
    assert not report.ok and {p.code for p in report.problems} == {"masked"}


def test_tracking_codes_and_phones_in_free_text_never_leave_without_personal_scope(ledger, tmp_path):
    """A tracking code lets its holder rate (and reopen) the opinion as the citizen: a
    reader without the personal-data scope gets a stable pseudonym instead, in every
    format and sheet; phone numbers typed into the text are masked too."""
    from liaison.tenants.opinions import services as opinions

    opinions.register(channel="reception", title="联系我13987654321", content="我叫王某某，座机0871-63123456，手机13987654321。",
                      position=ledger.station, citizen_name="王某某", citizen_phone="13987654321")
    codes = set(Opinion.objects.values_list("tracking_code", flat=True))
    for fmt, name in (("csv", "m.zip"), ("xlsx", "m.xlsx")):
        path = tmp_path / name
        write_export(path, kinds=["opinions", "opinion_history"], fmt=fmt, personal=False)
        blob = _all_text(path)
        assert not any(code in blob for code in codes), fmt
        assert "13987654321" not in blob and "63123456" not in blob and "王某某" not in blob, fmt
        assert "139****4321" in blob
    # the pseudonym still links an opinion to its history rows, and is the same in every export
    write_export(tmp_path / "o.csv", kinds=["opinions"], fmt="csv", personal=False)
    write_export(tmp_path / "h.csv", kinds=["opinion_history"], fmt="csv", personal=False)
    opinion_codes = {r["查询码"] for r in csv_rows(tmp_path / "o.csv")}
    history_codes = {r["查询码"] for r in csv_rows(tmp_path / "h.csv")}
    assert len(opinion_codes) == Opinion.objects.count() and history_codes <= opinion_codes
    assert all(c.startswith("※") for c in opinion_codes)
    # with the personal-data scope the real codes are there (the round trip needs them)
    write_export(tmp_path / "p.csv", kinds=["opinions"], fmt="csv", personal=True)
    assert {r["查询码"] for r in csv_rows(tmp_path / "p.csv")} == codes


def test_a_control_character_in_one_title_does_not_break_the_xlsx_export(ledger, tmp_path):
    Opinion.objects.filter(pk=ledger.opinions["registered"].pk).update(title="路灯\u0001损坏")
    path = tmp_path / "x.xlsx"
    write_export(path, kinds=["opinions"], fmt="xlsx", personal=True)
    titles = {r[read_xlsx(path)["意见建议"][0].index("标题")] for r in read_xlsx(path)["意见建议"][1:]}
    assert "路灯损坏" in titles


def _all_text(path) -> str:
    if str(path).endswith(".xlsx"):
        return "\n".join(str(v) for rows in read_xlsx(path).values() for row in rows for v in row)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return "\n".join(zf.read(n).decode("utf-8-sig") for n in zf.namelist())
    return open(path, encoding="utf-8-sig").read()


def test_csv_export_of_several_ledgers_is_a_zip_and_gbk_is_available(ledger, tmp_path):
    path = tmp_path / "x.zip"
    result = write_export(path, kinds=["positions", "deputies"], fmt="csv")
    assert result.rows == {"positions": 4, "deputies": 4}
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["20-阵地.csv", "30-代表.csv"]
    gbk = tmp_path / "p.csv"
    write_export(gbk, kinds=["positions"], fmt="csv", encoding="gbk")
    assert "阵地编码" in gbk.read_bytes().decode("gbk")


def test_a_cell_excel_would_run_as_a_formula_is_neutralised_and_still_round_trips(ledger, tmp_path):
    from liaison.tenants.opinions import services as opinions
    from liaison.tenants.opinions.models import Opinion

    opinions.register(channel="online", title="=HYPERLINK(\"http://x\")", content="+1 公式", position=ledger.station,
                      source_reference="F-1")
    path = tmp_path / "f.csv"
    write_export(path, kinds=["opinions"], fmt="csv", filters=ExportFilters(), personal=True)
    raw = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and "'+1 公式" in raw
    xlsx = tmp_path / "f.xlsx"
    write_export(xlsx, kinds=["opinions"], personal=True)
    ws = openpyxl.load_workbook(xlsx)["意见建议"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and cells[0].data_type == "s"
    Opinion.objects.filter(source_reference="F-1").update(title="old")
    report = run_import(path, dry_run=False, kind="opinions")
    assert report.ok, report.text()
    assert Opinion.objects.get(source_reference="F-1").title == "=HYPERLINK(\"http://x\")"


def test_templates_have_chinese_headers_a_guide_and_import_back_empty(in_kunming, tmp_path):
    data = xlsx_template(template_kinds("positions"))
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["阵地", "填表说明"]
    headers = [c.value for c in wb["阵地"][1]]
    assert headers[:4] == ["阵地编码", "阵地名称", "类型", "特色类型"] and "所在乡镇（街道）" in headers
    guide = [[c.value for c in row] for row in wb["填表说明"].iter_rows()]
    assert ["阵地", "阵地编码", "是"] == guide[2][:3] and guide[2][5] == "code"
    assert wb["阵地"].data_validations.dataValidation  # drop-down lists for the fixed choices
    assert [k.key for k in template_kinds("deputies")] == ["deputies", "stationing"]
    csv_bytes = csv_template(spec.get_kind("opinions"))
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and "查询码,来源编号,登记时间" in csv_bytes.decode("utf-8-sig")
    report = run_import(path, dry_run=True)
    assert report.ok and report.rows == 0


def test_the_column_guide_in_the_docs_lists_every_column():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "LEDGER.md").read_text(encoding="utf-8")
    for kind in spec.kinds():
        assert f"kind `{kind.key}`" in text
        for column in kind.exported_columns:
            assert f"| {column.header} |" in text and f"`{column.key}`" in text, column.header
