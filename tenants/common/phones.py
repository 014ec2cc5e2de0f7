"""The one phone rule (staff, visitors, citizens, deputies): a mainland mobile number
(11 digits, 1[3-9]…) or a landline with its area code (0xx-xxxxxxx[x], an extension
after “转” or “-” allowed), with or without +86; spaces and hyphens are ignored.
Numbers like 1398765 or 12345 are refused."""
from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .errors import FieldError

_SEPARATORS = re.compile(r"[\s\-－—()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_EXTENSION = re.compile(r"(?:转|ext\.?|x)\s*\d{1,6}$", re.IGNORECASE)


def normalise_phone(value: str) -> str:
    """The digits that matter: no separators, no +86/0086 prefix (an extension kept)."""
    text = (value or "").strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match.group(0), text[:match.start()]
    digits = _SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    return digits + extension


def is_valid_phone(value: str) -> bool:
    digits = _EXTENSION.sub("", normalise_phone(value))
    return bool(_MOBILE.match(digits) or _LANDLINE.match(digits))


def phone_error(value: str, field: str = "phone") -> FieldError | None:
    """None for an empty or valid number, else a field-named error."""
    if not (value or "").strip() or is_valid_phone(value):
        return None
    return FieldError(field, _("不是有效的电话号码（手机号 11 位，固定电话须带区号）"), "invalid_phone")
