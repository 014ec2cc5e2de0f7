"""The import report: every problem with its sheet, row, column and reason, and counts."""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field

# A report keeps this many problems in full; beyond it only the count grows, so a file
# with an error in each of 100,000 rows cannot exhaust memory. The count is always exact.
MAX_KEPT_PROBLEMS = 5000


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int            # the row number a spreadsheet program shows (header row included)
    column: str         # the column's header as written in the file ("" for file/row-level)
    letter: str         # spreadsheet column letter ("" when not one cell)
    value: str
    message: str
    code: str = "invalid"

    def where(self) -> str:
        parts = [self.sheet] if self.sheet else []
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"{self.letter}列“{self.column}”" if self.letter else f"“{self.column}”")
        return " ".join(parts)

    def __str__(self) -> str:
        value = f"（值：{self.value}）" if self.value and self.value not in self.message else ""
        return f"{self.where()}：{self.message}{value}"


@dataclass
class SheetCounts:
    kind: str
    sheet: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    extra: dict = field(default_factory=dict)   # e.g. {"transitions": 12, "stationings": 40}


@dataclass
class ImportReport:
    filename: str = ""
    dry_run: bool = True
    applied: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    sheets: list[SheetCounts] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(problem)

    def warn(self, problem: Problem) -> None:
        if len(self.warnings) < MAX_KEPT_PROBLEMS:
            self.warnings.append(problem)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sheets)

    def totals(self) -> dict:
        return {k: sum(getattr(s, k) for s in self.sheets) for k in ("rows", "created", "updated", "unchanged", "errors")}

    def summary(self) -> str:
        t = self.totals()
        state = "试导入（未写入）" if self.dry_run else ("已导入" if self.applied else "未导入（有错误，未写入任何数据）")
        text = f"{state}：{t['rows']} 行，新增 {t['created']}，更新 {t['updated']}，未变 {t['unchanged']}，错误 {self.problem_count}"
        return text

    def to_dict(self) -> dict:
        return {
            "filename": self.filename,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "ok": self.ok,
            "problem_count": self.problem_count,
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(p) for p in self.warnings],
            "sheets": [asdict(s) for s in self.sheets],
            "totals": self.totals(),
            "summary": self.summary(),
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        report = cls(filename=data.get("filename", ""), dry_run=data.get("dry_run", True), applied=data.get("applied", False),
                     problem_count=data.get("problem_count", 0), seconds=data.get("seconds", 0.0))
        report.problems = [Problem(**p) for p in data.get("problems", [])]
        report.warnings = [Problem(**p) for p in data.get("warnings", [])]
        report.sheets = [SheetCounts(**s) for s in data.get("sheets", [])]
        return report

    def problems_csv(self) -> str:
        """The problem list as a CSV (UTF-8 with BOM, opens in Excel) to fix the file by."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(["工作表", "行号", "列", "列名", "值", "问题", "代码"])
        for p in self.problems:
            writer.writerow([p.sheet, p.row or "", p.letter, p.column, p.value, p.message, p.code])
        return out.getvalue()

    def text(self, limit: int | None = None) -> str:
        lines = [self.summary()]
        shown = self.problems if limit is None else self.problems[:limit]
        lines += [f"  {p}" for p in shown]
        hidden = self.problem_count - len(shown)
        if hidden > 0:
            lines.append(f"  …另有 {hidden} 个问题未列出")
        if self.warnings:
            lines.append("提示：")
            lines += [f"  {w}" for w in self.warnings[: (limit or len(self.warnings))]]
        return "\n".join(lines)
