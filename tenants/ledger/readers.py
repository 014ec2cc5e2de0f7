"""Reading ledger files row by row: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

Nothing here holds a whole file in memory: CSV is decoded through a text wrapper and
the csv module, XLSX through openpyxl's read-only (streaming) mode. Cells come out as
text (numbers without a trailing ".0", Excel dates as ISO dates), so every importer
parses one kind of input.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from .parsing import CellError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, unknown encoding, empty)."""

    def __init__(self, message: str, code: str = "bad_file"):
        super().__init__(message)
        self.message = message
        self.code = code


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return unquote(value.strip())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == 0 and value.microsecond == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value).strip()


def unquote(text: str) -> str:
    """Drop the apostrophe exports put before a cell starting with = + - @ (formula guard)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def detect_encoding(stream: BinaryIO, chunk_size: int = 1 << 20) -> str:
    """utf-8-sig with a BOM; utf-8 when the whole file decodes as UTF-8; else GB18030
    (a superset of GBK and GB2312, which is what Chinese Excel writes for "CSV").

    The check streams through the file once (a few milliseconds per megabyte), so a GBK
    character deep in a file that starts in plain ASCII is still caught.
    """
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        stream.seek(start)
        try:
            while True:
                chunk = stream.read(chunk_size)
                if not chunk:
                    decoder.decode(b"", final=True)
                    break
                decoder.decode(chunk)
        except UnicodeDecodeError:
            continue
        finally:
            stream.seek(start)
        return encoding
    raise FileProblem("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX", "bad_encoding")


@dataclass
class RawSheet:
    """One table of a file: its name and its rows as (row number, cells as text)."""

    name: str
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None


def file_type(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise FileProblem("不支持旧版 .xls 文件：请在 Excel/WPS 中另存为 .xlsx 或 CSV", "unsupported_type")
    if suffix == ".zip":
        return "zip"
    if head.startswith(_ZIP_MAGIC) or suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES or not suffix:
        return "csv"
    raise FileProblem(f"不支持的文件类型 {suffix}：请上传 .csv、.xlsx 或 CSV 的 .zip 包", "unsupported_type")


class LedgerFile:
    """Open a ledger file and iterate its sheets; use as a context manager."""

    def __init__(self, path: str | Path, display_name: str | None = None):
        self.path = Path(path)
        self.display_name = display_name or self.path.name
        self._stream: BinaryIO | None = None
        self._workbook = None
        self._zip = None
        self._members: dict[str, str] = {}
        self._open_members: list = []
        self.kind = "csv"
        self.encoding: str | None = None

    def __enter__(self) -> "LedgerFile":
        try:
            self._stream = open(self.path, "rb")
        except OSError as exc:
            raise FileProblem(f"无法打开文件：{exc.strerror}", "unreadable") from None
        head = self._stream.read(8)
        self._stream.seek(0)
        if not head:
            raise FileProblem("文件是空的", "empty_file")
        self.kind = file_type(Path(self.display_name), head)
        if self.kind == "zip":
            import zipfile

            try:
                self._zip = zipfile.ZipFile(self._stream)
            except zipfile.BadZipFile:
                raise FileProblem("不是有效的 ZIP 文件", "bad_zip") from None
            self._members = {_member_title(n): n for n in sorted(self._zip.namelist())
                             if Path(n).suffix.lower() in CSV_SUFFIXES and not n.startswith("__MACOSX")}
            if not self._members:
                raise FileProblem("ZIP 包中没有 CSV 文件", "empty_file")
        elif self.kind == "xlsx":
            import openpyxl
            from openpyxl.utils.exceptions import InvalidFileException

            try:
                self._workbook = openpyxl.load_workbook(self._stream, read_only=True, data_only=True)
            except (InvalidFileException, KeyError, OSError, ValueError) as exc:
                raise FileProblem(f"不是有效的 XLSX 文件：{exc}", "bad_xlsx") from None
            except Exception as exc:  # zipfile.BadZipFile and friends
                raise FileProblem(f"不是有效的 XLSX 文件：{exc.__class__.__name__}", "bad_xlsx") from None
        else:
            self.encoding = detect_encoding(self._stream)
        return self

    @property
    def multi(self) -> bool:
        """Several sheets (an XLSX workbook, or a ZIP of CSV files, one per ledger)."""
        return self.kind in ("xlsx", "zip")

    def __exit__(self, *exc) -> None:
        for member in self._open_members:
            member.close()
        if self._zip is not None:
            self._zip.close()
        if self._workbook is not None:
            self._workbook.close()
        if self._stream is not None:
            self._stream.close()

    def sheet_names(self) -> list[str]:
        if self._workbook is not None:
            return list(self._workbook.sheetnames)
        if self._zip is not None:
            return list(self._members)
        return [Path(self.display_name).stem]

    def sheet(self, name: str | None = None) -> RawSheet:
        if self._zip is not None:
            title = name or next(iter(self._members))
            member = self._zip.open(self._members[title])
            self._open_members.append(member)
            encoding = detect_encoding(member)
            return RawSheet(title, _csv_rows(member, encoding), encoding)
        if self._workbook is not None:
            ws = self._workbook[name] if name else self._workbook.worksheets[0]
            return RawSheet(ws.title, _xlsx_rows(ws))
        return RawSheet(Path(self.display_name).stem, _csv_rows(self._stream, self.encoding), self.encoding)


def _member_title(name: str) -> str:
    """"20-阵地.csv" → "阵地": exports number their members to keep the import order."""
    stem = Path(name).stem
    return re.sub(r"^\d+[-_ ]", "", stem) or stem


def _xlsx_rows(ws) -> Iterator[tuple[int, list[str]]]:
    # Files written by some tools claim a one-cell dimension; forget it and read to the end.
    ws.reset_dimensions()
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        yield number, [cell_text(v) for v in values]


def _csv_rows(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list[str]]]:
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first = text.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        number = 0
        try:
            # Rows are counted as records (what Excel shows as row numbers), not physical
            # lines: a quoted cell may span several lines.
            for number, values in enumerate(reader, start=1):
                yield number, [unquote(v.strip()) for v in values]
        except csv.Error as exc:
            raise FileProblem(f"CSV 格式错误（第 {number + 1} 行）：{exc}", "bad_csv") from None
    finally:
        text.detach()


__all__ = ["LedgerFile", "RawSheet", "FileProblem", "CellError", "cell_text", "detect_encoding"]
