"""Ledger import/export (台账) over GraphQL: upload a ledger (base64 or a staged file),
see its dry-run report, confirm it; request an export and fetch it when ready.

    mutation { importLedger(input: {filename: "阵地.xlsx", contentBase64: "…"}) {
                 errors { field message code } ledgerImport { id status ok problems { row column message } } } }
    mutation { importLedger(input: {stagedId: "…", dryRun: false}) { ledgerImport { status } } }
    mutation { requestLedgerExport(input: {kinds: ["opinions", "opinion_history"], format: XLSX,
                 dateFrom: "2024-01-01", status: ["replied"]}) { ledgerExport { id status downloadUrl } } }
    { ledgerExport(id: "…") { status rowCounts { kind rows } downloadUrl } }

A staged file is one uploaded with `POST /ledger/uploads` (multipart, field `file`),
which answers its id. Everything goes through liaison.tenants.ledger.services; ids are
global IDs carrying the prefecture's schema, so another host's id is not found here.
"""
from __future__ import annotations

import graphene
from django.db import connection

from liaison.graphql import permissions
from liaison.graphql.common import ServiceMutation, mutation_permissions
from liaison.graphql.relay import decode_global_id, encode_global_id
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.ledger import services, spec
from liaison.tenants.ledger.models import ExportJob, ImportBatch


def ledger_gid(type_name: str, pk) -> str:
    return encode_global_id(type_name, pk)


def ledger_pk(global_id: str | None, type_name: str) -> str | None:
    """The UUID on this host of a ledger global ID (or of a bare UUID, as POST /ledger/uploads
    answers: it is looked up in this host's schema only), or None (another host's id)."""
    if services._is_uuid(global_id or ""):
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


class LedgerQuery(graphene.ObjectType):
    ledger_kinds = graphene.List(graphene.NonNull(LedgerKindInfo), required=True,
                                 description="The ledgers that can be imported and exported, with their columns and templates.")
    ledger_import = graphene.Field(LedgerImport, id=graphene.ID(required=True), description="A staged or imported ledger file.")
    ledger_export = graphene.Field(LedgerExport, id=graphene.ID(required=True), description="An export job of this prefecture.")

    def resolve_ledger_kinds(root, info):
        return spec.kinds()

    def resolve_ledger_import(root, info, id):  # noqa: A002
        permissions.require(info, Op.MANAGE)
        pk = ledger_pk(id, "LedgerImport")
        return ImportBatch.objects.filter(pk=pk).first() if pk and services._is_uuid(pk) else None

    def resolve_ledger_export(root, info, id):  # noqa: A002
        permissions.require(info, Op.READ)
        pk = ledger_pk(id, "LedgerExport")
        return ExportJob.objects.filter(pk=pk).first() if pk and services._is_uuid(pk) else None


def _as_service_error(exc: PermissionError, field: str = "id") -> ServiceError:
    return ServiceError.single(field, str(exc), "forbidden")


class ImportLedger(ServiceMutation):
    """Upload a ledger and dry-run it (default), or import it: give `contentBase64` with
    `filename`, or the `stagedId` of a file uploaded earlier. `dryRun: false` with a
    staged id confirms a batch whose dry run was clean; with new content it imports the
    file if (and only if) it has no problem. Large files are checked in the background:
    poll `ledgerImport(id)`."""

    op = Op.MANAGE
    ledger_import = graphene.Field(LedgerImport)

    class Input:
        kind = graphene.String(default_value="auto", description="auto, or one of ledgerKinds.key")
        filename = graphene.String(description="With contentBase64: the file name (.csv or .xlsx).")
        content_base64 = graphene.String(description="The file, base64-encoded.")
        staged_id = graphene.ID(description="A file staged with POST /ledger/uploads, or an earlier importLedger.")
        dry_run = graphene.Boolean(default_value=True)

    @classmethod
    def perform(cls, root, info, kind="auto", filename=None, content_base64=None, staged_id=None, dry_run=True, **_):
        principal = permissions.principal(info)
        if bool(content_base64) == bool(staged_id):
            raise ServiceError.single("contentBase64", "give either contentBase64 (with filename) or stagedId", "required")
        try:
            if content_base64:
                content = services.decode_base64(content_base64)
                batch = services.stage_import(principal=principal, filename=filename or "", content=content, kind=kind,
                                              apply_when_clean=not dry_run)
            else:
                pk = ledger_pk(staged_id, "LedgerImport")
                if pk is None:
                    raise ServiceError.single("stagedId", "未找到该导入批次 (not found on this host)", "not_found")
                if dry_run:
                    batch = services.recheck(pk, principal=principal)
                else:
                    batch = services.confirm_import(pk, principal=principal)
        except PermissionError as exc:
            raise _as_service_error(exc) from None
        return {"ledger_import": batch}


class RequestLedgerExport(ServiceMutation):
    """Export ledgers of this prefecture in the background (poll ledgerExport, then
    download). Personal data is included when the caller may read it, masked otherwise
    (`personal: false` masks it anyway)."""

    op = Op.READ
    ledger_export = graphene.Field(LedgerExport)

    class Input:
        kinds = graphene.List(graphene.NonNull(graphene.String), required=True,
                              description="all, or ledgerKinds keys: divisions, positions, deputies, stationing, units, opinions, opinion_history")
        format = LedgerFormat(default_value="xlsx")
        encoding = graphene.String(default_value="utf-8-sig", description="CSV: utf-8-sig, utf-8 or gbk")
        date_from = graphene.Date(description="Opinions registered on or after (positions established, stationing periods).")
        date_to = graphene.Date()
        status = graphene.List(graphene.NonNull(graphene.String), description="Opinion status codes (or position status codes).")
        positions = graphene.List(graphene.NonNull(graphene.String), description="Position codes.")
        categories = graphene.List(graphene.NonNull(graphene.String), description="Opinion category codes or names.")
        personal = graphene.Boolean(description="Default: included when allowed.")

    @classmethod
    def perform(cls, root, info, kinds, format="xlsx", encoding="utf-8-sig", date_from=None, date_to=None, status=None,  # noqa: A002
                positions=None, categories=None, personal=None, **_):
        principal = permissions.principal(info)
        filters = {"date_from": date_from.isoformat() if date_from else None, "date_to": date_to.isoformat() if date_to else None,
                   "status": status or [], "positions": positions or [], "categories": categories or []}
        fmt = getattr(format, "value", format)
        try:
            job = services.request_export(principal=principal, kinds=kinds, fmt=fmt, filters=filters, encoding=encoding,
                                          personal=personal)
        except PermissionError as exc:
            raise _as_service_error(exc, "personal") from None
        return {"ledger_export": job}


class LedgerMutation(graphene.ObjectType):
    import_ledger = ImportLedger.Field()
    request_ledger_export = RequestLedgerExport.Field()


ROOT_PERMISSIONS = {
    "Query.ledgerKinds": Op.PUBLIC,
    "Query.ledgerImport": Op.MANAGE,
    "Query.ledgerExport": Op.READ,
    **mutation_permissions(LedgerMutation),
}
