"""HTTP endpoints of a prefecture host for ledgers (mounted at /ledger/):

    GET  /ledger/templates/<kind>.csv|xlsx       blank template with the column guide (no data: open to all)
    GET  /ledger/exports/<id>/download          a finished export, for callers allowed to read it
    POST /ledger/uploads                        stage a file (multipart field `file`, optional `kind`,
                                                `dry_run`=0 to import when clean); answers the batch as JSON

Callers are the session user or an API key (`Authorization: Bearer …`), resolved by
liaison.platform.accounts.principal; session POSTs need the CSRF token, API keys not.
An id of another prefecture's export is not found on this host (404).
"""
from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from liaison.platform.accounts.principal import bearer_token, principal_for
from liaison.tenants.common.errors import ServiceError

from . import services, spec
from .models import ExportJob, ImportBatch
from .blanks import csv_template, template_kinds, xlsx_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refuse(principal, message: str) -> JsonResponse:
    status = 401 if principal.is_anonymous or principal.credentials_error else 403
    return JsonResponse({"errors": [{"message": message, "code": "UNAUTHENTICATED" if status == 401 else "FORBIDDEN"}]}, status=status)


@require_GET
def template(request, kind: str, fmt: str):
    if not services.on_prefecture():
        raise Http404
    try:
        kinds = template_kinds(kind)
    except KeyError:
        raise Http404 from None
    if fmt == "csv":
        if kind == "all":
            raise Http404
        chosen = kinds[0] if len(kinds) == 1 else spec.get_kind(kind)
        data, content_type, name = csv_template(chosen), "text/csv; charset=utf-8", f"{chosen.title}模板.csv"
    else:
        title = "全部台账" if kind == "all" else spec.get_kind(kind).title
        data, content_type, name = xlsx_template(kinds), XLSX, f"{title}模板.xlsx"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = _disposition(name)
    return response


@require_GET
def download_export(request, job_id):
    if not services.on_prefecture():
        raise Http404
    principal = principal_for(request)
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("没有这个导出任务")
    if not services.can_export(principal):
        return _refuse(principal, "没有读取本州市台账的权限")
    if job.include_personal and not principal.can_read_personal(services.schema()):
        return _refuse(principal, "该导出含个人信息，您没有查看个人信息的权限")
    if job.status != ExportJob.Status.DONE or not job.file:
        return JsonResponse({"status": job.status, "rowsDone": job.rows_done, "error": job.error or None}, status=409)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
@require_POST
def upload(request):
    if not services.on_prefecture():
        raise Http404
    if bearer_token(request) is None:
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if rejected is not None:
            return rejected
    principal = principal_for(request)
    if not services.can_import(principal):
        return _refuse(principal, "只有本州市管理员（或有写权限的 API 密钥）可以导入台账")
    upload_file = request.FILES.get("file")
    try:
        batch = services.stage_import(principal=principal, filename=getattr(upload_file, "name", ""), upload=upload_file,
                                      kind=request.POST.get("kind") or "auto",
                                      apply_when_clean=request.POST.get("dry_run", "1") in ("0", "false", "no"))
    except ServiceError as exc:
        return JsonResponse({"errors": [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]}, status=400)
    except PermissionError as exc:
        return _refuse(principal, str(exc))
    return JsonResponse(batch_json(batch), status=201)


def batch_json(batch: ImportBatch) -> dict:
    """The staged batch; its `id` is accepted as `stagedId` by the importLedger mutation."""
    report = batch.report or {}
    return {"id": str(batch.pk), "filename": batch.filename, "kind": batch.kind, "status": batch.status,
            "statusLabel": batch.get_status_display(), "ok": report.get("ok"), "summary": report.get("summary"),
            "problemCount": report.get("problem_count", 0), "problems": report.get("problems", [])[:200]}


def _disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name)}"
