"""The three ways in and out — command line, admin, API — and that a second prefecture
(qujing) can neither see nor change kunming's ledgers through any of them."""
from __future__ import annotations

import base64
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Role
from liaison.tenants.ledger.models import ExportJob, ImportBatch
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.positions.models import Position

from .conftest import write_csv, write_xlsx
from .test_import import DIVISIONS, POSITIONS

pytestmark = pytest.mark.django_db

BAD_POSITIONS = [POSITIONS[0], ["PL-X-01", "坏行", "代表工作站", "盘龙区", "没有这个街道", "", "", "已运行", "2021-02-30", "", ""]]


def positions_file(tmp_path, rows=None):
    name = "阵地.xlsx" if rows is None else f"阵地-{abs(hash(str(rows)))}.xlsx"
    return write_xlsx(tmp_path / name, {"行政区划": DIVISIONS, "阵地": rows or POSITIONS})


def count(schema: str, **filters) -> int:
    with schema_context(schema):
        return Position.objects.filter(**filters).count()


# --- command line ----------------------------------------------------------------------------

def test_command_template_dry_run_import_and_export(kunming, qujing, tmp_path):
    out = io.StringIO()
    template = tmp_path / "模板.xlsx"
    call_command("ledger", "template", "--kind", "positions", "-o", str(template), stdout=out)
    assert openpyxl.load_workbook(template).sheetnames == ["阵地", "填表说明"]

    path = positions_file(tmp_path)
    call_command("ledger", "import", str(path), "--prefecture", "kunming", "--dry-run", "-q", stdout=out)
    assert "试导入" in out.getvalue() and count("kunming", code__startswith="PL-") == 0

    bad = positions_file(tmp_path, BAD_POSITIONS)
    report = tmp_path / "problems.csv"
    with pytest.raises(CommandError) as raised:
        call_command("ledger", "import", str(bad), "--prefecture", "kunming", "--report", str(report), "-q", stdout=io.StringIO())
    assert raised.value.returncode == 1 and "未写入任何数据" in str(raised.value)
    assert "没有这个街道" in report.read_text(encoding="utf-8") and count("kunming", code__startswith="PL-") == 0

    out = io.StringIO()
    call_command("ledger", "import", str(path), "--prefecture", "kunming", "-q", stdout=out)
    assert "已导入" in out.getvalue() and count("kunming", code__startswith="PL-") == 3

    exported = tmp_path / "out.csv"
    call_command("ledger", "export", "--prefecture", "kunming", "--kind", "positions", "--format", "csv", "-o", str(exported),
                 "-q", stdout=io.StringIO())
    assert "PL-Z-01" in exported.read_text(encoding="utf-8-sig")


def test_command_touches_only_the_prefecture_it_names(kunming, qujing, tmp_path):
    call_command("ledger", "import", str(positions_file(tmp_path)), "--prefecture", "kunming", "-q", stdout=io.StringIO())
    qujing_divisions = write_csv(tmp_path / "q.csv", [["区划代码", "区划名称", "层级", "上级区划代码"], ["530302901", "曲靖测试街道", "乡镇", "530302"]])
    call_command("ledger", "import", str(qujing_divisions), "--prefecture", "qujing", "-q", stdout=io.StringIO())
    exported = tmp_path / "qujing.xlsx"
    call_command("ledger", "export", "--prefecture", "qujing", "--kind", "all", "-o", str(exported), "-q", stdout=io.StringIO())
    text = json.dumps(read_all(exported), ensure_ascii=False)
    assert "曲靖测试街道" in text and "PL-Z-01" not in text and "拓东街道" not in text
    # kunming's file imported into qujing fails on kunming's divisions instead of touching kunming
    with pytest.raises(CommandError):
        call_command("ledger", "import", str(positions_file(tmp_path, POSITIONS)), "--prefecture", "qujing", "--kind", "positions",
                     "-q", stdout=io.StringIO())
    assert count("qujing", code__startswith="PL-") == 0 and count("kunming", code__startswith="PL-") == 3
    with pytest.raises(CommandError):
        call_command("ledger", "import", str(positions_file(tmp_path)), "--prefecture", "nowhere", stdout=io.StringIO())


def read_all(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


# --- admin -----------------------------------------------------------------------------------

def test_admin_upload_report_and_confirm(kunming, make_user, tmp_path, django_capture_on_commit_callbacks):
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(make_user(Role.PREFECTURE_ADMIN, kunming))
    page = client.get("/admin/ledger/importbatch/add/")
    assert page.status_code == 200 and "先<strong>试导入</strong>" in page.content.decode()

    with open(positions_file(tmp_path, BAD_POSITIONS), "rb") as fh:
        response = client.post("/admin/ledger/importbatch/add/", {"file": fh, "kind": "auto"})
    assert response.status_code == 302
    report = client.get(response["Location"]).content.decode()
    assert "没有这个街道" in report and "建成日期" in report and "确认导入" not in report
    assert count("kunming", code__startswith="PL-") == 0

    with open(positions_file(tmp_path), "rb") as fh:
        response = client.post("/admin/ledger/importbatch/add/", {"file": fh, "kind": "auto"})
    report = client.get(response["Location"]).content.decode()
    assert "试导入（未写入）" in report and "确认导入" in report
    assert count("kunming", code__startswith="PL-") == 0
    with schema_context("kunming"):
        batch = ImportBatch.objects.get(status="checked")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/importbatch/{batch.pk}/confirm/")
    with schema_context("kunming"):
        batch.refresh_from_db()
    assert batch.status == "applied" and count("kunming", code__startswith="PL-") == 3


def test_admin_export_and_download(ledger, kunming, make_user, django_capture_on_commit_callbacks):
    client = Client(HTTP_HOST="kunming.localhost")
    client.force_login(make_user(Role.PREFECTURE_ADMIN, kunming))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/ledger/exportjob/add/", {"kinds": ["opinions", "opinion_history"], "format": "xlsx",
                                                                "encoding": "utf-8-sig", "status": ["closed"], "personal": "on"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "done" and job.row_counts == {"opinions": 1, "opinion_history": 7} and job.include_personal
    listing = client.get("/admin/ledger/exportjob/").content.decode()
    assert job.download_path in listing
    download = client.get(job.download_path)
    assert download.status_code == 200
    sheets = read_all(io.BytesIO(b"".join(download.streaming_content)))
    assert [r[0] for r in sheets["意见建议"][1:]] == [ledger.opinions["closed"].tracking_code]


def test_admin_of_another_prefecture_sees_and_changes_nothing(kunming, qujing, make_user, tmp_path):
    with schema_context("kunming"):
        batch = ImportBatch.objects.create(filename="k.csv", file="ledger/kunming/imports/x/k.csv", status="checked")
        job = ExportJob.objects.create(kinds=["positions"], status="done", file="ledger/kunming/exports/x/k.xlsx", filename="k.xlsx")
    qujing_admin = make_user(Role.PREFECTURE_ADMIN, qujing)
    on_kunming = Client(HTTP_HOST="kunming.localhost")
    on_kunming.force_login(qujing_admin)
    # (the admin site is closed to them on kunming's host: 302 to its login page)
    assert on_kunming.get("/admin/ledger/importbatch/add/").status_code in (302, 403)
    assert on_kunming.get(f"/admin/ledger/importbatch/{batch.pk}/change/").status_code in (302, 403)
    assert on_kunming.post(f"/admin/ledger/importbatch/{batch.pk}/confirm/").status_code in (302, 403)
    assert on_kunming.get("/admin/ledger/exportjob/").status_code in (302, 403)
    assert on_kunming.get(job.download_path).status_code == 403
    on_qujing = Client(HTTP_HOST="qujing.localhost")
    on_qujing.force_login(qujing_admin)
    assert on_qujing.get(f"/admin/ledger/importbatch/{batch.pk}/change/").status_code == 404
    assert on_qujing.post(f"/admin/ledger/importbatch/{batch.pk}/confirm/").status_code == 302
    with schema_context("kunming"):
        batch.refresh_from_db()
    assert batch.status == "checked"                       # untouched: that id does not exist on qujing's host
    assert on_qujing.get(job.download_path).status_code == 404


# --- API -------------------------------------------------------------------------------------

def gql(host: str, query: str, variables: dict | None = None, key: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    response = Client(HTTP_HOST=host).post("/graphql/", json.dumps({"query": query, "variables": variables or {}}),
                                           content_type="application/json", **headers)
    return response.json()


IMPORT = """mutation($input: ImportLedgerInput!) { importLedger(input: $input) {
  errors { field message code }
  ledgerImport { id status ok applied problemCount problems { sheet row column letter message code } sheets { kind created } } } }"""
EXPORT = """mutation($input: RequestLedgerExportInput!) { requestLedgerExport(input: $input) {
  errors { field message code } ledgerExport { id status includePersonal downloadUrl rowCounts { kind rows } } } }"""


def b64(path) -> str:
    return base64.b64encode(open(path, "rb").read()).decode()


def test_api_upload_dry_run_then_confirm(kunming, make_key, tmp_path, django_capture_on_commit_callbacks):
    key = make_key("kunming", write=True)
    bad = gql("kunming.localhost", IMPORT, {"input": {"filename": "阵地.xlsx", "contentBase64": b64(positions_file(tmp_path, BAD_POSITIONS))}}, key)
    result = bad["data"]["importLedger"]["ledgerImport"]
    assert result["status"] == "REJECTED" and result["ok"] is False and result["problemCount"] == 2
    assert {(p["sheet"], p["row"], p["column"]) for p in result["problems"]} == {("阵地", 2, "所在乡镇（街道）"), ("阵地", 2, "建成日期")}

    good = gql("kunming.localhost", IMPORT, {"input": {"filename": "阵地.xlsx", "contentBase64": b64(positions_file(tmp_path))}}, key)
    staged = good["data"]["importLedger"]["ledgerImport"]
    assert staged["status"] == "CHECKED" and staged["ok"] is True and count("kunming", code__startswith="PL-") == 0
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = gql("kunming.localhost", IMPORT, {"input": {"stagedId": staged["id"], "dryRun": False}}, key)
    assert confirmed["data"]["importLedger"]["ledgerImport"]["status"] == "APPLYING"
    assert count("kunming", code__startswith="PL-") == 3
    state = gql("kunming.localhost", "query($id: ID!) { ledgerImport(id: $id) { status applied } }", {"id": staged["id"]}, key)
    assert state["data"]["ledgerImport"] == {"status": "APPLIED", "applied": True}


def test_api_staged_file_upload_and_import(kunming, make_key, tmp_path, django_capture_on_commit_callbacks):
    key = make_key("kunming", write=True)
    client = Client(HTTP_HOST="kunming.localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    with open(positions_file(tmp_path), "rb") as fh:
        response = client.post("/ledger/uploads", {"file": fh})
    assert response.status_code == 201
    staged = response.json()
    assert staged["status"] == "checked" and staged["ok"] is True
    with django_capture_on_commit_callbacks(execute=True):
        gql("kunming.localhost", IMPORT, {"input": {"stagedId": staged["id"], "dryRun": False}}, key)
    assert count("kunming", code__startswith="PL-") == 3
    read_only = Client(HTTP_HOST="kunming.localhost", HTTP_AUTHORIZATION=f"Bearer {make_key('kunming')}")
    with open(positions_file(tmp_path), "rb") as fh:
        assert read_only.post("/ledger/uploads", {"file": fh}).status_code == 403


def test_api_export_job_download_and_personal_data(ledger, make_key, django_capture_on_commit_callbacks):
    reader = make_key("kunming")                       # no personal data
    with django_capture_on_commit_callbacks(execute=True):
        answer = gql("kunming.localhost", EXPORT, {"input": {"kinds": ["opinions"], "format": "CSV"}}, reader)
    job = answer["data"]["requestLedgerExport"]["ledgerExport"]
    assert job["includePersonal"] is False and job["status"] == "PENDING"
    done = gql("kunming.localhost", "query($id: ID!) { ledgerExport(id: $id) { status downloadUrl rowCounts { kind rows } } }",
               {"id": job["id"]}, reader)["data"]["ledgerExport"]
    assert done["status"] == "DONE" and done["rowCounts"] == [{"kind": "opinions", "rows": 4}]
    url = done["downloadUrl"].split("kunming.localhost")[-1]
    body = Client(HTTP_HOST="kunming.localhost", HTTP_AUTHORIZATION=f"Bearer {reader}").get(url)
    text = b"".join(body.streaming_content).decode("utf-8-sig")
    assert body.status_code == 200 and "王**" in text and "王某某" not in text and "13912345678" not in text
    with schema_context("kunming"):      # a read key must not get the codes that let it act as the citizen
        assert not any(op.tracking_code in text for op in Opinion.objects.all())
    assert Client(HTTP_HOST="kunming.localhost").get(url).status_code == 401          # anonymous
    refused = gql("kunming.localhost", EXPORT, {"input": {"kinds": ["opinions"], "personal": True}}, reader)
    # a permission failure is a top-level FORBIDDEN, as everywhere (docs/API.md "Errors")
    assert refused["data"]["requestLedgerExport"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]

    personal = make_key("kunming", personal=True)
    with django_capture_on_commit_callbacks(execute=True):
        answer = gql("kunming.localhost", EXPORT, {"input": {"kinds": ["opinions"], "format": "CSV"}}, personal)
    job2 = answer["data"]["requestLedgerExport"]["ledgerExport"]
    assert job2["includePersonal"] is True
    with schema_context("kunming"):
        path = ExportJob.objects.get(pk=json_uuid(job2["id"])).download_path
    assert "王某某" in b"".join(Client(HTTP_HOST="kunming.localhost", HTTP_AUTHORIZATION=f"Bearer {personal}")
                              .get(path).streaming_content).decode("utf-8-sig")
    assert Client(HTTP_HOST="kunming.localhost", HTTP_AUTHORIZATION=f"Bearer {reader}").get(path).status_code == 403


def json_uuid(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":")[2]


def test_api_of_another_prefecture_cannot_see_or_change_kunming(ledger, make_key, tmp_path, django_capture_on_commit_callbacks):
    kunming_key = make_key("kunming", write=True, personal=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = gql("kunming.localhost", EXPORT, {"input": {"kinds": ["all"]}}, kunming_key)["data"]["requestLedgerExport"]["ledgerExport"]
    with schema_context("kunming"):
        path = ExportJob.objects.get(pk=json_uuid(job["id"])).download_path
    qujing_key = make_key("qujing", write=True, personal=True)
    # kunming's job id on qujing's host: not found, by id and by URL
    found = gql("qujing.localhost", "query($id: ID!) { ledgerExport(id: $id) { status } }", {"id": job["id"]}, qujing_key)
    assert found["data"]["ledgerExport"] is None
    found = gql("qujing.localhost", "query($id: ID!) { ledgerExport(id: $id) { status } }", {"id": json_uuid(job["id"])}, qujing_key)
    assert found["data"]["ledgerExport"] is None
    assert Client(HTTP_HOST="qujing.localhost", HTTP_AUTHORIZATION=f"Bearer {qujing_key}").get(path).status_code == 404
    # qujing's key on kunming's host: refused before anything runs
    refused = gql("kunming.localhost", IMPORT, {"input": {"filename": "p.xlsx", "contentBase64": b64(positions_file(tmp_path))}}, qujing_key)
    assert refused["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED") and not refused.get("data")
    assert Client(HTTP_HOST="kunming.localhost", HTTP_AUTHORIZATION=f"Bearer {qujing_key}").get(path).status_code in (401, 403)
    # kunming's staged batch confirmed from qujing's host: not found there, nothing imported anywhere
    staged = gql("kunming.localhost", IMPORT, {"input": {"filename": "p.xlsx", "contentBase64": b64(positions_file(tmp_path))}},
                 kunming_key)["data"]["importLedger"]["ledgerImport"]
    with django_capture_on_commit_callbacks(execute=True):
        other = gql("qujing.localhost", IMPORT, {"input": {"stagedId": staged["id"], "dryRun": False}}, qujing_key)
    assert other["data"]["importLedger"]["errors"][0]["code"] == "NOT_FOUND"
    assert count("kunming", code__startswith="PL-") == 0 and count("qujing", code__startswith="PL-") == 0
    # a read-only kunming key may export but not import
    reader = make_key("kunming")
    denied = gql("kunming.localhost", IMPORT, {"input": {"filename": "p.xlsx", "contentBase64": b64(positions_file(tmp_path))}}, reader)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_templates_are_downloadable_from_a_prefecture_host(kunming):
    client = Client(HTTP_HOST="kunming.localhost")
    xlsx = client.get("/ledger/templates/opinions.xlsx")
    assert xlsx.status_code == 200 and openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "承办单位", "意见建议", "办理过程", "填表说明"]
    csv = client.get("/ledger/templates/deputies.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("代表证号,姓名,代表层级")
    assert client.get("/ledger/templates/nothing.csv").status_code == 404
    kinds = gql("kunming.localhost", "{ ledgerKinds { key title columns { header required } templateXlsxUrl } }")
    positions = next(k for k in kinds["data"]["ledgerKinds"] if k["key"] == "positions")
    assert positions["columns"][0] == {"header": "阵地编码", "required": True}


def test_command_export_without_personal_hides_tracking_codes(ledger, tmp_path):
    out = tmp_path / "o.csv"
    call_command("ledger", "export", "--prefecture", "kunming", "--kind", "opinions", "--format", "csv", "-o", str(out),
                 "-q", stdout=io.StringIO())
    text = out.read_text(encoding="utf-8-sig")
    codes = list(Opinion.objects.values_list("tracking_code", flat=True))
    assert codes and not any(code in text for code in codes)
    call_command("ledger", "export", "--prefecture", "kunming", "--kind", "opinions", "--format", "csv", "-o", str(out),
                 "--personal", "-q", stdout=io.StringIO())
    assert all(code in out.read_text(encoding="utf-8-sig") for code in codes)
