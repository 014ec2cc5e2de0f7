"""Personal data in API answers: in clear for readers with READ_PERSONAL, masked otherwise."""
from __future__ import annotations

import re

from liaison.graphql.core import permissions
from liaison.platform.accounts import masking


def personal(info, value: str | None, kind: str = "name") -> str | None:
    """`value` in clear for readers with READ_PERSONAL on this host, masked otherwise."""
    if value in (None, ""):
        return value
    if permissions.can_read_personal(info):
        return value
    return {"name": masking.mask_name, "phone": masking.mask_phone, "id_number": masking.mask_id_number,
            "email": _mask_email, "text": _mask_text}[kind](value)


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def _mask_text(value: str) -> str:
    return re.sub(r"\S", "*", value[:4]) + ("…" if len(value) > 4 else "")


def free_text(info, value: str | None, names=(), phones=()) -> str | None:
    """Free text (titles, contents, replies, notes) for this reader: in clear with
    READ_PERSONAL; otherwise phones, names and ID numbers typed into it are masked by the
    platform's one scrubber (the same one exports and search use)."""
    if not value or permissions.can_read_personal(info):
        return value
    return masking.scrub_text(value, names=names, phones=phones)
