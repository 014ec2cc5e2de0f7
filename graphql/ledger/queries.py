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

from liaison.graphql.core import permissions
from liaison.graphql.core.fields import root_field
from liaison.graphql.ledger.types import LedgerExport, LedgerImport, LedgerKindInfo, is_uuid, ledger_pk
from liaison.platform.accounts.principal import Op
from liaison.tenants.ledger import spec
from liaison.tenants.ledger.models import ExportJob, ImportBatch


class Query(graphene.ObjectType):
    ledger_kinds = root_field(Op.PUBLIC, graphene.List(
        graphene.NonNull(LedgerKindInfo), required=True,
        description="The ledgers that can be imported and exported, with their columns and templates."),
        public_cache=3600)
    ledger_import = root_field(Op.MANAGE, graphene.Field(
        LedgerImport, id=graphene.ID(required=True), description="A staged or imported ledger file."))
    ledger_export = root_field(Op.READ, graphene.Field(
        LedgerExport, id=graphene.ID(required=True), description="An export job of this prefecture."))

    def resolve_ledger_kinds(root, info):
        return spec.kinds()

    def resolve_ledger_import(root, info, id):  # noqa: A002
        permissions.require(info, Op.MANAGE)
        pk = ledger_pk(id, "LedgerImport")
        return ImportBatch.objects.filter(pk=pk).first() if pk and is_uuid(pk) else None

    def resolve_ledger_export(root, info, id):  # noqa: A002
        permissions.require(info, Op.READ)
        pk = ledger_pk(id, "LedgerExport")
        return ExportJob.objects.filter(pk=pk).first() if pk and is_uuid(pk) else None
