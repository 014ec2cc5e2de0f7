"""The PostgreSQL backend: one public table, a `simple` tsvector of CJK unigrams +
bigrams and words with a GIN index, no extension.

Documents are converted in Python (liaison.search.text) and stored as tsvector
literals; queries become tsquery literals with phrase operators. Ranking is
ts_rank_cd over weighted fields (title A; category, position, division B; content and
reply C); snippets are highlighted in Python on the original text.
"""
from __future__ import annotations

import html
from collections.abc import Iterable

from django.db import connection, transaction

from ..documents import weighted_fields
from ..text import highlight, plain_snippet, term_tsquery, tsquery_literal, tsvector_literal
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
                    params.append(tsvector_literal(weighted_fields(doc)))
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
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('public.searchdoc_vector_gin'::regclass)")
            cursor.execute(f"ANALYZE {TABLE}")

    def count(self, schema_name: str | None = None) -> int:
        with connection.cursor() as cursor:
            if schema_name:
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE schema_name = %s", [schema_name])
            else:
                cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return cursor.fetchone()[0]

    # --- reads ----------------------------------------------------------------------
    def _where(self, request: SearchRequest, tsquery: str | None) -> tuple[list[str], list]:
        f = request.filters
        conds, params = ["schema_name = ANY(%s)"], [list(request.schemas)]
        if tsquery:
            conds.append("search_vector @@ %s::tsquery")
            params.append(tsquery)
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
        tsquery = tsquery_literal(request.query)
        if request.query.is_empty and request.query.negative:
            tsquery = None  # only exclusions: applied below as a NOT
        conds, params = self._where(request, tsquery)
        if request.query.is_empty and request.query.negative:
            conds.append("NOT (search_vector @@ %s::tsquery)")
            params.append(" | ".join(term_tsquery(t) for t in request.query.negative))
        sort = request.effective_sort
        score_sql = f"ts_rank_cd('{RANK_WEIGHTS}', search_vector, %s::tsquery)" if tsquery else "0::real"
        score_params = [tsquery] if tsquery else []

        page_conds, page_params = list(conds), list(params)
        if request.after:
            if sort == "relevance":
                page_conds.append(f"({score_sql}, registered_at, doc_id) < (%s::real, %s::timestamptz, %s)")
                page_params += score_params + list(request.after)
            elif sort == "newest":
                page_conds.append("(registered_at, doc_id) < (%s::timestamptz, %s)")
                page_params += list(request.after)
            else:
                page_conds.append("(registered_at, doc_id) > (%s::timestamptz, %s)")
                page_params += list(request.after)
        order = {
            "relevance": "score DESC, registered_at DESC, doc_id DESC",
            "newest": "registered_at DESC, doc_id DESC",
            "oldest": "registered_at ASC, doc_id ASC",
        }[sort]
        sql = (f"SELECT {', '.join(COLUMNS)}, {score_sql} AS score FROM {TABLE} "
               f"WHERE {' AND '.join(page_conds)} ORDER BY {order} LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, score_params + page_params + [request.first + 1])
            names = [c.name for c in cursor.description]
            rows = [dict(zip(names, r)) for r in cursor.fetchall()]
            total, facets = self._counts(cursor, request, conds, params)
        has_next = len(rows) > request.first
        pieces = request.query.highlight_pieces
        hits = [self._hit(r, pieces, sort, request.today) for r in rows[: request.first]]
        return SearchResult(hits=hits, total=total, facets=facets, has_next_page=has_next)

    def _counts(self, cursor, request: SearchRequest, conds: list[str], params: list) -> tuple[int, dict]:
        """Total and facet counts in one scan (GROUPING SETS)."""
        wanted = [f for f in request.facets if f in FACET_COLUMNS]
        # all three sets always (GROUPING() needs every column grouped somewhere); one scan
        sets = "(category_code), (status), (schema_name), ()"
        cursor.execute(
            f"SELECT category_code, status, schema_name, max(category_name), "
            f"GROUPING(category_code, status, schema_name) AS g, count(*) FROM {TABLE} "
            f"WHERE {' AND '.join(conds)} GROUP BY GROUPING SETS ({sets})",
            params,
        )
        total = 0
        facets: dict[str, list[FacetValue]] = {f: [] for f in wanted}
        for category, status, schema, category_name, g, n in cursor.fetchall():
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

