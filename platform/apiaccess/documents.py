"""Trusted documents: the GraphQL documents a front end registered for its API key, by the
SHA-256 of their exact text; and the key's policy (only those, or anything).

The one place documents are validated, registered and looked up (the command, the admin
and /graphql/ all come here). A document must parse and validate against the schema when
it is registered. Lookups are cached for a minute and dropped on every change.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.platform.accounts.models import ApiKey
from liaison.platform.apiaccess.models import KeyDocumentPolicy, TrustedDocument
from liaison.tenants.common.errors import FieldError, ServiceError

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
CACHE_SECONDS = 60


def document_hash(text: str) -> str:
    """The SHA-256 (hex) of the document's exact text, as Apollo and Relay compute it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_for(prefix_or_key: str) -> ApiKey:
    """An API key by its prefix (`lsk_xxxxxxxx`, or the full key); ServiceError on `key`."""
    # lsk_<prefix>_<secret>, lsk_<prefix>… or <prefix>
    prefix = (prefix_or_key or "").strip().removeprefix("lsk_").split("_")[0].rstrip("…")
    key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
    if key is None:
        raise ServiceError.single("key", _("没有前缀为 %(prefix)s 的密钥") % {"prefix": prefix or "—"}, "not_found")
    return key


def check_document(text: str, field: str = "document") -> str:
    """The operation names of a document, after checking it parses and validates against
    the schema; ServiceError on `field` otherwise."""
    from graphql import GraphQLError, OperationDefinitionNode, parse, validate

    from liaison.graphql.schema import schema

    if not (text or "").strip():
        raise ServiceError.single(field, _("文档为空"), "required")
    try:
        document = parse(text)
    except GraphQLError as exc:
        raise ServiceError.single(field, _("无法解析：%(error)s") % {"error": exc.message}, "invalid") from None
    errors = validate(schema.graphql_schema, document)
    if errors:
        raise ServiceError.single(field, _("与接口不符：%(error)s") % {"error": errors[0].message}, "invalid")
    names = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
    return ", ".join(names)


@transaction.atomic
def register(key: ApiKey, text: str, name: str = "", expected_hash: str | None = None) -> tuple[TrustedDocument, bool]:
    """Register one document for `key` (again: unchanged). Returns (document, created)."""
    operations = check_document(text)
    digest = document_hash(text)
    if expected_hash and expected_hash.lower() != digest:
        raise ServiceError.single("sha256", _("哈希与文档不符：应为 %(digest)s") % {"digest": digest}, "invalid")
    row, created = TrustedDocument.objects.get_or_create(api_key=key, sha256=digest,
                                                         defaults={"document": text, "name": (name or operations)[:200]})
    forget(key.pk)
    return row, created


def documents_in_file(path: Path) -> list[tuple[str, str, str | None]]:
    """(name, text, expected hash) of each document in a file: a `.graphql` file is one
    document; a `.json` file is an Apollo persisted-query manifest
    (`{"operations": [{"name", "body", "id"}]}`) or a `{"<sha256>": "<document>"}` map
    (Relay, graphql-codegen)."""
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ServiceError.single("file", _("无法读取文件：%(error)s") % {"error": exc}, "invalid") from None
    if path.suffix.lower() != ".json":
        return [("", content, None)]
    try:
        data = json.loads(content)
    except ValueError:
        raise ServiceError.single("file", _("不是有效的 JSON"), "invalid") from None
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        return [(op.get("name", ""), op.get("body", ""), op.get("id")) for op in data["operations"] if isinstance(op, dict)]
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return [("", text, digest) for digest, text in data.items()]
    raise ServiceError.single("file", _("无法识别的清单格式（Apollo 清单或 {哈希: 文档}）"), "invalid")


@transaction.atomic
def register_file(key: ApiKey, path: Path) -> list[tuple[TrustedDocument, bool]]:
    """Every document of a file, all or nothing; problems name the document."""
    done, problems = [], []
    for i, (name, text, digest) in enumerate(documents_in_file(path)):
        try:
            done.append(register(key, text, name, digest))
        except ServiceError as exc:
            problems += [FieldError(f"{path.name}.{i}.{e.field}", e.message, e.code) for e in exc.errors]
    if problems:
        raise ServiceError(problems)
    return done


@transaction.atomic
def remove(key: ApiKey, digest: str) -> None:
    deleted, _rows = TrustedDocument.objects.filter(api_key=key, sha256=(digest or "").lower()).delete()
    if not deleted:
        raise ServiceError.single("sha256", _("该密钥没有哈希为 %(digest)s 的文档") % {"digest": digest}, "not_found")
    forget(key.pk)


@transaction.atomic
def set_trusted_only(key: ApiKey, value: bool) -> None:
    KeyDocumentPolicy.objects.update_or_create(api_key=key, defaults={"trusted_documents_only": value})
    forget(key.pk)


def documents_of(key: ApiKey) -> list[TrustedDocument]:
    return list(TrustedDocument.objects.filter(api_key=key).order_by("name", "sha256"))


# --- lookups for /graphql/ ---------------------------------------------------------------

def _key(api_key_id: int) -> str:
    return f"apiaccess:documents:{api_key_id}"


def forget(api_key_id: int) -> None:
    cache.delete(_key(api_key_id))
    transaction.on_commit(lambda: cache.delete(_key(api_key_id)))


def _policy(api_key_id: int) -> dict:
    found = cache.get(_key(api_key_id))
    if found is None:
        only = KeyDocumentPolicy.objects.filter(api_key_id=api_key_id, trusted_documents_only=True).exists()
        found = {"only": only, "hashes": list(TrustedDocument.objects.filter(api_key_id=api_key_id)
                                               .values_list("sha256", flat=True))}
        cache.set(_key(api_key_id), found, CACHE_SECONDS)
    return found


def trusted_only(api_key_id: int | None) -> bool:
    return api_key_id is not None and _policy(api_key_id)["only"]


def is_trusted(api_key_id: int | None, digest: str) -> bool:
    return api_key_id is not None and digest in _policy(api_key_id)["hashes"]


def trusted_text(api_key_id: int | None, digest: str) -> str | None:
    """The registered text of `digest` for this key, or None."""
    if not is_trusted(api_key_id, digest):
        return None
    return TrustedDocument.objects.filter(api_key_id=api_key_id, sha256=digest).values_list("document", flat=True).first()
