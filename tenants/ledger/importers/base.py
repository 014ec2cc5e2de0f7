"""The import machinery shared by every kind of ledger.

A file is read sheet by sheet, each sheet in chunks of rows (CHUNK_SIZE). For each
chunk: every cell is parsed (type, length, choices), natural keys are checked against
the rest of the file, references are looked up in bulk (one query per chunk and kind of
reference), the owning app's validation functions run per row, and the clean rows are
written with bulk statements. The whole file runs inside ONE transaction; when any
row has a problem, or on a dry run, the transaction is rolled back at the end, so
"dry run" is the real import minus the commit and an import with errors writes nothing.

Memory: only the current chunk's rows are held, plus one small entry per natural key
seen (to find duplicates and in-file references), plus the problem list (capped, see
report.MAX_KEPT_PROBLEMS).
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from openpyxl.utils import get_column_letter

from liaison.tenants.common.errors import FieldError, ServiceError

from ..parsing import CellError
from ..report import ImportReport, Problem, SheetCounts
from ..spec import Column, LedgerKind

CHUNK_SIZE = 2000
HEADER_SCAN_ROWS = 10


@dataclass
class Row:
    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    failed: bool = False
    existing: Any = None     # the stored object this row updates (set by prepare)
    fields: dict[str, Any] = field(default_factory=dict)   # model field values to write (set by validate)
    obj: Any = None          # the object written (set by write)
    created: bool = False
    changed: bool = False


@dataclass(slots=True)
class SeenKey:
    row: int
    ok: bool
    pk: int | None = None


ProgressCallback = Callable[[str, int, int], None]   # (sheet, rows done in sheet, problems so far)


class ImportSession:
    """What the sheets of one import share: caches, keys seen, the report, hooks."""

    def __init__(self, report: ImportReport, *, dry_run: bool, progress: ProgressCallback | None = None,
                 chunk_size: int = CHUNK_SIZE, actor: str = ""):
        self.report = report
        self.dry_run = dry_run
        self.progress = progress
        self.chunk_size = chunk_size
        self.actor = actor
        self.keys: dict[str, dict[str, SeenKey]] = {}
        self.kinds_in_file: set[str] = set()
        self.cache: dict[str, Any] = {}
        self.after_commit: list[Callable[[], None]] = []
        # Run once after every sheet is in (inside the transaction), e.g. re-deriving
        # positions' 达标 status after checklist and stationing rows arrived.
        self.finalizers: dict[str, Callable[["ImportSession"], None]] = {}

    def seen(self, kind: str) -> dict[str, SeenKey]:
        return self.keys.setdefault(kind, {})

    @property
    def divisions(self):
        from .divisions import DivisionIndex

        if "divisions" not in self.cache:
            self.cache["divisions"] = DivisionIndex.load()
        return self.cache["divisions"]


class SheetImporter:
    """Subclasses set `kind` and implement prepare/validate/write (and finish if needed)."""

    kind: LedgerKind
    # service field name → column key (or alternatives, the first present in the file wins),
    # for mapping FieldErrors from the owning app's services onto the file's columns
    field_columns: dict[str, str | tuple[str, ...]] = {}

    def __init__(self, session: ImportSession, sheet: str, columns: dict[int, Column], headers: dict[str, str], header_row: int):
        self.session = session
        self.sheet = sheet
        self.columns = columns
        self.present = {c.key for c in columns.values()}
        self.headers = headers            # column key → header text as written in the file
        self.letters = {c.key: get_column_letter(i + 1) for i, c in columns.items()}
        self.header_row = header_row
        self.counts = SheetCounts(kind=self.kind.key, sheet=sheet)
        self.report = session.report

    # --- reporting ------------------------------------------------------------------
    def error(self, row: Row | int, column: str | None, message: str, code: str = "invalid", value: str | None = None) -> None:
        number = row.number if isinstance(row, Row) else row
        if isinstance(row, Row):
            if not row.failed:
                self.counts.errors += 1
            row.failed = True
        header = ""
        letter = ""
        if column:
            header = self.headers.get(column) or self._kind_header(column)
            letter = self.letters.get(column, "")
            if value is None and isinstance(row, Row):
                value = row.raw.get(column, "")
        self.report.add(Problem(sheet=self.sheet, row=number, column=header, letter=letter, value=value or "", message=message, code=code))

    def warn(self, row: int, column: str | None, message: str, code: str = "warning") -> None:
        header = (self.headers.get(column) or self._kind_header(column)) if column else ""
        self.report.warn(Problem(sheet=self.sheet, row=row, column=header, letter=self.letters.get(column or "", ""), value="",
                                 message=message, code=code))

    def service_errors(self, row: Row, errors: Iterable[FieldError], default_column: str | None = None) -> None:
        known = {c.key for c in self.kind.columns}
        for e in errors:
            name = e.field.split(".")[0]
            target = row.values.get("_columns", {}).get(name) or self.field_columns.get(
                name, e.field if e.field in known else default_column)
            options = target if isinstance(target, tuple) else (target,)
            column = next((c for c in options if c in self.present), options[0])
            if column and column not in known:
                column = default_column
            self.error(row, column, e.message, e.code)

    def _kind_header(self, key: str) -> str:
        try:
            return self.kind.column(key).header
        except KeyError:
            return key

    # --- the loop ---------------------------------------------------------------------
    def run(self, rows: Iterator[tuple[int, list[str]]]) -> SheetCounts:
        chunk: list[Row] = []
        for number, cells in rows:
            if not any(cells):
                continue
            raw = {col.key: (cells[i] if i < len(cells) else "") for i, col in self.columns.items()}
            chunk.append(Row(number, raw))
            if len(chunk) >= self.session.chunk_size:
                self._process(chunk)
                chunk = []
        if chunk:
            self._process(chunk)
        self.finish()
        return self.counts

    def _process(self, chunk: list[Row]) -> None:
        self.counts.rows += len(chunk)
        for row in chunk:
            self.parse(row)
        self.check_keys(chunk)
        self.prepare(chunk)
        for row in chunk:
            # Rows with a bad cell are still checked (references, rules on what did parse),
            # so one pass reports every problem; validate() guards what it needs.
            self.validate(row)
        good = [r for r in chunk if not r.failed]
        for row in good:
            self.decide(row)
        if good:
            self._write(good)
        for row in chunk:
            self.remember(row)
            if not row.failed:
                if row.created:
                    self.counts.created += 1
                elif row.changed:
                    self.counts.updated += 1
                else:
                    self.counts.unchanged += 1
        if settings.DEBUG and not connection.force_debug_cursor:   # (a test capturing queries keeps them)
            # DEBUG keeps the SQL of every query (up to 9,000 of them): bulk statements of a
            # large file would pile up hundreds of megabytes. Keep memory flat.
            connection.queries_log.clear()
        if self.session.progress:
            self.session.progress(self.sheet, self.counts.rows, self.report.problem_count)

    def _write(self, rows: list[Row]) -> None:
        """Write a chunk in a savepoint; if the database still refuses (a rule no check
        caught), retry row by row to name the row, so the report stays exact."""
        try:
            with transaction.atomic():
                self.write(rows)
            return
        except DatabaseError:
            pass
        for row in rows:
            try:
                with transaction.atomic():
                    self.write([row])
            except DatabaseError as exc:
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
                self.error(row, None, f"数据库拒绝写入：{message}", "database")
            except ServiceError as exc:
                self.service_errors(row, exc.errors)

    # --- steps (override) ---------------------------------------------------------------
    def parse(self, row: Row) -> None:
        for column in self.kind.columns:
            if column.key not in self.present:
                continue
            text = row.raw.get(column.key, "").strip()
            if not text:
                row.values[column.key] = None
                if column.required:
                    self.error(row, column.key, "必填，不能为空", "required")
                continue
            try:
                row.values[column.key] = column.parse(text) if column.parse else text
            except CellError as exc:
                self.error(row, column.key, exc.message, exc.code)

    def natural_keys(self, row: Row) -> list[tuple[str, str]]:
        value = row.values.get(self.kind.natural_key)
        return [(self.kind.natural_key, value)] if value else []

    def check_keys(self, chunk: list[Row]) -> None:
        seen = self.session.seen(self.kind.key)
        local: dict[str, int] = {}
        for row in chunk:
            for column, value in self.natural_keys(row):
                previous = seen.get(value)
                first = previous.row if previous is not None else local.get(value)
                if first is not None:
                    self.error(row, column, f"与第 {first} 行重复：{value}", "duplicate")
                else:
                    local[value] = row.number

    def remember(self, row: Row) -> None:
        seen = self.session.seen(self.kind.key)
        pk = getattr(row.obj, "pk", None) if not row.failed else None
        for _column, value in self.natural_keys(row):
            if value not in seen:
                seen[value] = SeenKey(row.number, not row.failed, pk)

    def prepare(self, rows: list[Row]) -> None:
        pass

    def validate(self, row: Row) -> None:
        pass

    def decide(self, row: Row) -> None:
        """Create, update or leave alone: decided once, so a retried write does the same."""
        if row.existing is None:
            row.created = True
        else:
            row.changed = any(not same(getattr(row.existing, name), value) for name, value in row.fields.items())
            row.obj = row.existing

    def write(self, rows: list[Row]) -> None:
        """Write the rows' decisions (row.created / row.changed; row.fields). Must be
        repeatable: it is retried row by row when a chunk fails in the database."""
        raise NotImplementedError

    def finish(self) -> None:
        pass

    # --- helpers ------------------------------------------------------------------------
    def given(self, row: Row, key: str) -> bool:
        """The file has this column (an empty cell then means "clear it" on update)."""
        return key in self.present

    def in_file_reference(self, row: Row, column: str, kind: str, value: str, label: str) -> SeenKey | None:
        """A reference to a row of this file; reports when that row has problems."""
        seen = self.session.seen(kind).get(value)
        if seen is not None and not seen.ok:
            self.error(row, column, f"{label}“{value}”所在的第 {seen.row} 行有错误", "reference_has_errors")
        return seen


def same(stored, given) -> bool:
    """Equal as a ledger sees it: times to the second (files carry no microseconds)."""
    if isinstance(stored, dt.datetime) and isinstance(given, dt.datetime):
        return stored.replace(microsecond=0) == given.replace(microsecond=0)
    return stored == given


def assign(obj, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def chunked(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
