"""Ledger kinds and columns, import batches with their dry-run report, export jobs."""
from __future__ import annotations

import uuid

import graphene
from django.db import connection

from liaison.graphql.core.enums import enum_from
from liaison.graphql.core.relay import decode_global_id, encode_global_id
from liaison.tenants.ledger.models import ExportJob, ImportBatch


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def ledger_gid(type_name: str, pk) -> str:
    return encode_global_id(type_name, pk)


def ledger_pk(global_id: str | None, type_name: str) -> str | None:
    """The UUID on this host of a ledger global ID (or of a bare UUID, as POST /ledger/uploads
    answers: it is looked up in this host's schema only), or None (another host's id)."""
    if is_uuid(global_id or ""):
        return str(global_id)
    parsed = decode_global_id(global_id or "")
    if parsed is None:
        return None
    kind, schema, pk = parsed
    if kind != type_name or schema != connection.schema_name:
        return None
    return pk


LedgerImportStatus = enum_from(ImportBatch.Status, "LedgerImportStatus", "台账导入批次状态 (state of an import batch).")
LedgerExportStatus = enum_from(ExportJob.Status, "LedgerExportStatus", "台账导出任务状态 (state of an export job).")
LedgerFormat = graphene.Enum("LedgerFormat", [("CSV", "csv"), ("XLSX", "xlsx")], description="File format of a ledger.")


class LedgerColumn(graphene.ObjectType):
    """台账的一列 (a column of a ledger)."""

    key = graphene.String(required=True, description="English column name (accepted as a header too).")
    header = graphene.String(required=True, description="Chinese header, as in the templates.")
    required = graphene.Boolean(required=True, description='必填列 (the column must have a value).')
    guide = graphene.String(required=True, description='填写说明 (how to fill it in).')
    example = graphene.String(required=True, description='示例值 (an example value).')
    personal = graphene.Boolean(required=True, description="Personal data: masked in exports without the right to read it.")
    choices = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description='可选值 (the accepted values; empty: free text).')


class LedgerKindInfo(graphene.ObjectType):
    """可导入导出的台账 (a ledger that can be imported and exported, with its columns and templates)."""

    key = graphene.String(required=True)
    title = graphene.String(required=True)
    sheet = graphene.String(required=True, description="Sheet name in XLSX files.")
    description = graphene.String(required=True)
    columns = graphene.List(graphene.NonNull(LedgerColumn), required=True,
                            description="各列 (the ledger's columns, in template order).")
    template_csv_url = graphene.String(required=True, description='CSV 模板下载地址 (CSV template, on this host).')
    template_xlsx_url = graphene.String(required=True, description='XLSX 模板下载地址 (XLSX template, on this host).')

    def resolve_columns(kind, info):
        return [LedgerColumn(key=c.key, header=c.header, required=c.required, guide=c.guide, example=c.example,
                             personal=c.personal, choices=list(c.choices)) for c in kind.exported_columns]

    def resolve_template_csv_url(kind, info):
        return f"/ledger/templates/{kind.key}.csv"

    def resolve_template_xlsx_url(kind, info):
        return f"/ledger/templates/{kind.key}.xlsx"


class LedgerProblem(graphene.ObjectType):
    """台账中的一个问题 (a problem at a cell, row or file of an imported ledger)."""

    sheet = graphene.String(required=True)
    row = graphene.Int(required=True, description="Row number as a spreadsheet program shows it (0: the whole file).")
    column = graphene.String(required=True, description="The column's header as written in the file.")
    letter = graphene.String(required=True, description="Spreadsheet column letter.")
    value = graphene.String(required=True)
    message = graphene.String(required=True)
    code = graphene.String(required=True)


class LedgerSheetCounts(graphene.ObjectType):
    """一个工作表的计数 (row counts of one sheet of an import)."""

    kind = graphene.String(required=True)
    sheet = graphene.String(required=True)
    rows = graphene.Int(required=True)
    created = graphene.Int(required=True)
    updated = graphene.Int(required=True)
    unchanged = graphene.Int(required=True)
    errors = graphene.Int(required=True)


def _problems(items, first):
    return [LedgerProblem(**p) for p in (items or [])[: max(0, min(first, 5000))]]


class LedgerImport(graphene.ObjectType):
    """A staged ledger file: its dry-run report, then its import."""

    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    filename = graphene.String(required=True)
    status = graphene.Field(LedgerImportStatus, required=True, description="导入批次状态 (state of the batch).")
    status_label = graphene.String(required=True)
    rows_done = graphene.Int(required=True, description="Rows processed so far (progress).")
    ok = graphene.Boolean(description="Dry run found no problem (null until checked).")
    dry_run = graphene.Boolean()
    applied = graphene.Boolean(required=True, description='已导入 (the rows were written).')
    summary = graphene.String()
    problem_count = graphene.Int(required=True)
    problems = graphene.List(graphene.NonNull(LedgerProblem), required=True, first=graphene.Int(default_value=100),
                             description='问题 (problems that block the import; the first `first` of them).')
    warnings = graphene.List(graphene.NonNull(LedgerProblem), required=True, first=graphene.Int(default_value=100))
    sheets = graphene.List(graphene.NonNull(LedgerSheetCounts), required=True, description='各工作表计数 (counts per sheet).')
    created_at = graphene.DateTime(required=True)
    checked_at = graphene.DateTime()
    applied_at = graphene.DateTime()

    def resolve_id(batch, info):
        return ledger_gid("LedgerImport", batch.pk)

    def resolve_status_label(batch, info):
        return batch.get_status_display()

    def resolve_ok(batch, info):
        return batch.report.get("ok") if batch.report else None

    def resolve_dry_run(batch, info):
        return batch.report.get("dry_run") if batch.report else None

    def resolve_applied(batch, info):
        return batch.status == ImportBatch.Status.APPLIED

    def resolve_summary(batch, info):
        return (batch.report or {}).get("summary") or (batch.report or {}).get("error")

    def resolve_problem_count(batch, info):
        return (batch.report or {}).get("problem_count", 0)

    def resolve_problems(batch, info, first=100):
        return _problems((batch.report or {}).get("problems"), first)

    def resolve_warnings(batch, info, first=100):
        return _problems((batch.report or {}).get("warnings"), first)

    def resolve_sheets(batch, info):
        return [LedgerSheetCounts(**{k: s.get(k, 0 if k not in ("kind", "sheet") else "") for k in
                                     ("kind", "sheet", "rows", "created", "updated", "unchanged", "errors")})
                for s in (batch.report or {}).get("sheets", [])]


class LedgerRowCount(graphene.ObjectType):
    """一种台账的导出行数 (rows exported for one ledger kind)."""

    kind = graphene.String(required=True)
    rows = graphene.Int(required=True)


class LedgerExport(graphene.ObjectType):
    """An export running in the background; download it from `downloadUrl` when DONE."""

    id = graphene.ID(required=True)
    kinds = graphene.List(graphene.NonNull(graphene.String), required=True, description='导出的台账 (the ledger kinds exported).')
    format = graphene.Field(LedgerFormat, required=True, description="文件格式 (file format).")
    status = graphene.Field(LedgerExportStatus, required=True, description="导出任务状态 (state of the job).")
    status_label = graphene.String(required=True)
    include_personal = graphene.Boolean(required=True, description='含个人信息 (personal data included unmasked).')
    filters = graphene.JSONString(required=True, description='筛选条件 (the filters asked for, JSON).')
    rows_done = graphene.Int(required=True)
    row_counts = graphene.List(graphene.NonNull(LedgerRowCount), required=True, description='各台账行数 (rows per ledger kind).')
    filename = graphene.String()
    error = graphene.String(description='失败原因 (why it failed; null otherwise).')
    download_url = graphene.String(description="On this prefecture's host; checks the caller's permissions again.")
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()

    def resolve_id(job, info):
        return ledger_gid("LedgerExport", job.pk)

    def resolve_status_label(job, info):
        return job.get_status_display()

    def resolve_row_counts(job, info):
        return [LedgerRowCount(kind=k, rows=n) for k, n in (job.row_counts or {}).items()]

    def resolve_error(job, info):
        return job.error or None

    def resolve_filename(job, info):
        return job.filename or None

    def resolve_download_url(job, info):
        if job.status != ExportJob.Status.DONE:
            return None
        return info.context.build_absolute_uri(job.download_path) if hasattr(info.context, "build_absolute_uri") else job.download_path
