"""The PostgreSQL backend: one public table, a `simple` tsvector of CJK unigrams +
bigrams and words with a GIN index, no extension.

Documents are converted in Python (liaison.search.text) and stored as tsvector
literals; queries become tsquery literals with phrase operators. Ranking is
ts_rank_cd over weighted fields (title A; category, position, division B; content and
reply C); snippets are highlighted in Python on the original text.
"""
from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from ..documents import weighted_fields
from ..text import _quote_lexeme, highlight, plain_snippet, term_tsquery, tsquery_literal, tsvector_literal
from ..types import SNIPPET_SIZE, FacetValue, Hit, SearchRequest, SearchResult, encode_cursor, is_overdue
from .base import SearchBackend

TABLE = "public.searchstore_searchdocument"
COLUMNS = (
    "doc_id", "schema_name", "opinion_id", "title", "content", "reply_text", "category_code", "category_name",
    "status", "awaiting_reply", "channel", "tier", "position_id", "position_name", "division_id", "division_code",
    "division_name", "division_codes", "registered_at", "due_on",
)
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
FACET_COLUMNS = {"category": "category_code", "status": "status", "prefecture": "schema_name"}
# Up to this many prefectures, the tsquery also requires their scope lexemes, so the GIN
# index yields only those prefectures' candidates (a phrase query rechecks every candidate).
SCOPE_LEXEME_MAX = 4


def scope_lexeme(schema_name: str) -> str:
    """A lexeme no text can produce (the tokenizer splits at '_'), without position,
    added to every document's vector: "_p_<schema>"."""
    return f"_p_{schema_name}"


def document_vector(doc: dict) -> str:
    return f"{tsvector_literal(weighted_fields(doc))} '{scope_lexeme(doc['schema_name'])}'"


class _LexemeStats:
    """The store's size and its most common lexemes' document frequencies (pg_stats of the
    vector column: ANALYZE keeps the 10 × statistics-target most frequent), read at most
    once a minute per process: enough to tell a broad search from a narrow one without
    asking the planner each time."""

    TTL = 60.0

    def __init__(self, documents: float, frequencies: dict[str, float], floor: float, read_at: float):
        self.documents, self.frequencies, self.floor, self.read_at = documents, frequencies, floor, read_at

    def frequency(self, lexeme: str) -> float:
        # Not among the most common: below the least common of those.
        return self.frequencies.get(lexeme, self.floor)


_stats: _LexemeStats | None = None


def _lexeme_stats(cursor) -> _LexemeStats:
    global _stats
    now = time.monotonic()
    if _stats is None or now - _stats.read_at > _LexemeStats.TTL:
        cursor.execute(
            "SELECT (SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass), "
            "most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = 'public' AND tablename = 'searchstore_searchdocument' AND attname = 'search_vector'",
            [TABLE])
        row = cursor.fetchone()
        if row is None or not row[1]:
            _stats = _LexemeStats(0.0, {}, 0.0, now)
        else:
            freqs = list(row[2])
            _stats = _LexemeStats(float(row[0] or 0), dict(zip(row[1], freqs)), float(freqs[len(row[1])]), now)
    return _stats


class PostgresBackend(SearchBackend):
    name = "postgres"

    # --- writes ---------------------------------------------------------------------
    def index(self, docs: list[dict]) -> None:
        if not docs:
            return
        cols = ", ".join(COLUMNS) + ", search_vector, indexed_at"
        row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ", %s::tsvector, now())"
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*COLUMNS[1:], "search_vector", "indexed_at"))
        with connection.cursor() as cursor:
            for start in range(0, len(docs), 500):
                chunk = docs[start:start + 500]
                params: list = []
                for doc in chunk:
                    params.extend(doc[c] for c in COLUMNS)
                    params.append(document_vector(doc))
                cursor.execute(
                    f"INSERT INTO {TABLE} ({cols}) VALUES {', '.join([row] * len(chunk))} "
                    f"ON CONFLICT (doc_id) DO UPDATE SET {updates}",
                    params,
                )

    def delete(self, doc_ids: list[str]) -> None:
        if doc_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE doc_id = ANY(%s)", [list(doc_ids)])

    def delete_schema(self, schema_name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE schema_name = %s", [schema_name])

    def rebuild(self, schema_name: str, batches: Iterable[list[dict]]) -> int:
        """In place, in one transaction: readers see the old rows until it commits."""
        count = 0
        with transaction.atomic():
            self.delete_schema(schema_name)
            for docs in batches:
                self.index(docs)
                count += len(docs)
            self.tidy()
        return count

    def tidy(self) -> None:
        """After a bulk write: merge the GIN pending list into the index (until then every
        search scans it, and the planner, seeing its size, prefers a sequential scan) and
        refresh the planner's statistics. Autovacuum does the same, later."""
        global _stats
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('public.searchdoc_vector_gin'::regclass)")
            cursor.execute(f"ANALYZE {TABLE}")
        _stats = None  # read the new statistics on the next search

    def vacuum(self) -> bool:
        """VACUUM ANALYZE the store after a reindex (a rebuild leaves one dead row per
        document it replaced; searches scan them until vacuumed). Not possible inside a
        transaction: then it is left to autovacuum and False is returned."""
        if connection.in_atomic_block:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
        return True

    def count(self, schema_name: str | None = None) -> int:
        with connection.cursor() as cursor:
            if schema_name:
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE schema_name = %s", [schema_name])
            else:
                cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return cursor.fetchone()[0]

    # --- reads ----------------------------------------------------------------------
    def _where(self, request: SearchRequest, match_query: str | None) -> tuple[list[str], list]:
        f = request.filters
        # Every prefecture in scope: no per-prefecture filter (it would only cost a bitmap
        # of the whole store or a check per match).
        conds, params = ([], []) if request.all_prefectures else (["schema_name = ANY(%s)"], [list(request.schemas)])
        if match_query:
            conds.append("search_vector @@ %s::tsquery")
            params.append(match_query)
        for column, values in (("tier", f.tiers), ("position_id", f.position_ids), ("status", f.statuses),
                               ("category_code", f.categories), ("channel", f.channels)):
            if values:
                conds.append(f"{column} = ANY(%s)")
                params.append(list(values))
        if f.division_code:
            conds.append("division_codes @> ARRAY[%s]::varchar(20)[]")
            params.append(f.division_code)
        if f.registered_from:
            conds.append("registered_at >= %s")
            params.append(f.registered_from)
        if f.registered_to:
            conds.append("registered_at < %s")
            params.append(f.registered_to)
        if f.overdue is True:
            conds.append("awaiting_reply AND due_on < %s")
            params.append(request.today)
        elif f.overdue is False:
            conds.append("NOT (awaiting_reply AND due_on IS NOT NULL AND due_on < %s)")
            params.append(request.today)
        return conds, params

    def search(self, request: SearchRequest) -> SearchResult:
        """One statement: the matches are materialised once (the GIN recheck of phrase
        queries and the ranking read each document's vector once), then the page and the
        total/facet counts (GROUPING SETS) are taken from them; the page's texts are
        fetched by id afterwards.

        A search the planner expects to match more than LIAISON_SEARCH_EXACT_TOTAL_UP_TO
        documents reads only its newest matches (see _bounded): the heap page per match,
        not the index, is what a broad one-character search costs."""
        q = request.query
        rank_query = tsquery_literal(q)
        match_query = rank_query
        if match_query and not request.all_prefectures and len(request.schemas) <= SCOPE_LEXEME_MAX:
            # narrow the GIN candidates to the prefectures searched (see scope_lexeme)
            match_query = f"({match_query}) & (" + " | ".join(f"'{scope_lexeme(s)}'" for s in request.schemas) + ")"
        conds, params = self._where(request, match_query)
        if q.is_empty and q.negative:
            conds.append("NOT (search_vector @@ %s::tsquery)")
            params.append(" | ".join(term_tsquery(t) for t in q.negative))
        with connection.cursor() as cursor:
            bounded = self._bounded(cursor, request, rank_query, match_query) if rank_query else None
            if bounded is None:
                rows, scale = self._matches(cursor, request, rank_query, conds, params), None
            else:
                rows, scale = bounded
            page = sorted((r for r in rows if r[0] == "p"), key=lambda r: r[6])
            docs = {}
            if page:
                cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE doc_id = ANY(%s)", [[r[7] for r in page]])
                names = [c.name for c in cursor.description]
                docs = {r[0]: dict(zip(names, r)) for r in cursor.fetchall()}
        total, facets = self._counts(request, [r[1:7] for r in rows if r[0] == "c"], scale)
        has_next = len(page) > request.first
        pieces = q.highlight_pieces
        hits = [self._hit({**docs[r[7]], "score": r[8]}, pieces, request.effective_sort, request.today)
                for r in page[: request.first] if r[7] in docs]
        return SearchResult(hits=hits, total=total, facets=facets, has_next_page=has_next, total_is_exact=scale is None)

    def _matches(self, cursor, request: SearchRequest, rank_query: str, conds: list[str], params: list) -> list[tuple]:
        sort = request.effective_sort
        score_sql = f"ts_rank_cd('{RANK_WEIGHTS}', search_vector, %s::tsquery)" if rank_query else "0::real"
        score_params = [rank_query] if rank_query else []
        page_cond, page_params = "TRUE", []
        if request.after:
            page_cond = {
                "relevance": "(score, registered_at, doc_id) < (%s::real, %s::timestamptz, %s)",
                "newest": "(registered_at, doc_id) < (%s::timestamptz, %s)",
                "oldest": "(registered_at, doc_id) > (%s::timestamptz, %s)",
            }[sort]
            page_params = list(request.after)
        order = {
            "relevance": "score DESC, registered_at DESC, doc_id DESC",
            "newest": "registered_at DESC, doc_id DESC",
            "oldest": "registered_at ASC, doc_id ASC",
        }[sort]
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT doc_id, schema_name, category_code, category_name, status, registered_at, {score_sql} AS score
                FROM {TABLE} WHERE {' AND '.join(conds) or 'TRUE'}
            ),
            counts AS (
                SELECT category_code, status, schema_name, max(category_name) AS category_name,
                       GROUPING(category_code, status, schema_name) AS g, count(*) AS n
                FROM m GROUP BY GROUPING SETS ((category_code), (status), (schema_name), ())
            ),
            page AS (
                SELECT doc_id, score, row_number() OVER (ORDER BY {order}) AS rank
                FROM (SELECT * FROM m WHERE {page_cond} ORDER BY {order} LIMIT %s) p
            )
            SELECT 'c', category_code, status, schema_name, category_name, g, n, NULL, NULL FROM counts
            UNION ALL
            SELECT 'p', NULL, NULL, NULL, NULL, NULL, rank, doc_id, score FROM page"""
        cursor.execute(sql, score_params + params + page_params + [request.first + 1])
        return cursor.fetchall()

    def _bounded(self, cursor, request: SearchRequest, rank_query: str, match_query: str):
        """Broad searches: rank, page and count the newest matches only; estimate the total.

        When the store's statistics say the search matches more than `bound` documents
        (and it is one prefecture or all of them, sorted by relevance or newest, with no
        filter but the text), the matches are restricted to the newest documents in
        scope — a window sized to hold about 1.25 × bound matches, its start found in the
        same statement by a walk of the registration-time index — so PostgreSQL reads a
        heap page for those matches only, however many there are. If the window holds
        fewer than `bound` matches it is widened by the rate seen, so totals up to `bound`
        are always exact. The total is then the window's matches scaled to every document in scope,
        facet counts alike. Returns (rows, scale) or None to search every match."""
        bound = settings.LIAISON_SEARCH_EXACT_TOTAL_UP_TO
        f = request.filters
        if (bound <= 0 or request.effective_sort == "oldest"
                or any((f.tiers, f.position_ids, f.statuses, f.categories, f.channels, f.division_code,
                        f.registered_from, f.registered_to, f.overdue is not None))):
            return None
        if request.all_prefectures:
            scope, scope_params = "TRUE", []
        elif len(request.schemas) == 1:
            scope, scope_params = "schema_name = %s", [request.schemas[0]]  # the (schema_name, registered_at) index
        else:
            return None
        stats = _lexeme_stats(cursor)
        in_scope = stats.documents if request.all_prefectures else stats.documents * stats.frequency(scope_lexeme(request.schemas[0]))
        rarest = min((t.text for term in request.query.positive for t in term.tokens), key=stats.frequency)
        expected = in_scope * stats.frequency(rarest)
        if expected <= bound:
            return None
        # The index condition is the rarest lexeme (and the prefecture's scope lexeme): the
        # planner estimates it well and so intersects it with the time window's bitmap; the
        # whole query (phrases, exclusions), whose estimate it cannot make, is checked on
        # the window's candidates only (ts_match_vq is @@ without the index).
        index_query = _quote_lexeme(rarest) + ("" if request.all_prefectures else f" & '{scope_lexeme(request.schemas[0])}'")
        conds = ["search_vector @@ %s::tsquery", "ts_match_vq(search_vector, %s::tsquery)"]
        params: list = [index_query, match_query]
        if not request.all_prefectures:
            conds.insert(0, "schema_name = %s")
            params.insert(0, request.schemas[0])
        window = math.ceil(1.25 * bound * in_scope / expected)
        for _ in range(3):
            if window >= in_scope:
                return None
            start = (f"registered_at > COALESCE((SELECT registered_at FROM {TABLE} WHERE {scope} "
                     f"ORDER BY registered_at DESC OFFSET %s LIMIT 1), '-infinity')")
            rows = self._matches(cursor, request, rank_query, [*conds, start], [*params, *scope_params, window])
            matched = next((r[6] for r in rows if r[0] == "c" and r[5] == 7), 0)
            if matched >= bound:
                return rows, max(1.0, in_scope / window)
            # Fewer than the statistics promised (a term rarer here than in the whole store):
            # size the next window by the rate just seen.
            window = math.ceil(1.25 * bound * window / matched) if matched else window * 4
        return None

    @staticmethod
    def _counts(request: SearchRequest, rows: list[tuple], scale: float | None = None) -> tuple[int, dict]:
        """Total and facet counts; `scale` (an estimate's factor) multiplies each."""
        wanted = [f for f in request.facets if f in FACET_COLUMNS]
        total = 0
        facets: dict[str, list[FacetValue]] = {f: [] for f in wanted}
        for category, status, schema, category_name, g, n in rows:
            if scale is not None:
                n = round(n * scale)
            if g == 7:
                total = n
            elif g == 3 and "category" in facets:
                facets["category"].append(FacetValue(category, n, category_name))
            elif g == 5 and "status" in facets:
                facets["status"].append(FacetValue(status, n))
            elif g == 6 and "prefecture" in facets:
                facets["prefecture"].append(FacetValue(schema, n))
        for values in facets.values():
            values.sort(key=lambda v: (-v.count, v.value))
        return total, facets

    @staticmethod
    def _hit(row: dict, pieces: list[str], sort: str, today) -> Hit:
        title_hl = highlight(row["title"], pieces) or html.escape(row["title"])
        snippet = (highlight(row["content"], pieces, size=SNIPPET_SIZE)
                   or highlight(row["reply_text"], pieces, size=SNIPPET_SIZE)
                   or plain_snippet(row["content"], SNIPPET_SIZE))
        score = float(row["score"])
        if sort == "relevance":
            keys = [score, row["registered_at"].isoformat(), row["doc_id"]]
        else:
            keys = [row["registered_at"].isoformat(), row["doc_id"]]
        return Hit(
            doc_id=row["doc_id"], schema_name=row["schema_name"], opinion_id=row["opinion_id"], score=score,
            title=row["title"], title_highlight=title_hl, snippet=snippet,
            category_code=row["category_code"], category_name=row["category_name"], status=row["status"],
            channel=row["channel"], tier=row["tier"], position_id=row["position_id"], position_name=row["position_name"],
            division_code=row["division_code"], division_name=row["division_name"], registered_at=row["registered_at"],
            due_on=row["due_on"], is_overdue=is_overdue(row["awaiting_reply"], row["due_on"], today),
            cursor=encode_cursor(sort, keys),
        )

