"""Masking of personal data for readers without the personal-data permission
(Principal.can_read_personal). One implementation for the API, exports and search.

    mask_name("张三")        → "张*"
    mask_name("欧阳娜娜")    → "欧***"
    mask_phone("13812341234") → "138****1234"
    mask_id_number("530102199001011234") → "530102********1234"
"""
from __future__ import annotations


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
