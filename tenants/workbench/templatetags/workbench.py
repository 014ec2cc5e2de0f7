"""Template tags of the workbench: personal data shown only to readers who may see it
(liaison.platform.accounts.masking, the same masking as the API, exports and search)."""
from __future__ import annotations

from django import template

from liaison.platform.accounts import masking

register = template.Library()


def _personal(context) -> bool:
    access = getattr(context.get("request"), "access", None)
    return bool(access and access.personal)


@register.simple_tag(takes_context=True)
def code(context, value):
    """A tracking code lets its holder act as the citizen: pseudonymised for the others."""
    return value if _personal(context) else masking.mask_tracking_code(value)


@register.simple_tag(takes_context=True)
def scrub(context, value, opinion=None):
    """Free text (title, content, reply, note) with typed-in phones, names and ID numbers
    masked for readers without the personal-data permission."""
    if _personal(context):
        return value
    names = [opinion.citizen_name] if opinion is not None else []
    phones = [opinion.citizen_phone] if opinion is not None else []
    return masking.scrub_text(value, names=names, phones=phones)
