"""`liaison trusted_documents`: the GraphQL documents a front end registered for its API key.

    liaison trusted_documents add lsk_ab12cd34 app/operations.graphql persisted-query-manifest.json
    liaison trusted_documents list lsk_ab12cd34
    liaison trusted_documents remove lsk_ab12cd34 <sha256>
    liaison trusted_documents enforce lsk_ab12cd34 on|off   # only registered documents, or anything

A `.graphql` file is one document (its exact text is hashed); a `.json` file is an Apollo
persisted-query manifest or a `{"<sha256>": "<document>"}` map (Relay, graphql-codegen).
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.platform.apiaccess import documents
from liaison.tenants.common.errors import ServiceError


class Command(BaseCommand):
    help = "Register, list and remove an API key's trusted GraphQL documents; restrict the key to them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register the documents of .graphql files or .json manifests")
        add.add_argument("key", help="the key's prefix (lsk_xxxxxxxx)")
        add.add_argument("files", nargs="+", type=Path)
        lst = sub.add_parser("list", help="list the key's documents and its policy")
        lst.add_argument("key")
        rm = sub.add_parser("remove", help="remove a document by its SHA-256")
        rm.add_argument("key")
        rm.add_argument("sha256")
        enforce = sub.add_parser("enforce", help="on: the key runs only its documents; off: anything")
        enforce.add_argument("key")
        enforce.add_argument("state", choices=["on", "off"])

    def handle(self, *args, action, key, **opts):
        try:
            api_key = documents.key_for(key)
            getattr(self, f"do_{action}")(api_key, **opts)
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors), returncode=2) from None

    def do_add(self, api_key, *, files, **_):
        for path in files:
            for row, created in documents.register_file(api_key, path):
                self.stdout.write(f"{'added' if created else 'already registered'}  {row.sha256}  {row.name}")

    def do_list(self, api_key, **_):
        only = documents.trusted_only(api_key.pk)
        self.stdout.write(f"{api_key}: {'trusted documents only' if only else 'any document'}")
        for row in documents.documents_of(api_key):
            self.stdout.write(f"{row.sha256}  {row.name}")

    def do_remove(self, api_key, *, sha256, **_):
        documents.remove(api_key, sha256)
        self.stdout.write(f"removed {sha256}")

    def do_enforce(self, api_key, *, state, **_):
        documents.set_trusted_only(api_key, state == "on")
        self.stdout.write(f"{api_key}: {'trusted documents only' if state == 'on' else 'any document'}")
