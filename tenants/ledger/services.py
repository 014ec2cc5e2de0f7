"""Ledger import and export as services: what the command line, the admin, the API and
the Celery tasks call.

Imports: `stage_import` stores the file as an ImportBatch and queues its dry run;
`check_batch` runs the dry run (every problem, nothing written); `apply_batch` imports
a batch whose dry run was clean, in one transaction. `import_file` does dry run or
import in one call (the command line).
Exports: `request_export` records an ExportJob and queues it; `run_export` writes the
file; `export_file` writes directly (the command line).
Who may: importing needs the prefecture administrator role or a read/write API key of
this prefecture; exporting needs read access; personal data only with
Principal.can_read_personal(schema).
"""
from __future__ import annotations

import base64
import binascii
import logging
import os
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.utils import timezone

from liaison.platform.accounts.principal import Op, Principal
from liaison.tenants.common.errors import FieldError, ServiceError

from . import exporting, spec
from .exporting import ExportFilters
from .importing import run_import
from .models import ExportJob, ImportBatch
from .report import ImportReport

log = logging.getLogger("liaison.ledger")

MAX_UPLOAD_BYTES = int(os.environ.get("LIAISON_LEDGER_MAX_UPLOAD_MB", "200")) * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".zip")


# --- who may ---------------------------------------------------------------------------------

def schema() -> str:
    return connection.schema_name


def on_prefecture() -> bool:
    return schema() not in ("public", "tenant_template")


def can_import(principal: Principal, schema_name: str | None = None) -> bool:
    """Bulk writes of positions, deputies and opinions: MANAGE on this prefecture (its
    administrators, read/write API keys); station staff handle opinions one by one."""
    return principal.can(Op.MANAGE, schema_name or schema())


def can_export(principal: Principal, schema_name: str | None = None) -> bool:
    return principal.can(Op.READ, schema_name or schema())


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionError(message)


def _check_kind(kind: str | None) -> str:
    if not kind or kind == "auto":
        return "auto"
    try:
        return spec.get_kind(kind).key
    except KeyError:
        raise ServiceError.single("kind", f"未知的台账类型：{kind}（可选：auto、{'、'.join(spec.kind_names())}）", "unknown_kind") from None


# --- progress outside the import's transaction --------------------------------------------

class ProgressWriter:
    """Writes rows_done on a second connection, so a batch's or job's progress is visible
    while its transaction is still open; never fails the import."""

    def __init__(self, table: str, pk):
        self.table, self.pk = table, str(pk)
        self.schema = schema()
        self.conn = None
        self.total = 0

    def __call__(self, sheet: str, rows: int, problems: int = 0) -> None:
        self.update(rows)

    def update(self, rows: int) -> None:
        try:
            if self.conn is None:
                self.conn = connections.create_connection("default")
                self.conn.set_schema(self.schema)
            with self.conn.cursor() as cursor:
                cursor.execute(f'UPDATE "{self.table}" SET rows_done = %s WHERE id = %s', [rows, self.pk])
        except Exception:  # progress is a courtesy: never let it break the work
            log.debug("ledger progress update failed", exc_info=True)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # pragma: no cover
                pass
            self.conn = None


class _SheetProgress:
    """Adds the rows of finished sheets, so progress counts the whole file."""

    def __init__(self, writer: ProgressWriter):
        self.writer, self.done, self.current, self.sheet = writer, 0, 0, None

    def __call__(self, sheet: str, rows: int, problems: int = 0) -> None:
        if sheet != self.sheet:
            self.done += self.current
            self.sheet, self.current = sheet, 0
        self.current = rows
        self.writer.update(self.done + rows)


# --- imports -----------------------------------------------------------------------------------

def import_file(path: str | Path, *, kind: str | None = None, dry_run: bool = True, progress=None, actor: str = "",
                filename: str | None = None) -> ImportReport:
    """Dry run or import a file in the current prefecture's schema (the command line)."""
    kind = _check_kind(kind)
    return run_import(path, kind=None if kind == "auto" else kind, dry_run=dry_run, progress=progress, actor=actor, filename=filename)


def decode_base64(content: str) -> bytes:
    text = (content or "").strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError.single("content_base64", "不是有效的 base64 内容", "invalid") from None


SYNC_CHECK_BYTES = int(os.environ.get("LIAISON_LEDGER_SYNC_CHECK_KB", "2048")) * 1024


def stage_import(*, principal: Principal, filename: str, content: bytes | None = None, upload=None, kind: str = "auto",
                 check: bool = True, apply_when_clean: bool = False) -> ImportBatch:
    """Store an uploaded ledger file for this prefecture and run its dry run: at once for
    a small file (the caller sees the report in its answer), in the background for a
    large one. With apply_when_clean, a clean dry run is followed by the import."""
    _require(on_prefecture(), "台账只能在州市的站点导入")
    _require(can_import(principal), "只有本州市管理员（或有写权限的 API 密钥）可以导入台账")
    errors: list[FieldError] = []
    kind_key = "auto"
    try:
        kind_key = _check_kind(kind)
    except ServiceError as exc:
        errors += exc.errors
    name = Path((filename or "").replace("\\", "/")).name.strip()
    if not name:
        errors.append(FieldError("filename", "必须给出文件名（含扩展名 .csv 或 .xlsx）", "required"))
    elif not name.lower().endswith(ALLOWED_SUFFIXES):
        errors.append(FieldError("filename", "只接受 .csv、.xlsx 文件或 CSV 的 .zip 包", "unsupported_type"))
    size = len(content) if content is not None else getattr(upload, "size", 0) or 0
    if content is None and upload is None:
        errors.append(FieldError("content", "没有文件内容", "required"))
    elif size == 0:
        errors.append(FieldError("content", "文件是空的", "empty_file"))
    elif size > MAX_UPLOAD_BYTES:
        errors.append(FieldError("content", f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", "too_large"))
    if errors:
        raise ServiceError(errors)
    batch = ImportBatch(kind=kind_key, filename=name, size=size, created_by_id=principal.user_id, created_by_label=principal.label[:128],
                        apply_when_clean=apply_when_clean)
    batch.file.save(name, ContentFile(content) if content is not None else File(upload, name=name), save=False)
    batch.save()
    if check:
        if size <= SYNC_CHECK_BYTES and not apply_when_clean:
            batch = check_batch(batch.pk)
        else:
            _queue("check", batch.pk)
    return batch


def recheck(batch_id, *, principal: Principal) -> ImportBatch:
    """Run the dry run of a staged batch again (the data it refers to may have changed)."""
    _require(can_import(principal), "只有本州市管理员（或有写权限的 API 密钥）可以导入台账")
    batch = ImportBatch.objects.filter(pk=batch_id).first() if _is_uuid(batch_id) else None
    if batch is None:
        raise ServiceError.single("staged_id", "没有这个导入批次", "not_found")
    if batch.status not in (ImportBatch.Status.STAGED, ImportBatch.Status.CHECKED, ImportBatch.Status.REJECTED):
        raise ServiceError.single("staged_id", f"该批次{batch.get_status_display()}，不能再试导入", "not_staged")
    if batch.size <= SYNC_CHECK_BYTES:
        return check_batch(batch.pk)
    _queue("check", batch.pk)
    return batch


def _queue(action: str, batch_id) -> None:
    from . import tasks

    task = tasks.check_import if action == "check" else tasks.apply_import
    current = schema()
    transaction.on_commit(lambda: task.delay(str(batch_id), current))


def _local_path(field) -> tuple[str, bool]:
    """A path to read the stored file from (a temporary copy for non-local storage)."""
    try:
        return field.path, False
    except NotImplementedError:
        suffix = Path(field.name).suffix
        handle, tmp = tempfile.mkstemp(suffix=suffix)
        with os.fdopen(handle, "wb") as out, field.open("rb") as src:
            for chunk in src.chunks():
                out.write(chunk)
        return tmp, True


def _run_batch(batch: ImportBatch, *, dry_run: bool) -> ImportReport:
    writer = ProgressWriter(ImportBatch._meta.db_table, batch.pk)
    path, temporary = _local_path(batch.file)
    try:
        return run_import(path, kind=None if batch.kind == "auto" else batch.kind, dry_run=dry_run, filename=batch.filename,
                          progress=_SheetProgress(writer), actor=batch.created_by_label)
    finally:
        writer.close()
        if temporary:
            os.unlink(path)


def check_batch(batch_id) -> ImportBatch:
    """The dry run of a staged batch: the report, and nothing written."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.STAGED, ImportBatch.Status.CHECKED, ImportBatch.Status.REJECTED):
        return batch
    if batch.apply_when_clean and batch.status == ImportBatch.Status.STAGED:
        # "import if clean": the import itself is the check (any problem: nothing written)
        batch.status = ImportBatch.Status.APPLYING
        batch.save(update_fields=["status"])
        return apply_batch(batch.pk)
    report = _run_batch(batch, dry_run=True)
    batch.report = report.to_dict()
    batch.rows_done = report.rows
    batch.status = ImportBatch.Status.CHECKED if report.ok else ImportBatch.Status.REJECTED
    batch.checked_at = timezone.now()
    batch.save(update_fields=["report", "rows_done", "status", "checked_at"])
    return batch


def confirm_import(batch_id, *, principal: Principal) -> ImportBatch:
    """Confirm a checked batch: queue its import (one transaction, all or nothing)."""
    _require(can_import(principal), "只有本州市管理员（或有写权限的 API 密钥）可以导入台账")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first() if _is_uuid(batch_id) else None
        if batch is None:
            raise ServiceError.single("id", "没有这个导入批次", "not_found")
        if batch.status == ImportBatch.Status.APPLIED:
            return batch
        if batch.status != ImportBatch.Status.CHECKED:
            raise ServiceError.single("id", f"只能确认试导入无误的批次（当前：{batch.get_status_display()}）", "not_checked")
        batch.status = ImportBatch.Status.APPLYING
        batch.save(update_fields=["status"])
        _queue("apply", batch.pk)
    return batch


def apply_batch(batch_id) -> ImportBatch:
    """Import a confirmed batch. The file is checked again inside the import's transaction
    (the data may have changed since the dry run); any problem leaves everything as it was."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.APPLYING:
        return batch
    try:
        report = _run_batch(batch, dry_run=False)
    except Exception as exc:
        log.exception("ledger import %s failed", batch.pk)
        batch.status = ImportBatch.Status.FAILED
        batch.report = dict(batch.report or {}, error=f"{exc.__class__.__name__}: {exc}")
        batch.save(update_fields=["status", "report"])
        return batch
    batch.report = report.to_dict()
    batch.rows_done = report.rows
    batch.status = ImportBatch.Status.APPLIED if report.applied else ImportBatch.Status.REJECTED
    batch.applied_at = timezone.now() if report.applied else None
    batch.checked_at = batch.checked_at or timezone.now()
    batch.save(update_fields=["report", "rows_done", "status", "applied_at", "checked_at"])
    return batch


# --- exports -----------------------------------------------------------------------------------

def _check_export(kinds, fmt: str, encoding: str, filters: dict | ExportFilters | None) -> tuple[list[str], ExportFilters]:
    errors: list[FieldError] = []
    chosen: list[str] = []
    try:
        chosen = [k.key for k in exporting.resolve_kinds(kinds or [])]
    except KeyError as exc:
        errors.append(FieldError("kinds", f"未知的台账类型：{exc.args[0]}（可选：all、{'、'.join(spec.kind_names())}）", "unknown_kind"))
    if not chosen and not errors:
        errors.append(FieldError("kinds", "至少选择一种台账", "required"))
    if fmt not in exporting.FORMATS:
        errors.append(FieldError("format", "格式应为 csv 或 xlsx", "invalid"))
    if encoding.lower() not in exporting.CSV_ENCODINGS:
        errors.append(FieldError("encoding", "CSV 编码应为 utf-8-sig、utf-8 或 gbk", "invalid"))
    try:
        parsed = filters if isinstance(filters, ExportFilters) else ExportFilters.from_dict(filters)
    except (TypeError, ValueError) as exc:
        errors.append(FieldError("filters", f"筛选条件无效：{exc}", "invalid"))
        parsed = ExportFilters()
    if parsed.date_from and parsed.date_to and parsed.date_from > parsed.date_to:
        errors.append(FieldError("filters.date_to", "结束日期早于开始日期", "invalid"))
    if errors:
        raise ServiceError(errors)
    return chosen, parsed


def export_filename(kinds: list[str], fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    names = "全部台账" if set(kinds) == set(exporting.ALL_KINDS) else "-".join(spec.get_kind(k).title for k in kinds)
    suffix = fmt if (fmt == "xlsx" or len(kinds) == 1) else "zip"
    return f"{schema()}-{names}-{stamp}.{suffix}"


def request_export(*, principal: Principal, kinds, fmt: str = "xlsx", filters=None, encoding: str = "utf-8-sig",
                   personal: bool | None = None) -> ExportJob:
    """Record an export and queue it; personal data only for callers allowed to read it."""
    _require(on_prefecture(), "台账只能在州市的站点导出")
    _require(can_export(principal), "没有读取本州市数据的权限")
    chosen, parsed = _check_export(kinds, fmt, encoding, filters)
    allowed = principal.can_read_personal(schema())
    if personal and not allowed:
        raise PermissionError("没有查看个人信息的权限：可导出打码的台账")
    job = ExportJob.objects.create(kinds=chosen, format=fmt, encoding=encoding.lower(), filters=parsed.to_dict(),
                                   include_personal=allowed if personal is None else bool(personal),
                                   requested_by_id=principal.user_id, requested_by_key_id=principal.api_key_id,
                                   requested_by_label=principal.label[:128])
    current = schema()
    from . import tasks

    transaction.on_commit(lambda: tasks.run_export.delay(str(job.pk), current))
    return job


def run_export(job_id) -> ExportJob:
    """Write a queued export's file (the Celery task)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status not in (ExportJob.Status.PENDING, ExportJob.Status.FAILED):
        return job
    job.status, job.started_at, job.error = ExportJob.Status.RUNNING, timezone.now(), ""
    job.save(update_fields=["status", "started_at", "error"])
    writer = ProgressWriter(ExportJob._meta.db_table, job.pk)
    done = {"rows": 0, "kind": None, "base": 0}

    def progress(kind: str, rows: int) -> None:
        if kind != done["kind"]:
            done["base"] += done["rows"]
            done["kind"] = kind
        done["rows"] = rows
        writer.update(done["base"] + rows)

    name = export_filename(job.kinds, job.format)
    handle, tmp = tempfile.mkstemp(suffix=Path(name).suffix)
    os.close(handle)
    try:
        result = exporting.write_export(tmp, kinds=job.kinds, fmt=job.format, filters=ExportFilters.from_dict(job.filters),
                                        personal=job.include_personal, encoding=job.encoding, progress=progress)
        with open(tmp, "rb") as fh:
            job.file.save(name, File(fh, name=name), save=False)
        job.filename = name
        job.row_counts = result.rows
        job.rows_done = sum(result.rows.values())
        job.status = ExportJob.Status.DONE
    except Exception as exc:
        log.exception("ledger export %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.error = f"{exc.__class__.__name__}: {exc}"
    finally:
        writer.close()
        os.unlink(tmp)
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "filename", "row_counts", "rows_done", "status", "error", "finished_at"])
    return job


def export_file(path: str | Path, *, kinds, fmt: str = "xlsx", filters=None, personal: bool = False,
                encoding: str = "utf-8-sig", progress=None) -> exporting.ExportResult:
    """Write an export directly (the command line: the operator is trusted with the schema)."""
    chosen, parsed = _check_export(kinds, fmt, encoding, filters)
    return exporting.write_export(path, kinds=chosen, fmt=fmt, filters=parsed, personal=personal, encoding=encoding,
                                  progress=progress)


def export_for_download(job_id, principal: Principal) -> ExportJob | None:
    """The finished job a caller may download on this host, or None (not found here,
    not finished, or not theirs to read). Personal data needs the right to read it."""
    job = ExportJob.objects.filter(pk=job_id).first() if _is_uuid(job_id) else None
    if job is None or not can_export(principal):
        return None
    if job.include_personal and not principal.can_read_personal(schema()):
        return None
    return job


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
