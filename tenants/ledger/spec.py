"""What a ledger looks like: its kinds, their columns, headers and guide.

One `LedgerKind` per kind of ledger (divisions, positions, deputies, stationing,
opinions, opinion history). Each column has the Chinese header prefectures use, the
other spellings accepted (English included), whether it is required, a one-line guide
and an example. Templates, the column guide in docs/LEDGER.md, the importers' header
matching and the exporters' header rows all come from here, so they cannot disagree.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from .parsing import CellError


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    guide: str
    example: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    personal: bool = False          # personal data: masked in exports for readers without the right
    parse: Callable[[str], object] | None = None   # text → value; raises CellError
    export: bool = True             # written by exports and templates
    width: int = 14                 # XLSX column width in templates and exports
    choices: tuple[str, ...] = ()   # fixed values: a drop-down list in the XLSX template

    def names(self) -> set[str]:
        return {norm_header(n) for n in (self.header, self.key, *self.aliases)}


@dataclass
class LedgerKind:
    key: str
    title: str            # 阵地台账
    sheet: str            # XLSX sheet name, also accepted as the kind's name
    columns: list[Column]
    natural_key: str      # the column that identifies a row across imports
    description: str = ""
    aliases: tuple[str, ...] = ()
    importer: type | None = None
    exporter: Callable | None = None
    order: int = 0        # import order inside one file: referenced kinds first
    # Groups of columns of which at least one must be in the file, with the reason.
    required_any: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def exported_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]

    def header_index(self) -> dict[str, Column]:
        index: dict[str, Column] = {}
        for column in self.columns:
            for name in column.names():
                index.setdefault(name, column)
        return index

    def names(self) -> set[str]:
        return {norm_header(n) for n in (self.key, self.title, self.sheet, *self.aliases)}


def norm_header(text: str) -> str:
    """Compare headers loosely: full/half width, case, spaces, required marks, notes in brackets."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    text = re.sub(r"[\s*＊_\-]", "", text)
    text = re.sub(r"\((必填|选填|可选|必选|required|optional)\)$", "", text)
    return text


# Headers that often appear in prefectures' sheets and carry nothing to import.
IGNORED_HEADERS = {norm_header(n) for n in ("序号", "no", "#", "备注", "remark", "remarks", "note")}

REGISTRY: dict[str, LedgerKind] = {}


def register(kind: LedgerKind) -> LedgerKind:
    REGISTRY[kind.key] = kind
    if kind.importer is not None:
        kind.importer.kind = kind
    return kind


def kinds() -> list[LedgerKind]:
    _load()
    return sorted(REGISTRY.values(), key=lambda k: k.order)


def get_kind(name: str) -> LedgerKind:
    _load()
    wanted = norm_header(name)
    for kind in REGISTRY.values():
        if wanted in kind.names():
            return kind
    raise KeyError(name)


def kind_names() -> list[str]:
    return [k.key for k in kinds()]


def _load() -> None:
    # The kinds are defined next to their importers; importing the package registers them.
    from . import importers  # noqa: F401


__all__ = ["Column", "LedgerKind", "CellError", "norm_header", "register", "kinds", "get_kind", "IGNORED_HEADERS"]
