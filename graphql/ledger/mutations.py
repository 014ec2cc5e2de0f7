"""Ledger mutations: import (dry run, then confirm) and request an export."""
from __future__ import annotations

import graphene

from liaison.graphql.core import permissions
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.ledger.types import LedgerExport, LedgerFormat, LedgerImport, ledger_pk
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.ledger import services


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
        # A PermissionError from the service is a top-level FORBIDDEN (ServiceMutation).
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
        job = services.request_export(principal=principal, kinds=kinds, fmt=fmt, filters=filters, encoding=encoding,
                                      personal=personal)
        return {"ledger_export": job}


class Mutation(graphene.ObjectType):
    import_ledger = ImportLedger.Field()
    request_ledger_export = RequestLedgerExport.Field()
