"""What every search backend provides."""
from __future__ import annotations

from collections.abc import Iterable

from ..types import SearchRequest, SearchResult


class SearchBackend:
    name = "base"

    def index(self, docs: list[dict]) -> None:
        """Insert or replace documents (ids carry the schema)."""
        raise NotImplementedError

    def delete(self, doc_ids: list[str]) -> None:
        raise NotImplementedError

    def delete_schema(self, schema_name: str) -> None:
        """Remove every document of a prefecture (it was deleted)."""
        raise NotImplementedError

    def rebuild(self, schema_name: str, batches: Iterable[list[dict]]) -> int:
        """Replace a prefecture's documents with `batches`, readers never seeing a gap."""
        raise NotImplementedError

    def search(self, request: SearchRequest) -> SearchResult:
        raise NotImplementedError

    def count(self, schema_name: str | None = None) -> int:
        raise NotImplementedError
