"""The Elasticsearch backend, written with `elasticsearch.dsl` (the DSL inside the
`elasticsearch` 9.x client).

Layout: one index per prefecture, `<prefix>-<schema>-<timestamp>`, reached through two
aliases: the write alias `<prefix>-<schema>` (that prefecture only) and the read alias
`<prefix>` (every prefecture, so a province-wide search is one request, and the
prefecture is a terms aggregation like any other facet). Document ids are
"<schema>:<opinion id>".

Analysis: text fields use the built-in `cjk` analyzer (CJK bigrams, width folding,
lower case), or IK (`ik_max_word` at index time, `ik_smart` at search time) when
ELASTICSEARCH_IK says the cluster has the plugin. Every text field also has a `.char`
sub-field with the `standard` analyzer, which makes each CJK character a token: one-
character queries match there (the cjk analyzer only emits bigrams for runs of two or
more characters). Traditional characters are converted to simplified (OpenCC t2s) in
Python before indexing and in every query, so no plugin is needed for that.

Reindex (`rebuild`): create a new index, bulk every document into it, refresh, then
swap both aliases in ONE `update_aliases` call (remove old + add new), then delete
the old index. Readers see the old index until the swap and the new one after it.
"""
from __future__ import annotations

import html
import logging
import time
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.dsl import Boolean, Date, Index, Keyword, Long, Mapping, Q, Search, Text
from elasticsearch.helpers import bulk

from ..documents import split_doc_id
from ..text import CJK_RE, ParsedQuery, Term, to_simplified
from ..types import SNIPPET_SIZE, FacetValue, Hit, SearchRequest, SearchResult, encode_cursor, is_overdue
from .base import SearchBackend

log = logging.getLogger("liaison.search")

TEXT_FIELDS = ("title", "names", "content", "reply_text")
BOOSTS = {"title": 3, "names": 2, "content": 1, "reply_text": 1}
FACET_FIELDS = {"category": "category_code", "status": "status", "prefecture": "schema_name"}
FACET_SIZE = 100


def simplified(text: str) -> str:
    """Traditional → simplified only (case and width are the analyzer's business, and
    highlights then show the text as written)."""
    return to_simplified(text)


def analyzers(ik: bool) -> dict:
    return {"analyzer": "ik_max_word", "search_analyzer": "ik_smart"} if ik else {"analyzer": "cjk"}


def build_mapping(ik: bool = False) -> Mapping:
    m = Mapping()
    char = {"char": Text(analyzer="standard")}
    for name in TEXT_FIELDS:
        m.field(name, Text(fields=char, **analyzers(ik)))
    m.field("title_display", Keyword(index=False, doc_values=False))
    for name in ("doc_id", "schema_name", "category_code", "status", "channel", "tier", "division_code", "division_codes"):
        m.field(name, Keyword())
    for name in ("category_name", "position_name", "division_name"):
        m.field(name, Keyword(index=False, doc_values=False))
    m.field("opinion_id", Long())
    m.field("position_id", Long())
    m.field("division_id", Long())
    m.field("awaiting_reply", Boolean())
    m.field("registered_at", Date())
    m.field("due_on", Date(format="strict_date"))
    return m


def build_index(name: str, ik: bool = False, aliases: dict | None = None) -> Index:
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=getattr(settings, "ELASTICSEARCH_REPLICAS", 0),
                   max_result_window=100_000)
    index.mapping(build_mapping(ik))
    if aliases:
        index.aliases(**aliases)
    return index


def to_source(doc: dict) -> dict:
    """The stored body: search text converted to simplified; the rest as it is."""
    src = {k: v for k, v in doc.items() if k not in ("title", "content", "reply_text", "division_names")}
    src["title"] = simplified(doc["title"])
    src["title_display"] = doc["title"]
    src["content"] = simplified(doc["content"])
    src["reply_text"] = simplified(doc["reply_text"])
    src["names"] = simplified(" ".join(x for x in (doc["category_name"], doc["position_name"], doc["division_names"]) if x))
    for key, value in list(src.items()):
        if isinstance(value, (datetime, date)):
            src[key] = value.isoformat()
    return src


# --- queries ----------------------------------------------------------------------------

def _is_single_char(term: Term) -> bool:
    return len(term.tokens) == 1 and len(term.tokens[0].text) == 1 and bool(CJK_RE.match(term.tokens[0].text))


def term_query(term: Term, ik: bool = False) -> Q:
    """One query term: a phrase over the boosted text fields; a single CJK character
    on the `.char` sub-fields. (With IK, whose tokens need not line up as phrases,
    every token is required and the phrase only boosts.)"""
    text = simplified(term.text)
    if _is_single_char(term):
        return Q("multi_match", query=text, type="phrase", fields=[f"{f}.char^{BOOSTS[f]}" for f in TEXT_FIELDS])
    fields = [f"{f}^{BOOSTS[f]}" for f in TEXT_FIELDS]
    phrase = Q("multi_match", query=text, type="phrase", fields=fields)
    if not ik:
        return phrase
    return Q("bool", must=[Q("multi_match", query=text, type="cross_fields", operator="and", fields=fields)], should=[phrase])


def build_search(request: SearchRequest, *, index: str, client=None, ik: bool = False) -> Search:
    s = Search(using=client, index=index)
    q: ParsedQuery = request.query
    if q.positive:
        s = s.query(Q("bool", must=[term_query(t, ik) for t in q.positive], must_not=[term_query(t, ik) for t in q.negative]))
    elif q.negative:
        s = s.query(Q("bool", must_not=[term_query(t, ik) for t in q.negative]))
    f = request.filters
    s = s.filter("terms", schema_name=list(request.schemas))
    for field, values in (("tier", f.tiers), ("position_id", f.position_ids), ("status", f.statuses),
                          ("category_code", f.categories), ("channel", f.channels)):
        if values:
            s = s.filter("terms", **{field: list(values)})
    if f.division_code:
        s = s.filter("term", division_codes=f.division_code)
    if f.registered_from or f.registered_to:
        rng = {}
        if f.registered_from:
            rng["gte"] = f.registered_from.isoformat()
        if f.registered_to:
            rng["lt"] = f.registered_to.isoformat()
        s = s.filter("range", registered_at=rng)
    overdue = Q("bool", filter=[Q("term", awaiting_reply=True), Q("range", due_on={"lt": request.today.isoformat()})])
    if f.overdue is True:
        s = s.filter(overdue)
    elif f.overdue is False:
        s = s.exclude(overdue)
    sort = request.effective_sort
    s = s.sort(*{
        "relevance": [{"_score": {"order": "desc"}}, {"registered_at": {"order": "desc"}}, {"doc_id": {"order": "desc"}}],
        "newest": [{"registered_at": {"order": "desc"}}, {"doc_id": {"order": "desc"}}],
        "oldest": [{"registered_at": {"order": "asc"}}, {"doc_id": {"order": "asc"}}],
    }[sort])
    extra = {"size": request.first + 1, "track_total_hits": True}
    if request.after:
        extra["search_after"] = request.after
    s = s.extra(**extra)
    s = s.source(excludes=["content", "reply_text", "names", "title"])
    s = s.highlight_options(pre_tags=["<em>"], post_tags=["</em>"], encoder="html", fragment_size=SNIPPET_SIZE,
                            number_of_fragments=1)
    s = s.highlight("title", "title.char", number_of_fragments=0)
    s = s.highlight("content", "content.char", "reply_text", "reply_text.char")
    s = s.highlight("content", no_match_size=SNIPPET_SIZE)
    for facet in request.facets:
        field = FACET_FIELDS[facet]
        bucket = s.aggs.bucket(facet, "terms", field=field, size=FACET_SIZE)
        if facet == "category":
            bucket.bucket("label", "top_hits", size=1, _source=["category_name"])
    return s


def _first_with_match(highlight, *fields) -> str | None:
    found = highlight.to_dict() if highlight is not None else {}
    for field in fields:
        fragments = found.get(field)
        if fragments and "<em>" in fragments[0]:
            return fragments[0]
    return None


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str | None = None, *, prefix: str = "liaison-opinions", ik: bool = False,
                 refresh: bool = False, client: Elasticsearch | None = None):
        self.client = client or Elasticsearch(url, request_timeout=10, retry_on_timeout=True, max_retries=2)
        self.prefix = prefix
        self.ik = ik
        self.refresh = refresh
        self._ready: set[str] = set()

    @classmethod
    def from_settings(cls) -> "ElasticsearchBackend":
        return cls(settings.ELASTICSEARCH_URL, prefix=getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "liaison-opinions"),
                   ik=getattr(settings, "ELASTICSEARCH_IK", False))

    # --- names ------------------------------------------------------------------------
    @property
    def read_alias(self) -> str:
        return self.prefix

    def write_alias(self, schema: str) -> str:
        return f"{self.prefix}-{schema}"

    def new_index_name(self, schema: str) -> str:
        return f"{self.prefix}-{schema}-{time.strftime('%Y%m%d%H%M%S')}{int(time.time() * 1000) % 1000:03d}"

    def indices_behind(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias).body.keys())
        except NotFoundError:
            return []

    # --- writes -------------------------------------------------------------------------
    def create_index(self, name: str, aliases: dict | None = None) -> None:
        body = build_index(name, self.ik, aliases).to_dict()
        self.client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                                   aliases=body.get("aliases"))

    def ensure_index(self, schema: str) -> None:
        if schema in self._ready:
            return
        if not self.indices_behind(self.write_alias(schema)):
            self.create_index(self.new_index_name(schema),
                              {self.write_alias(schema): {"is_write_index": True}, self.read_alias: {}})
        self._ready.add(schema)

    def _bulk(self, actions: list[dict], ignore_missing: bool = False, require_alias: bool = False) -> None:
        if not actions:
            return
        extra = {"require_alias": True} if require_alias else {}
        _, errors = bulk(self.client, actions, refresh=self.refresh, raise_on_error=False, stats_only=False, **extra)
        real = [e for e in errors if not (ignore_missing and next(iter(e.values())).get("status") == 404)]
        if real:
            raise RuntimeError(f"Elasticsearch bulk failed for {len(real)} document(s): {real[:3]}")

    def index(self, docs: list[dict], into: str | None = None) -> None:
        actions = []
        for doc in docs:
            if into is None:
                self.ensure_index(doc["schema_name"])
            actions.append({"_op_type": "index", "_index": into or self.write_alias(doc["schema_name"]),
                            "_id": doc["doc_id"], "_source": to_source(doc)})
        # through the alias, never auto-create an index named like it (it would serve no reader)
        try:
            self._bulk(actions, require_alias=into is None)
        except Exception:
            self._ready.difference_update(d["schema_name"] for d in docs)  # check the aliases again next time
            raise

    def delete(self, doc_ids: list[str]) -> None:
        actions = []
        for did in doc_ids:
            schema, _ = split_doc_id(did)
            if self.indices_behind(self.write_alias(schema)):
                actions.append({"_op_type": "delete", "_index": self.write_alias(schema), "_id": did})
        self._bulk(actions, ignore_missing=True)

    def delete_schema(self, schema_name: str) -> None:
        for name in self.indices_behind(self.write_alias(schema_name)):
            self.client.indices.delete(index=name)
        self._ready.discard(schema_name)

    def rebuild(self, schema_name: str, batches: Iterable[list[dict]]) -> int:
        """Behind the aliases: build a new index, swap atomically, delete the old one."""
        new = self.new_index_name(schema_name)
        self.create_index(new)
        count = 0
        try:
            for docs in batches:
                self.index(docs, into=new)
                count += len(docs)
            self.client.indices.refresh(index=new)
        except Exception:
            self.client.indices.delete(index=new)
            raise
        self.swap(schema_name, new)
        return count

    def swap(self, schema_name: str, new: str) -> None:
        write = self.write_alias(schema_name)
        old = self.indices_behind(write)
        actions = []
        for name in old:
            actions.append({"remove": {"index": name, "alias": write}})
            actions.append({"remove": {"index": name, "alias": self.read_alias}})
        actions.append({"add": {"index": new, "alias": write, "is_write_index": True}})
        actions.append({"add": {"index": new, "alias": self.read_alias}})
        self.client.indices.update_aliases(actions=actions)  # one atomic call
        for name in old:
            self.client.indices.delete(index=name)
        self._ready.add(schema_name)

    def count(self, schema_name: str | None = None) -> int:
        index = self.write_alias(schema_name) if schema_name else self.read_alias
        try:
            return self.client.count(index=index).body["count"]
        except NotFoundError:
            return 0

    def refresh_all(self) -> None:
        self.client.indices.refresh(index=f"{self.prefix}-*")

    def drop_all(self) -> None:
        """Delete every index of this prefix (tests, benchmarks)."""
        names = list(self.client.indices.get(index=f"{self.prefix}-*", expand_wildcards="all").body.keys())
        for name in names:
            self.client.indices.delete(index=name)
        self._ready.clear()

    # --- reads ----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        s = build_search(request, index=self.read_alias, client=self.client, ik=self.ik)
        try:
            response = s.execute()
        except NotFoundError:  # nothing indexed yet anywhere
            return SearchResult(hits=[], total=0, facets={f: [] for f in request.facets})
        sort = request.effective_sort
        rows = list(response.hits)
        hits = [self._hit(h, sort, request.today) for h in rows[: request.first]]
        facets: dict[str, list[FacetValue]] = {}
        aggs = getattr(response, "aggregations", None)
        for facet in request.facets:
            values = []
            for b in getattr(aggs, facet).buckets if aggs is not None else []:
                label = ""
                top = b.to_dict().get("label", {}).get("hits", {}).get("hits", [])
                if facet == "category" and top:
                    label = top[0].get("_source", {}).get("category_name", "")
                values.append(FacetValue(str(b.key), b.doc_count, label))
            values.sort(key=lambda v: (-v.count, v.value))
            facets[facet] = values
        return SearchResult(hits=hits, total=response.hits.total.value, facets=facets,
                            has_next_page=len(rows) > request.first)

    @staticmethod
    def _hit(h, sort: str, today: date) -> Hit:
        src = h.to_dict()
        hl = getattr(h.meta, "highlight", None)
        title = src.get("title_display", "")
        title_hl = _first_with_match(hl, "title", "title.char") or html.escape(title)
        snippet = _first_with_match(hl, "content", "content.char", "reply_text", "reply_text.char")
        if snippet is None:
            fragments = hl.to_dict().get("content") if hl is not None else None
            snippet = fragments[0] if fragments else ""
        keys = list(h.meta.sort)
        score = float(h.meta.score or 0.0)
        due = src.get("due_on")
        due_on = date.fromisoformat(due) if due else None
        return Hit(
            doc_id=src["doc_id"], schema_name=src["schema_name"], opinion_id=int(src["opinion_id"]), score=score,
            title=title, title_highlight=title_hl, snippet=snippet,
            category_code=src.get("category_code", ""), category_name=src.get("category_name", ""),
            status=src["status"], channel=src["channel"], tier=src.get("tier", ""), position_id=src.get("position_id"),
            position_name=src.get("position_name", ""), division_code=src.get("division_code", ""),
            division_name=src.get("division_name", ""), registered_at=datetime.fromisoformat(src["registered_at"]),
            due_on=due_on, is_overdue=is_overdue(bool(src.get("awaiting_reply")), due_on, today),
            cursor=encode_cursor(sort, keys),
        )
