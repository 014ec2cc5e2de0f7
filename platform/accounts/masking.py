"""Masking of personal data for readers without the personal-data permission
(Principal.can_read_personal). One implementation for the API, exports and search.

    mask_name("张三")        → "张*"
    mask_name("欧阳娜娜")    → "欧***"
    mask_phone("13812341234") → "138****1234"
    mask_id_number("530102199001011234") → "530102********1234"
    mask_tracking_code("7K3M9QXR2T") → "※3F9A0C71D2" (a stable pseudonym: rows stay linkable,
                                        but the holder cannot act as the citizen)
    scrub_text("我是张三，电话13812341234", names=["张三"]) → "我是张*，电话138****1234"
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Landlines as people type them: 0871-12345678, (0871)1234567, 0871 1234567.
MASKED_CODE_MARK = "※"
LANDLINE_RE = re.compile(r"(?<!\d)[(（]?0\d{2,3}[)）]?[- ]?\d{7,8}(?!\d)")


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return "*" * len(digits)


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_tracking_code(code: str | None) -> str:
    """A tracking code lets its holder rate (and so reopen) the opinion as the citizen, so
    readers without the personal-data permission never see it. They get a pseudonym that is
    the same for the same code in every export (rows of one opinion stay linkable across
    sheets and files) and cannot be turned back into the code without the secret key."""
    if not code:
        return ""
    from django.conf import settings

    digest = hmac.new(settings.SECRET_KEY.encode(), b"tracking:" + code.encode(), hashlib.sha256).hexdigest()
    return MASKED_CODE_MARK + digest[:10].upper()


def is_masked_tracking_code(text: str | None) -> bool:
    return (text or "").strip().startswith(MASKED_CODE_MARK)


def scrub_text(text: str | None, names: Iterable[str] = (), phones: Iterable[str] = ()) -> str:
    """Mask personal data typed into free text (titles, contents, replies, notes): the
    citizen's own name and phone wherever they occur, and anything shaped like a mobile
    number, a landline or an ID-card number."""
    if not text:
        return text or ""
    for phone in phones:
        if phone and len(phone.strip()) >= 5:
            text = text.replace(phone.strip(), mask_phone(phone))
    for name in names:
        if name and len(name.strip()) >= 2:
            text = text.replace(name.strip(), mask_name(name))
    text = MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return LANDLINE_RE.sub(lambda m: mask_phone(m.group(0)), text)
