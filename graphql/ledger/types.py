"""Ledger kinds and columns, import batches with their dry-run report, export jobs."""
from __future__ import annotations

import uuid

import graphene
from django.db import connection

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


LedgerFormat = graphene.Enum("LedgerFormat", [("CSV", "csv"), ("XLSX", "xlsx")], description="File format of a ledger.")


class LedgerColumn(graphene.ObjectType):
    key = graphene.String(required=True, description="English column name (accepted as a header too).")
    header = graphene.String(required=True, description="Chinese header, as in the templates.")
    required = graphene.Boolean(required=True)
    guide = graphene.String(required=True)
    example = graphene.String(required=True)
    personal = graphene.Boolean(required=True, description="Personal data: masked in exports without the right to read it.")
    choices = graphene.List(graphene.NonNull(graphene.String), required=True)


class LedgerKindInfo(graphene.ObjectType):
    key = graphene.String(required=True)
    title = graphene.String(required=True)
    sheet = graphene.String(required=True, description="Sheet name in XLSX files.")
    description = graphene.String(required=True)
    columns = graphene.List(graphene.NonNull(LedgerColumn), required=True)
    template_csv_url = graphene.String(required=True)
    template_xlsx_url = graphene.String(required=True)

    def resolve_columns(kind, info):
        return [LedgerColumn(key=c.key, header=c.header, required=c.required, guide=c.guide, example=c.example,
                             personal=c.personal, choices=list(c.choices)) for c in kind.exported_columns]

    def resolve_template_csv_url(kind, info):
        return f"/ledger/templates/{kind.key}.csv"

    def resolve_template_xlsx_url(kind, info):
        return f"/ledger/templates/{kind.key}.xlsx"


class LedgerProblem(graphene.ObjectType):
    sheet = graphene.String(required=True)
    row = graphene.Int(required=True, description="Row number as a spreadsheet program shows it (0: the whole file).")
    column = graphene.String(required=True, description="The column's header as written in the file.")
    letter = graphene.String(required=True, description="Spreadsheet column letter.")
    value = graphene.String(required=True)
    message = graphene.String(required=True)
    code = graphene.String(required=True)


class LedgerSheetCounts(graphene.ObjectType):
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
    status = graphene.String(required=True, description="staged, checked, rejected, applying, applied, failed")
    status_label = graphene.String(required=True)
    rows_done = graphene.Int(required=True, description="Rows processed so far (progress).")
    ok = graphene.Boolean(description="Dry run found no problem (null until checked).")
    dry_run = graphene.Boolean()
    applied = graphene.Boolean(required=True)
    summary = graphene.String()
    problem_count = graphene.Int(required=True)
    problems = graphene.List(graphene.NonNull(LedgerProblem), required=True, first=graphene.Int(default_value=100))
    warnings = graphene.List(graphene.NonNull(LedgerProblem), required=True, first=graphene.Int(default_value=100))
    sheets = graphene.List(graphene.NonNull(LedgerSheetCounts), required=True)
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
    kind = graphene.String(required=True)
    rows = graphene.Int(required=True)


class LedgerExport(graphene.ObjectType):
    """An export running in the background; download it from `downloadUrl` when DONE."""

    id = graphene.ID(required=True)
    kinds = graphene.List(graphene.NonNull(graphene.String), required=True)
    format = graphene.String(required=True)
    status = graphene.String(required=True, description="pending, running, done, failed")
    status_label = graphene.String(required=True)
    include_personal = graphene.Boolean(required=True)
    filters = graphene.JSONString(required=True)
    rows_done = graphene.Int(required=True)
    row_counts = graphene.List(graphene.NonNull(LedgerRowCount), required=True)
    filename = graphene.String()
    error = graphene.String()
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
