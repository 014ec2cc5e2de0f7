"""What a search asks and answers: the contract both backends fulfil."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from liaison.tenants.common.errors import ServiceError

from .text import ParsedQuery

SORTS = ("relevance", "newest", "oldest")
FACETS = ("category", "status", "prefecture")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
SNIPPET_SIZE = 80


@dataclass(frozen=True)
class SearchFilters:
    prefectures: tuple[str, ...] = ()  # schema names (= slugs)
    tiers: tuple[str, ...] = ()
    position_ids: tuple[int, ...] = ()  # ids are per prefecture: only with one prefecture in scope
    division_code: str | None = None  # the division and everything below it
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # category codes
    channels: tuple[str, ...] = ()
    registered_from: datetime | None = None  # inclusive
    registered_to: datetime | None = None  # exclusive
    overdue: bool | None = None  # awaiting a reply and past due_on (True), or not (False)


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    schemas: tuple[str, ...]  # the prefectures searched (already permission-checked)
    filters: SearchFilters
    facets: tuple[str, ...]
    sort: str
    after: list | None  # decoded cursor keys
    first: int
    now: datetime
    # Every prefecture of the registry is in scope (a province-wide search): a backend
    # may then skip the per-prefecture filter.
    all_prefectures: bool = False

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    @property
    def effective_sort(self) -> str:
        return "newest" if self.sort == "relevance" and self.query.is_empty else self.sort


@dataclass
class Hit:
    doc_id: str
    schema_name: str
    opinion_id: int
    score: float
    title: str
    title_highlight: str  # HTML-escaped, matches in <em>
    snippet: str  # HTML-escaped, matches in <em>
    category_code: str
    category_name: str
    status: str
    channel: str
    tier: str
    position_id: int | None
    position_name: str
    division_code: str
    division_name: str
    registered_at: datetime
    due_on: date | None
    is_overdue: bool
    cursor: str = ""


@dataclass
class FacetValue:
    value: str
    count: int
    label: str = ""


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    has_next_page: bool = False
    # False when `total` (and the facet counts) are estimates: the PostgreSQL backend
    # counts exactly up to settings.LIAISON_SEARCH_EXACT_TOTAL_UP_TO matches and
    # estimates beyond (as Elasticsearch's track_total_hits does).
    total_is_exact: bool = True

    @property
    def end_cursor(self) -> str | None:
        return self.hits[-1].cursor if self.hits else None


def is_overdue(awaiting_reply: bool, due_on: date | None, today: date) -> bool:
    return bool(awaiting_reply and due_on is not None and due_on < today)


def encode_cursor(sort: str, keys: list) -> str:
    raw = json.dumps({"s": sort, "k": keys}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str) -> list | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        keys = data["k"]
        ok = data["s"] == sort and isinstance(keys, list)
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ServiceError.single("after", "this cursor does not belong to this search (query or sort changed)", "invalid_cursor")
    return keys
