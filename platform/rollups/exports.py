"""Statistics tables as CSV and XLSX, in the layout of a provincial report: one row per
prefecture (or per county, for a prefecture), one column per figure, a totals row, Chinese
headers. Built from liaison.platform.rollups.selectors, like the API and the dashboard.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.tenants.stats.catalogue import FIGURES, TREND_SERIES

from . import selectors

TABLES = {
    "summary": "汇总表",
    "categories": "意见建议类别",
    "channels": "意见建议来源渠道",
    "trend": "月度趋势",
}


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]  # body rows
    total: list[Any] | None  # the totals row (last)
    rate_columns: set[int]  # 0-based indexes of columns holding rates (0..1)


def _as_of_text(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "尚未统计"


def _row_label(stats: selectors.Statistics) -> str:
    return "州（市）" if stats.scope == "province" else "县（市、区）"


def _total_label(stats: selectors.Statistics) -> str:
    return "全省合计" if stats.scope == "province" else f"{stats.totals.name}合计"


def summary_table(stats: selectors.Statistics) -> Table:
    headers = [_row_label(stats), "区划代码"] + [f.label for f in FIGURES] + ["统计截至"]
    rate_cols = {2 + i for i, f in enumerate(FIGURES) if f.kind == "rate"}

    def line(row: selectors.StatRow, name: str) -> list:
        return [name, row.code] + [row.figures[f.key] for f in FIGURES] + [_as_of_text(row.as_of)]

    return Table("summary", TABLES["summary"], headers, [line(r, r.name) for r in stats.rows],
                 line(stats.totals, _total_label(stats)), rate_cols)


def _breakdown_table(stats: selectors.Statistics, key: str, metric: str, labels: list[tuple[str, str]]) -> Table:
    totals = selectors.breakdown(stats.totals.raw, metric, labels)
    columns = [(code, label) for code, label, _ in totals]
    headers = [_row_label(stats), "区划代码"] + [label for _, label in columns] + ["合计"]

    def line(row: selectors.StatRow, name: str) -> list:
        values = row.raw.by_dimension(metric)
        cells = [values.get(code, 0) for code, _ in columns]
        return [name, row.code] + cells + [sum(cells)]

    return Table(key, TABLES[key], headers, [line(r, r.name) for r in stats.rows], line(stats.totals, _total_label(stats)), set())


def trend_table(stats: selectors.Statistics) -> Table:
    headers = ["月份"] + [f.label for f in TREND_SERIES]
    rate_cols = {1 + i for i, f in enumerate(TREND_SERIES) if f.kind == "rate"}
    rows = [[p.month.strftime("%Y-%m")] + [p.figures[f.key] for f in TREND_SERIES] for p in stats.trend]
    return Table("trend", TABLES["trend"], headers, rows, None, rate_cols)


def tables(stats: selectors.Statistics) -> list[Table]:
    return [
        summary_table(stats),
        _breakdown_table(stats, "categories", "opinions_by_category", selectors.category_labels()),
        _breakdown_table(stats, "channels", "opinions_by_channel", selectors.channel_labels()),
        trend_table(stats),
    ]


def title(stats: selectors.Statistics) -> str:
    scope = "云南省" if stats.scope == "province" else stats.totals.name
    return (f"{scope}人大代表活动阵地统计表（累计数自{stats.since.year}年{stats.since.month}月起；"
            f"统计截至{_as_of_text(stats.as_of)}）")


def _csv_cell(value, is_rate: bool):
    if value is None:
        return ""
    if is_rate:
        return f"{value * 100:.2f}%"
    return value


def to_csv(stats: selectors.Statistics, key: str = "summary") -> bytes:
    """One table as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese headers)."""
    table = next(t for t in tables(stats) if t.key == key)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.headers)
    for row in table.rows + ([table.total] if table.total else []):
        writer.writerow([_csv_cell(v, i in table.rate_columns) for i, v in enumerate(row)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(stats: selectors.Statistics) -> bytes:
    """Every table on its own sheet, plus the definitions, as an XLSX workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for table in tables(stats):
        ws = wb.create_sheet(table.title)
        ws.append([title(stats)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(table.headers)
        for cell in ws[2]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        body = table.rows + ([table.total] if table.total else [])
        for row in body:
            ws.append(row)
        for r_index in range(3, 3 + len(body)):
            for c_index in table.rate_columns:
                ws.cell(row=r_index, column=c_index + 1).number_format = "0.00%"
        if table.total:
            for cell in ws[2 + len(body)]:
                cell.font = bold
        ws.freeze_panes = "C3" if table.key != "trend" else "B3"
        for i, header in enumerate(table.headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(24, len(str(header)) * 2 + 2))
    ws = wb.create_sheet("指标说明")
    ws.append(["指标", "类型", "口径", "定义 (definition)"])
    for cell in ws[1]:
        cell.font = bold
    basis = {"as_of": "统计截至时点", "since": "累计（自起始月）", "month": "当月"}
    for f in FIGURES:
        ws.append([f.label, "比率" if f.kind == "rate" else "数量", basis.get(f.basis, f.basis), f.definition])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["D"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(stats: selectors.Statistics, ext: str, key: str | None = None) -> str:
    scope = "yunnan" if stats.scope == "province" else (stats.totals.slug or stats.totals.code)
    stamp = timezone.localtime(stats.as_of).strftime("%Y%m%d") if stats.as_of else "none"
    return f"liaison-statistics-{scope}{'-' + key if key else ''}-{stamp}.{ext}"
