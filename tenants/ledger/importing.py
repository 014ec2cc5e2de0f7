"""Running an import: find the sheets and their header rows, then import in one transaction.

    report = run_import(path, kind="positions", dry_run=True)

A CSV holds one ledger; an XLSX may hold several (one per sheet, named as in the
templates: 行政区划, 阵地, 代表, 代表进站, 意见建议, 办理过程), imported in dependency
order. The header row is found among the first rows (titles above it are common in
prefectures' sheets); columns are matched by their Chinese or English names.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from django.db import connection, transaction

from .importers.base import CHUNK_SIZE, HEADER_SCAN_ROWS, ImportSession, ProgressCallback
from .readers import FileProblem, LedgerFile, RawSheet
from .report import ImportReport, Problem
from .spec import IGNORED_HEADERS, Column, LedgerKind, get_kind, kinds, norm_header

GUIDE_SHEETS = {norm_header(n) for n in ("填表说明", "说明", "导出说明", "字段说明", "使用说明", "guide", "readme", "help")}


@dataclass
class SheetPlan:
    kind: LedgerKind
    sheet: str
    header_row: int
    columns: dict[int, Column]
    headers: dict[str, str]
    rows: Iterator[tuple[int, list[str]]]


class _Rollback(Exception):
    pass


def _match(cells: list[str], kind: LedgerKind) -> tuple[int, dict[int, Column], dict[str, str], list[str], list[str]]:
    index = kind.header_index()
    columns: dict[int, Column] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for i, cell in enumerate(cells):
        name = norm_header(cell)
        if not name:
            continue
        column = index.get(name)
        if column is None:
            if name not in IGNORED_HEADERS:
                unknown.append(cell)
            continue
        if column.key in headers:
            duplicates.append(cell)
            continue
        columns[i] = column
        headers[column.key] = cell
    return len(columns), columns, headers, unknown, duplicates


def _locate(raw: RawSheet, candidates: list[LedgerKind]) -> tuple[LedgerKind | None, int, list[str], Iterator]:
    """Find the header row (the one matching most known columns) among the first rows."""
    buffered = list(itertools.islice(raw.rows, HEADER_SCAN_ROWS))
    best: tuple[int, int, LedgerKind | None, int, list[str]] = (0, 0, None, 0, [])
    for position, (number, cells) in enumerate(buffered):
        for kind in candidates:
            score = _match(cells, kind)[0]
            if score > best[0]:
                best = (score, position, kind, number, cells)
    score, position, kind, number, cells = best
    rest = itertools.chain(buffered[position + 1:], raw.rows)
    if score < 2:
        return None, 0, [], rest
    return kind, number, cells, rest


def plan_sheets(ledger: LedgerFile, kind: str | None, report: ImportReport) -> list[SheetPlan]:
    """Which sheets to import as which kind; file-level problems go to the report."""
    try:
        wanted = get_kind(kind) if kind and kind != "auto" else None
    except KeyError:
        report.add(Problem("", 0, "", "", kind or "", f"未知的台账类型：{kind}（可选：{'、'.join(k.key for k in kinds())}）", "unknown_kind"))
        return []
    names = [n for n in ledger.sheet_names() if norm_header(n) not in GUIDE_SHEETS]
    if not names:
        report.add(Problem("", 0, "", "", "", "文件中没有数据工作表", "empty_file"))
        return []
    plans: list[SheetPlan] = []
    all_kinds = kinds()
    for name in names:
        by_name = next((k for k in all_kinds if norm_header(name) in k.names()), None)
        if wanted is not None:
            if ledger.multi and len(names) > 1 and by_name is not None and by_name is not wanted:
                continue
            candidates = [wanted]
        elif by_name is not None:
            candidates = [by_name]
        else:
            candidates = all_kinds
        raw = ledger.sheet(name if ledger.multi else None)
        found, header_row, cells, rest = _locate(raw, candidates)
        sheet_label = name if ledger.multi else ""
        if found is None:
            if wanted is not None or by_name is not None or len(names) == 1:
                target = (wanted or by_name)
                hint = f"“{target.title}”的表头（如 {'、'.join(c.header for c in target.columns[:3])}）" if target else "台账表头"
                report.add(Problem(sheet_label, 1, "", "", "", f"找不到{hint}：请使用模板中的列名", "no_header"))
            else:
                report.warn(Problem(sheet_label, 0, "", "", "", "未识别的工作表，已跳过", "sheet_skipped"))
            continue
        _score, columns, headers, unknown, duplicates = _match(cells, found)
        for cell in duplicates:
            report.add(Problem(sheet_label, header_row, cell, "", "", f"列“{cell}”重复出现", "duplicate_column"))
        for cell in unknown:
            report.warn(Problem(sheet_label, header_row, cell, "", "", "未识别的列，已忽略", "unknown_column"))
        present = {c.key for c in columns.values()}
        for column in found.columns:
            if column.required and column.key not in present:
                report.add(Problem(sheet_label, header_row, column.header, "", "", f"缺少必填列“{column.header}”", "missing_column"))
        for group, reason in found.required_any:
            if not present.intersection(group):
                report.add(Problem(sheet_label, header_row, found.column(group[0]).header, "", "", reason, "missing_column"))
        if any(p.kind.key == found.key for p in plans):
            report.add(Problem(sheet_label, 0, "", "", "", f"“{found.title}”出现在多个工作表中", "duplicate_sheet"))
            continue
        plans.append(SheetPlan(found, sheet_label, header_row, columns, headers, rest))
    if not plans and report.ok:
        report.add(Problem("", 0, "", "", "", "文件中没有可导入的台账", "empty_file"))
    return sorted(plans, key=lambda p: p.kind.order)


def run_import(path: str | Path, *, kind: str | None = None, dry_run: bool = True, filename: str | None = None,
               progress: ProgressCallback | None = None, chunk_size: int = CHUNK_SIZE, actor: str = "") -> ImportReport:
    """Import a ledger file into the current schema. Dry run, or any problem: nothing is written."""
    if connection.schema_name in ("public", "tenant_template"):
        raise RuntimeError("run_import must run inside a prefecture's schema")
    report = ImportReport(filename=filename or Path(path).name, dry_run=dry_run)
    started = time.perf_counter()
    try:
        with LedgerFile(path, filename) as ledger:
            plans = plan_sheets(ledger, kind, report)
            if plans:
                session = ImportSession(report, dry_run=dry_run, progress=progress, chunk_size=chunk_size, actor=actor)
                session.kinds_in_file = {p.kind.key for p in plans}
                try:
                    with transaction.atomic():
                        for plan in plans:
                            importer = plan.kind.importer(session, plan.sheet, plan.columns, plan.headers, plan.header_row)
                            report.sheets.append(importer.counts)
                            importer.run(plan.rows)
                        if report.ok:
                            for finalize in session.finalizers.values():
                                finalize(session)
                        if dry_run or not report.ok:
                            raise _Rollback
                        for hook in session.after_commit:
                            transaction.on_commit(hook)
                        report.applied = True
                except _Rollback:
                    pass
    except FileProblem as exc:
        report.add(Problem("", 0, "", "", "", exc.message, exc.code))
        report.applied = False
    report.seconds = time.perf_counter() - started
    return report
