"""Which document a request runs: Apollo-style automatic persisted queries (APQ) and
trusted documents (docs/API.md "Trusted documents").

- `extensions.persistedQuery = {"version": 1, "sha256Hash": h}` without `query`: the
  document registered for the caller's key under `h`, else the one an earlier request
  stored under `h`, else PERSISTED_QUERY_NOT_FOUND (message `PersistedQueryNotFound`,
  what Apollo's link waits for; it then resends with `query`).
- With `query` too: the hash must match (PERSISTED_QUERY_HASH_MISMATCH); the text is
  stored for the next requests (Django's cache, a day).
- A key set to trusted documents only runs documents registered for it (by hash, or by
  the full text of one): anything else is TRUSTED_DOCUMENT_REQUIRED, before parsing.
"""
from __future__ import annotations

import json

from django.core.cache import cache

from liaison.platform.apiaccess import documents

APQ_SECONDS = 24 * 3600


class DocumentError(Exception):
    def __init__(self, status: int, message: str, code: str):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _persisted(entry: dict) -> dict | None:
    extensions = entry.get("extensions")
    if isinstance(extensions, str):  # GET: a JSON string
        try:
            extensions = json.loads(extensions)
        except (ValueError, RecursionError):
            raise DocumentError(400, "extensions 不是有效的 JSON (extensions are not valid JSON)", "BAD_REQUEST") from None
    if not isinstance(extensions, dict) or extensions.get("persistedQuery") is None:
        return None
    persisted = extensions["persistedQuery"]
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if persisted.get("version", 1) != 1 or not isinstance(digest, str) or not documents.SHA256_RE.match(digest):
        raise DocumentError(400, "persistedQuery 须为 {version: 1, sha256Hash: <64 位小写十六进制>} "
                                 "(persistedQuery must be {version: 1, sha256Hash: <lower-case hex SHA-256>})",
                            "BAD_REQUEST")
    return persisted


def document_for(entry: dict, api_key_id: int | None) -> str | None:
    """The query text this request entry runs (None: it sent none), or a DocumentError."""
    query = entry.get("query")
    query = query if isinstance(query, str) and query.strip() else None
    persisted = _persisted(entry)
    digest = persisted["sha256Hash"] if persisted else None
    if persisted and query is not None and documents.document_hash(query) != digest:
        raise DocumentError(400, "sha256Hash 与 query 不符 (provided sha256Hash does not match the query)",
                            "PERSISTED_QUERY_HASH_MISMATCH")
    if persisted and query is None:
        query = documents.trusted_text(api_key_id, digest)
        if query is None and not documents.trusted_only(api_key_id):
            query = cache.get(f"apq:{digest}")
        if query is None:
            if documents.trusted_only(api_key_id):
                raise _not_trusted()
            raise DocumentError(404, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        return query
    if query is None:
        return None
    if documents.trusted_only(api_key_id):
        if not documents.is_trusted(api_key_id, digest or documents.document_hash(query)):
            raise _not_trusted()
    elif persisted:
        cache.set(f"apq:{digest}", query, APQ_SECONDS)
    return query


def _not_trusted() -> DocumentError:
    return DocumentError(403, "此 API 密钥只能执行已登记的可信文档 (this API key runs only its registered trusted "
                              "documents: register the operation with `liaison trusted_documents add`)",
                         "TRUSTED_DOCUMENT_REQUIRED")
