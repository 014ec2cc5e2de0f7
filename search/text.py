"""Chinese-aware text handling shared by both search backends.

The same idea as Elasticsearch's `cjk` analyzer, done in Python so PostgreSQL needs no
extension:

- normalise: NFKC (full-width ASCII → half-width), traditional → simplified (OpenCC
  t2s), lower case;
- tokens: every CJK character is a unigram, every pair of adjacent CJK characters a
  bigram at the position of its first character; ASCII/other letters and digits form
  words ("G213" → "g213"). Punctuation and spaces end a CJK run (no bigram across them);
- queries: whitespace separates terms, "…" / “…” quote a term containing spaces; every
  term is a phrase (its bigrams in order: 安装路灯 → 安装 <-> 装路 <-> 路灯), terms
  are ANDed, a leading '-' excludes a term.

The PostgreSQL backend turns these into `tsvector`/`tsquery` literals; the
Elasticsearch backend sends the normalised query text to its own analyzer.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
TOKEN_RE = re.compile(rf"([{CJK_RANGES}])|([^\W_{CJK_RANGES}]+)")
CJK_RE = re.compile(rf"[{CJK_RANGES}]")
TERM_RE = re.compile(r'(-?)(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+))')
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_LEXEME = 256
FIELD_GAP = 10  # positions left empty between fields, so no phrase spans two fields


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _changing_chars() -> frozenset[str] | None:
    """Characters whose presence can make t2s change a text: the traditional characters,
    plus the characters of the few phrase entries made only of other characters. A text
    with none of them converts to itself, so the (slow, pure-Python) conversion is
    skipped. None when OpenCC's tables cannot be read (then every text is converted)."""
    try:
        converter = _t2s()
        converter.convert("乾")  # loads the tables
        tables = [entry[2] for group in converter._dict_chain_data for entry in group]
        chars = {k for table in tables for k, v in table.items() if len(k) == 1 and v != k}
        for table in tables:
            for k, v in table.items():
                if len(k) > 1 and v != k and not chars.intersection(k):
                    chars.update(k)
        return frozenset(chars)
    except Exception:  # private structure of opencc-python-reimplemented changed
        return None


def to_simplified(text: str) -> str:
    if not text or not CJK_RE.search(text):
        return text or ""
    changing = _changing_chars()
    if changing is not None and changing.isdisjoint(text):
        return text
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """NFKC, traditional → simplified, lower case."""
    if not text:
        return ""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Token:
    text: str
    position: int
    start: int  # character offsets in the normalised text
    end: int


def tokens(text: str, *, start_position: int = 0, normalized: bool = False) -> list[Token]:
    """Unigrams + bigrams for CJK, words for the rest, with positions."""
    norm = text if normalized else normalize(text)
    out: list[Token] = []
    position = start_position
    prev_cjk: re.Match | None = None
    for match in TOKEN_RE.finditer(norm):
        if match.group(1):
            if prev_cjk is not None and prev_cjk.end() == match.start():
                # bigram of the previous character and this one, at the previous position
                out.append(Token(prev_cjk.group(1) + match.group(1), position - 1, prev_cjk.start(), match.end()))
            out.append(Token(match.group(1), position, match.start(), match.end()))
            prev_cjk = match
        else:
            out.append(Token(match.group(2), position, match.start(), match.end()))
            prev_cjk = None
        position += 1
    return out


def phrase_tokens(text: str, *, normalized: bool = False) -> list[Token]:
    """What a query term matches: bigrams for CJK runs of 2+, the unigram for a lone
    CJK character, words as they are. Positions are those the document would have."""
    all_tokens = tokens(text, normalized=normalized)
    bigram_starts = {t.position for t in all_tokens if len(t.text) == 2 and CJK_RE.match(t.text)}
    covered = bigram_starts | {p + 1 for p in bigram_starts}
    out = []
    for t in all_tokens:
        is_cjk = bool(CJK_RE.match(t.text))
        if not is_cjk:
            out.append(t)
        elif len(t.text) == 2:
            out.append(t)
        elif t.position not in covered:
            out.append(t)
    out.sort(key=lambda t: (t.position, t.start))
    return out


@dataclass(frozen=True)
class Term:
    text: str  # normalised
    tokens: tuple[Token, ...]
    negated: bool = False

    @property
    def pieces(self) -> list[str]:
        """Contiguous runs of the term's text, for highlighting ("路灯,安装" → 路灯, 安装)."""
        return [m.group(0) for m in re.finditer(rf"(?:[{CJK_RANGES}]|[^\W_{CJK_RANGES}])+", self.text)]


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    terms: tuple[Term, ...]

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative(self) -> list[Term]:
        return [t for t in self.terms if t.negated]

    @property
    def is_empty(self) -> bool:
        return not self.positive

    @property
    def highlight_pieces(self) -> list[str]:
        pieces = {p for t in self.positive for p in t.pieces}
        return sorted(pieces, key=len, reverse=True)


MAX_QUERY_LENGTH = 200


def parse_query(raw: str | None) -> ParsedQuery:
    raw = (raw or "").strip()[:MAX_QUERY_LENGTH]
    terms = []
    for match in TERM_RE.finditer(raw):
        negated = match.group(1) == "-"
        text = next(g for g in match.groups()[1:] if g is not None)
        norm = normalize(text)
        toks = tuple(phrase_tokens(norm, normalized=True))
        if toks:
            terms.append(Term(norm, toks, negated))
    return ParsedQuery(raw, tuple(terms))


# --- PostgreSQL literals --------------------------------------------------------------

def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _lexemes(norm: str, position: int):
    """(lexeme, position) pairs of normalised text: `tokens` without the offsets, for speed."""
    prev_char, prev_end = None, -1
    for match in TOKEN_RE.finditer(norm):
        char = match.group(1)
        if char:
            if prev_char is not None and prev_end == match.start():
                yield prev_char + char, position - 1
            yield char, position
            prev_char, prev_end = char, match.end()
        else:
            yield match.group(2), position
            prev_char = None
        position += 1


def tsvector_literal(fields: list[tuple[str, str]]) -> str:
    """A `tsvector` input string for weighted fields [(text, 'A'|'B'|'C'|'D'), …]."""
    lexemes: dict[str, list[str]] = {}
    position = 1
    for text, weight in fields:
        last = position
        for lexeme, pos in _lexemes(normalize(text or ""), position):
            entries = lexemes.get(lexeme)
            if entries is None:
                entries = lexemes[lexeme] = []
            if len(entries) < MAX_POSITIONS_PER_LEXEME:
                entry = f"{pos if pos < MAX_POSITION else MAX_POSITION}{weight}"
                if pos < MAX_POSITION or not entries or entries[-1] != entry:
                    entries.append(entry)
            last = pos
        position = last + FIELD_GAP
    out = []
    for lex, positions in lexemes.items():
        if "'" in lex or "\\" in lex:
            lex = lex.replace("\\", "\\\\").replace("'", "''")
        out.append(f"'{lex}':{','.join(positions)}")
    return " ".join(out)


def term_tsquery(term: Term) -> str:
    parts = [_quote_lexeme(term.tokens[0].text)]
    for prev, tok in zip(term.tokens, term.tokens[1:]):
        distance = tok.position - prev.position
        parts.append(f"<{distance}>" if distance != 1 else "<->")
        parts.append(_quote_lexeme(tok.text))
    return "(" + " ".join(parts) + ")"


def tsquery_literal(query: ParsedQuery) -> str | None:
    """The `tsquery` input string for a parsed query, or None when it has no positive term."""
    if query.is_empty:
        return None
    parts = [term_tsquery(t) for t in query.positive]
    parts += ["!" + term_tsquery(t) for t in query.negative]
    return " & ".join(parts)


# --- Highlighting on the original text ------------------------------------------------

def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index in `text`."""
    norm = normalize(text)
    if len(norm) == len(text):
        return norm, list(range(len(text)))
    chars, index = [], []
    for i, ch in enumerate(text):
        n = normalize(ch)
        chars.append(n)
        index.extend([i] * len(n))
    return "".join(chars), index


def match_spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans in the ORIGINAL text where a piece occurs."""
    if not text or not pieces:
        return []
    lowered = text.lower()
    if len(lowered) == len(text) and any(p in lowered for p in pieces):
        norm, index = lowered, range(len(text))  # the common case: no conversion needed
    else:
        norm, index = _normalized_with_map(text)
    taken = [False] * len(norm)
    spans = []
    for piece in pieces:
        for m in re.finditer(re.escape(piece), norm):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            spans.append((index[m.start()], index[m.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, pieces: list[str], *, size: int | None = None, pre: str = "<em>", post: str = "</em>") -> str | None:
    """HTML-escaped text (a window of about `size` characters around the first match when
    size is given) with matches wrapped in pre/post; None when nothing matches."""
    spans = match_spans(text, pieces)
    if not spans:
        return None
    start, end = 0, len(text)
    if size is not None and len(text) > size:
        first = spans[0][0]
        start = max(0, min(first - size // 4, len(text) - size))
        end = min(len(text), start + size)
    out, cursor = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(pre + html.escape(text[s:e]) + post)
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


def plain_snippet(text: str, size: int) -> str:
    text = text or ""
    return html.escape(text[:size]) + ("…" if len(text) > size else "")
