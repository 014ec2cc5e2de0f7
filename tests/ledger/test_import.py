"""Importing ledgers: planted errors are reported with row and column and nothing is
written; a clean file is written once; the same file again duplicates nothing; GBK,
BOM and XLSX files read the same; opinions arrive with their handling."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.tenants.deputies.models import Deputy, Stationing
from liaison.tenants.divisions.models import Division
from liaison.tenants.ledger.importing import run_import
from liaison.tenants.opinions.models import Evaluation, Opinion, Reply, Transition
from liaison.tenants.positions.models import Position

from .conftest import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

DIVISIONS = [["区划代码", "区划名称", "层级", "上级区划代码", "是否社区"],
             ["530103901", "拓东街道", "乡镇（街道）", "530103", ""],
             ["530103901001", "金碧社区", "社区", "530103901", "是"],
             ["530103901002", "同仁村", "村", "530103901", "否"]]
POSITIONS = [["阵地编码", "阵地名称", "类型", "所在县（市、区）", "所在乡镇（街道）", "所在村（社区）", "上级阵地编码", "建设状态", "建成日期", "经度", "纬度"],
             ["PL-Z-01", "拓东街道人大代表工作站", "代表工作站", "盘龙区", "拓东街道", "", "PL-J-01", "已运行", "2021-06-30", "102.72", "25.04"],
             ["PL-J-01", "盘龙区人大代表之家", "代表之家", "盘龙区", "", "", "", "已运行", "2020/5/1", "", ""],
             ["PL-S-01", "金碧社区人大代表联络室", "室", "盘龙区", "拓东街道", "金碧社区", "PL-Z-01", "建设中", "", "", ""]]
DEPUTIES = [["代表证号", "姓名", "代表层级", "选区代码", "性别", "民族", "联系电话", "身份证号"],
            ["PL-001", "张丽", "县（市、区）人大代表", "530103901001", "女", "彝族", "13887654321", "11010519491231002X"],
            ["PL-002", "王强", "县", "530103901001", "男", "汉族", "0871-63123456", ""],
            ["PL-003", "李娜", "乡镇人大代表", "530103901002", "女", "白族", "", ""]]
STATIONING = [["代表证号", "代表姓名", "阵地编码", "进站方式", "进站日期", "离站日期"],
              ["PL-001", "张丽", "PL-Z-01", "按区域", "2022-01-10", ""],
              ["PL-002", "王强", "PL-Z-01", "", "2022-01-10", ""],
              ["PL-003", "李娜", "PL-Z-01", "", "2022-01-10", "2023-01-09"]]


def counts():
    return (Division.objects.count(), Position.objects.count(), Deputy.objects.count(), Stationing.objects.count(),
            Opinion.objects.count(), Transition.objects.count())


def clean_workbook(tmp_path):
    return write_xlsx(tmp_path / "盘龙区台账.xlsx", {"行政区划": DIVISIONS, "阵地": POSITIONS, "代表": DEPUTIES, "代表进站": STATIONING})


def test_planted_errors_are_reported_by_row_and_column_and_nothing_is_written(in_kunming, tmp_path):
    before = counts()
    path = write_xlsx(tmp_path / "bad.xlsx", {
        "行政区划": DIVISIONS,
        "阵地": [POSITIONS[0],
                 ["PL-Z-01", "拓东街道人大代表工作站", "代表工作站", "盘龙区", "拓东街道", "", "", "已运行", "2021-13-45", "", ""],
                 ["PL-Z-01", "重复编码", "代表工作站", "盘龙区", "拓东街道", "", "", "已运行", "", "", ""],
                 ["PL-Z-02", "不存在的站", "代表工作站", "盘龙区", "不存在街道", "", "", "已运行", "", "", ""],
                 ["PL-S-09", "错位的室", "代表联络室", "盘龙区", "拓东街道", "", "", "规划中", "", "", ""]],
        "代表": [DEPUTIES[0],
                 ["PL-001", "张丽", "村人大代表", "530103901001", "女", "彝族", "1388765", ""],
                 ["PL-002", "王强", "县", "999999", "男", "汉族", "13887654321", "110105194912310021"]],
    })
    report = run_import(path, dry_run=False)
    assert not report.ok and not report.applied
    found = {(p.sheet, p.row, p.column, p.code) for p in report.problems}
    assert ("阵地", 2, "建成日期", "bad_date") in found
    assert ("阵地", 3, "阵地编码", "duplicate") in found
    assert ("阵地", 4, "所在乡镇（街道）", "unknown_division") in found
    assert ("阵地", 5, "所在乡镇（街道）", "hierarchy") in found          # an office must sit at a village
    assert ("代表", 2, "代表层级", "bad_choice") in found                  # no such deputy level
    assert ("代表", 2, "联系电话", "bad_phone") in found
    assert ("代表", 3, "选区代码", "unknown_division") in found
    assert ("代表", 3, "身份证号", "bad_id_number") in found               # wrong check digit
    messages = {p.message for p in report.problems}
    assert any("不是有效的电话号码" in m for m in messages)
    assert any("不是可选值" in m and "村人大代表" in m for m in messages)
    assert all(p.letter for p in report.problems if p.row > 1)            # every cell problem names its column letter
    assert counts() == before                                             # nothing at all was written


def test_a_clean_file_is_written_once_and_again_duplicates_nothing(in_kunming, tmp_path):
    before = counts()
    path = clean_workbook(tmp_path)
    dry = run_import(path, dry_run=True)
    assert dry.ok and not dry.applied, dry.text()
    assert counts() == before                                             # the dry run wrote nothing
    first = run_import(path, dry_run=False)
    assert first.ok and first.applied, first.text()
    assert first.totals()["created"] == 3 + 3 + 3 + 3
    station = Position.objects.get(code="PL-Z-01")
    assert station.parent.code == "PL-J-01"                               # parent defined further down the sheet
    assert station.division.name == "拓东街道" and station.tier == "station"
    assert Position.objects.get(code="PL-S-01").division.code == "530103901001"
    assert Deputy.objects.get(roll_number="PL-001").id_number == "11010519491231002X"
    assert Stationing.objects.filter(position=station).count() == 3
    after_first = counts()
    again = run_import(path, dry_run=False)
    assert again.ok and again.applied
    assert again.totals() == {"rows": 12, "created": 0, "updated": 0, "unchanged": 12, "errors": 0}
    assert counts() == after_first


def test_reimport_updates_by_natural_key(in_kunming, tmp_path):
    run_import(clean_workbook(tmp_path), dry_run=False)
    changed = [row[:] for row in POSITIONS]
    changed[1][1] = "拓东街道人大代表工作站（新址）"
    report = run_import(write_xlsx(tmp_path / "changed.xlsx", {"阵地": changed}), dry_run=False)
    assert report.ok, report.text()
    assert report.totals()["updated"] == 1 and report.totals()["created"] == 0
    assert Position.objects.get(code="PL-Z-01").name.endswith("（新址）")
    assert Position.objects.filter(code="PL-Z-01").count() == 1


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_bom_and_plain_utf8_read_the_same(in_kunming, tmp_path, encoding):
    run_import(write_csv(tmp_path / "d.csv", DIVISIONS), dry_run=False)
    path = write_csv(tmp_path / f"阵地-{encoding}.csv", POSITIONS, encoding=encoding)
    report = run_import(path, dry_run=False)
    assert report.ok, report.text()
    assert Position.objects.get(code="PL-J-01").name == "盘龙区人大代表之家"


def test_xlsx_with_a_title_row_english_headers_and_excel_values(in_kunming, tmp_path):
    run_import(write_csv(tmp_path / "d.csv", DIVISIONS), dry_run=False)
    path = write_xlsx(tmp_path / "positions.xlsx", {"Sheet1": [
        ["盘龙区代表活动阵地台账（2024年）"],
        ["code", "name", "tier", "division_code", "status", "established_on", "序号"],
        ["PL-J-02", "盘龙区人大代表之家（二）", "home", 530103, "open", dt.datetime(2020, 5, 1), 1],
    ]})
    report = run_import(path, dry_run=False, kind="positions")
    assert report.ok, report.text()
    home = Position.objects.get(code="PL-J-02")
    assert home.division.code == "530103" and home.established_on == dt.date(2020, 5, 1) and home.status == "open"


def test_missing_required_column_and_unknown_kind_are_file_level_problems(in_kunming, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["阵地编码", "类型", "所在区划代码"], ["X-1", "站", "530103"]])
    report = run_import(path, dry_run=False, kind="positions")
    assert not report.ok
    assert any(p.code == "missing_column" and p.column == "阵地名称" for p in report.problems)
    assert not Position.objects.filter(code="X-1").exists()
    assert run_import(path, kind="nonsense").problems[0].code == "unknown_kind"


def test_a_large_file_is_processed_in_chunks_with_progress(in_kunming, tmp_path):
    rows = [["区划代码", "区划名称", "层级", "上级区划代码"], ["530103901", "拓东街道", "乡镇", "530103"]]
    rows += [[f"530103901{i:03d}", f"第{i}村", "村", "530103901"] for i in range(1, 451)]
    seen = []
    report = run_import(write_csv(tmp_path / "many.csv", rows), dry_run=False, chunk_size=100,
                        progress=lambda sheet, done, problems: seen.append(done))
    assert report.ok, report.text()
    assert seen == [100, 200, 300, 400, 451]
    assert Division.objects.filter(parent__code="530103901").count() == 450


def test_opinions_with_their_handling_and_steps_import_and_reimport_idempotently(ledger, tmp_path):
    station = ledger.station
    t0 = timezone.localtime(timezone.now() - dt.timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    t1 = timezone.localtime(timezone.now() - dt.timedelta(days=9)).strftime("%Y-%m-%d %H:%M")
    t2 = timezone.localtime(timezone.now() - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    t3 = timezone.localtime(timezone.now() - dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    head = ["来源编号", "登记时间", "来源渠道", "阵地编码", "群众姓名", "联系电话", "标题", "内容", "类别", "管辖层级", "办理状态",
            "承办单位", "交办时间", "答复时间", "答复内容", "办理结果", "送达群众时间", "群众满意度", "群众评价时间", "办结时间", "办结方式"]
    rows = [head,
            ["OLD-1", t0, "接待日", station.code, "赵某", "13911112222", "下水道堵塞", "小区下水道堵塞。", "城乡建设", "县级", "已办结",
             ledger.unit.name, t1, t2, "已疏通。", "A", t3, "满意", t3, t3, "已评价"],
            ["OLD-2", t0, "意见箱", station.code, "", "", "增设公交站", "希望增设公交站。", "交通运输", "县级", "已交办",
             ledger.unit.name, t1, "", "", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "意见.csv", rows, encoding="gbk")
    before = Opinion.objects.count()
    report = run_import(path, dry_run=False)
    assert report.ok, report.text()
    closed = Opinion.objects.get(source_reference="OLD-1")
    assert closed.status == "closed" and closed.tracking_code and closed.citizen_phone == "13911112222"
    reply = Reply.objects.get(opinion=closed)
    assert reply.outcome == "A" and reply.delivered_to_citizen_at is not None
    assert Evaluation.objects.get(reply=reply).satisfaction == "satisfied"
    steps = list(closed.transitions.order_by("at", "id").values_list("action", "to_status"))
    assert steps == [("register", "registered"), ("import", "closed")]
    referred = Opinion.objects.get(source_reference="OLD-2")
    assert referred.status == "referred" and referred.referrals.get().unit == ledger.unit
    snapshot = (Opinion.objects.count(), Transition.objects.count(), Reply.objects.count(), Evaluation.objects.count())
    assert snapshot[0] == before + 2
    again = run_import(path, dry_run=False)
    assert again.ok and again.totals()["created"] == 0 and again.totals()["unchanged"] == 2, again.text()
    assert (Opinion.objects.count(), Transition.objects.count(), Reply.objects.count(), Evaluation.objects.count()) == snapshot


def test_opinion_state_rules_are_checked(ledger, tmp_path):
    t0 = timezone.localtime(timezone.now() - dt.timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    future = timezone.localtime(timezone.now() + dt.timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    head = ["来源编号", "登记时间", "来源渠道", "阵地编码", "标题", "内容", "办理状态", "答复内容", "办结时间", "联系电话"]
    rows = [head,
            ["R-1", t0, "接待日", ledger.station.code, "a", "b", "已办结", "", "", ""],          # closed without reply/closing time
            ["R-2", future, "接待日", ledger.station.code, "a", "b", "", "", "", ""],           # registered in the future
            ["R-3", t0, "代表收集", ledger.station.code, "a", "b", "", "", "", ""],              # deputy channel without a deputy
            ["R-4", t0, "接待日", "NO-SUCH", "a", "b", "", "", "", "12345"],                     # unknown position, bad phone
            ["", t0, "接待日", ledger.station.code, "a", "b", "", "", "", ""]]                    # no key: would duplicate on re-import
    before = Opinion.objects.count()
    report = run_import(write_csv(tmp_path / "bad.csv", rows), dry_run=False)
    found = {(p.row, p.column, p.code) for p in report.problems}
    assert (2, "答复内容", "required") in found
    assert (2, "办结时间", "required") in found
    assert (3, "登记时间", "in_future") in found
    assert (4, "收集代表证号", "required") in found or any(r == 4 and c == "required" for r, _col, c in found)
    assert (5, "阵地编码", "unknown_position") in found
    assert (5, "联系电话", "bad_phone") in found
    assert any(r == 6 and c == "required" for r, _col, c in found)
    assert Opinion.objects.count() == before
