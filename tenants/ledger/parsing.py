"""Turning spreadsheet cells into typed values, with reasons a person can act on.

Every parser takes the cell as text (readers already turned numbers and Excel dates
into text, see readers.cell_text) and returns the value or raises CellError with a
Chinese reason. Empty cells are handled by the caller (required / optional).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from liaison.tenants.common import bounds


class CellError(ValueError):
    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def clean_text(value: str) -> str:
    """Full-width digits/letters/punctuation to half-width where harmless, trimmed."""
    return (value or "").replace("\u3000", " ").strip()


def ascii_fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def parse_text(value: str, *, max_length: int | None = None) -> str:
    value = clean_text(value)
    if max_length is not None and len(value) > max_length:
        raise CellError(f"过长：最多 {max_length} 个字，实际 {len(value)} 个字", "too_long")
    return value


def parse_code(value: str, *, max_length: int | None = None) -> str:
    """An identifier (codes, roll numbers): half-width, no inner whitespace."""
    value = ascii_fold(value)
    value = re.sub(r"\s+", "", value)
    if max_length is not None and len(value) > max_length:
        raise CellError(f"过长：最多 {max_length} 个字符，实际 {len(value)} 个字符", "too_long")
    return value


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?(?:\.\d+)?$")
# Excel serial day numbers (1954..2119), written by a sheet whose date column is formatted as a number.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: str) -> dt.date:
    text = ascii_fold(value)
    date_part = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(date_part)
        if m:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise CellError(f"日期不存在：{value}", "bad_date") from None
            problem = bounds.date_problem(day)
            if problem:
                raise CellError(f"{problem}：{value}", "out_of_range")
            return day
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if 20000 <= serial <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    raise CellError(f"不是有效日期：{value}（应为 2024-05-01 或 2024年5月1日）", "bad_date")


def parse_datetime(value: str) -> dt.datetime:
    """Date with an optional time, in the platform's time zone (Asia/Shanghai)."""
    text = ascii_fold(value).replace("T", " ")
    parts = text.split()
    day = parse_date(parts[0]) if parts else parse_date(text)
    hour = minute = second = 0
    if len(parts) > 1:
        time_text = parts[1]
        if time_text.endswith("+08:00"):
            time_text = time_text[: -len("+08:00")]
        m = _TIME_RE.match(time_text)
        if not m or len(parts) > 2:
            raise CellError(f"不是有效时间：{value}（应为 2024-05-01 14:30）", "bad_date")
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise CellError(f"时间不存在：{value}", "bad_date")
    naive = dt.datetime(day.year, day.month, day.day, hour, minute, second)
    return timezone.make_aware(naive, timezone.get_default_timezone())


def parse_decimal(value: str, *, low: float | None = None, high: float | None = None, places: int | None = None) -> Decimal:
    text = ascii_fold(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"不是数字：{value}", "bad_number") from None
    if not number.is_finite():
        raise CellError(f"不是数字：{value}", "bad_number")
    if (low is not None and number < Decimal(str(low))) or (high is not None and number > Decimal(str(high))):
        raise CellError(f"超出范围 {low}～{high}：{value}", "out_of_range")
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return number


def parse_int(value: str, *, low: int | None = None, high: int | None = None) -> int:
    text = ascii_fold(value)
    if re.fullmatch(r"-?\d+(\.0+)?", text) is None:
        raise CellError(f"不是整数：{value}", "bad_number")
    number = int(float(text)) if "." in text else int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        raise CellError(f"超出范围 {low}～{high}：{value}", "out_of_range")
    return number


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "在任", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", "离任", "f"}


def parse_bool(value: str) -> bool:
    text = ascii_fold(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"应为“是”或“否”：{value}", "bad_choice")


def choice_lookup(choices, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Map every accepted spelling (code, Chinese label, aliases) to the stored value."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[_choice_key(value)] = value
        table[_choice_key(str(label))] = value
    for alias, value in (aliases or {}).items():
        table[_choice_key(alias)] = value
    return table


def _choice_key(text: str) -> str:
    return re.sub(r"\s+", "", ascii_fold(text).lower())


def parse_choice(value: str, table: dict[str, str], labels: list[str]) -> str:
    found = table.get(_choice_key(value))
    if found is None:
        raise CellError(f"“{value}”不是可选值；可选：{'、'.join(labels)}", "bad_choice")
    return found


# Phone numbers: mainland mobiles (11 digits from 13x-19x) and landlines with an area
# code (0871-6xxxxxxx), optionally +86 / an extension. Separators are dropped.
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def parse_phone(value: str) -> str:
    text = ascii_fold(value)
    text = re.sub(r"[\s()（）]", "", text)
    if "*" in text:
        raise CellError(f"号码已打码，不能导入：{value}（请使用含个人信息的导出文件）", "masked")
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    elif text.startswith("0086"):
        text = text[4:].lstrip("-")
    digits = text.replace("-", "")
    if _MOBILE_RE.match(digits):
        return digits
    if _LANDLINE_RE.match(text):
        return text
    raise CellError(f"不是有效的电话号码：{value}（手机 11 位，固话带区号如 0871-63123456）", "bad_phone")


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def parse_id_number(value: str) -> str:
    """Resident identity card number (GB 11643-1999): 18 characters with a check digit."""
    text = ascii_fold(value).upper().replace(" ", "")
    if "*" in text:
        raise CellError(f"身份证号已打码，不能导入：{value}", "masked")
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise CellError(f"不是有效的身份证号：{value}（应为 18 位）", "bad_id_number")
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != text[17]:
        raise CellError(f"身份证号校验位不符：{value}", "bad_id_number")
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise CellError(f"身份证号中的出生日期不存在：{value}", "bad_id_number") from None
    return text


def split_list(value: str) -> list[str]:
    """Several values in one cell: separated by ；;，,、 or line breaks."""
    return [part.strip() for part in re.split(r"[;；,，、\n]+", value or "") if part.strip()]


def now() -> dt.datetime:
    return timezone.now()
