"""Blank templates per kind of ledger: CSV (header row, UTF-8 with BOM so Excel shows
the Chinese), and XLSX (the data sheet with drop-down lists for the fixed choices, and a
填表说明 sheet: every column, required or not, what goes in it, an example).
"""
from __future__ import annotations

import csv
import io

from .exporting import resolve_kinds
from .spec import LedgerKind

TEMPLATE_KINDS_HELP = "all、divisions、positions、deputies、stationing、units、opinions、opinion_history"


def template_kinds(name: str) -> list[LedgerKind]:
    kinds = resolve_kinds([name])
    if name in ("deputies", "代表", "代表名册"):
        kinds = resolve_kinds(["deputies", "stationing"])      # deputies come with their stationing
    if name in ("opinions", "意见建议", "意见建议台账"):
        kinds = resolve_kinds(["units", "opinions", "opinion_history"])
    return kinds


def csv_template(kind: LedgerKind) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([c.header for c in kind.exported_columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_template(kinds: list[LedgerKind]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    required_font = Font(bold=True, color="C00000")
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for kind in kinds:
        ws = wb.create_sheet(kind.sheet)
        for i, column in enumerate(kind.exported_columns, start=1):
            cell = ws.cell(row=1, column=i, value=column.header)
            cell.font = required_font if column.required else header_font
            cell.fill = fill
            ws.column_dimensions[get_column_letter(i)].width = column.width
            if column.choices:
                letter = get_column_letter(i)
                validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                            showErrorMessage=False)
                validation.add(f"{letter}2:{letter}100000")
                ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
    guide = wb.create_sheet("填表说明")
    widths = {"A": 14, "B": 22, "C": 8, "D": 70, "E": 26, "F": 22}
    for letter, width in widths.items():
        guide.column_dimensions[letter].width = width
    guide.append(["工作表", "列名", "必填", "说明", "示例", "英文列名（也可使用）"])
    for cell in guide[1]:
        cell.font, cell.fill = header_font, fill
    for kind in kinds:
        guide.append([kind.sheet, "", "", kind.description, "", kind.key])
        guide.cell(row=guide.max_row, column=1).font = header_font
        for column in kind.exported_columns:
            guide.append([kind.sheet, column.header, "是" if column.required else "", column.guide, column.example, column.key])
            guide.cell(row=guide.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    guide.append([])
    for line in GENERAL_NOTES:
        guide.append(["", "", "", line])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GENERAL_NOTES = [
    "红色列名为必填列；列的顺序可以调整，表头上方可以有标题行；“序号”“备注”列会被忽略。",
    "中文列名和英文列名都可使用；日期写作 2024-05-01 或 2024年5月1日，时间写作 2024-05-01 14:30。",
    "先“试导入”：系统列出每个问题（行号、列名、原因），有任何问题都不会写入；无误后确认导入，一次性全部写入。",
    "再次导入同一文件不会重复：阵地按阵地编码、代表按代表证号、意见按查询码或来源编号更新。",
    "CSV 可用 UTF-8 或 GBK 编码（Excel“另存为 CSV”即可）；一个 XLSX 可包含多个工作表，按工作表名识别。",
]


__all__ = ["csv_template", "xlsx_template", "template_kinds", "TEMPLATE_KINDS_HELP"]
