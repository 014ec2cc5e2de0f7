"""Protection of the citizens' opinion form against scripted submissions, with no
third-party service (no CAPTCHA provider):

1. a signed, time-stamped form token issued with the page (Django's signing with
   SECRET_KEY): it names the position and carries a random nonce; a post without a valid
   token for this position, or with one older than FORM_MAX_AGE, is refused;
2. a minimum fill time: a post that comes back less than LIAISON_CITIZEN_FORM_MIN_SECONDS
   (default 3) after the page was issued is refused (people read and type; scripts don't);
3. a honeypot field, hidden from people (off-screen, skipped by the keyboard, ignored by
   screen readers), that form-filling robots fill in;
4. the rate limit of `submitOpinion` per client IP (the same counter as the API).

The nonce is also the submission's idempotency key: the same form posted twice (double
click, back button and resend) is one submission and returns the first opinion.
"""
from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

SALT = "liaison.citizen.opinion-form"
FORM_MAX_AGE = 2 * 3600  # seconds: a page left open longer must be reloaded
HONEYPOT = "website"


class TokenRefused(Exception):
    """The post is refused; the message is for the citizen."""


def min_seconds() -> float:
    return float(getattr(settings, "LIAISON_CITIZEN_FORM_MIN_SECONDS", 3))


def issue(position_code: str) -> str:
    return signing.dumps({"p": position_code, "n": secrets.token_urlsafe(16), "t": time.time()}, salt=SALT)


def check(token: str, position_code: str) -> str:
    """The token's nonce when the post may go on; TokenRefused otherwise."""
    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        raise TokenRefused(_("页面已失效，请刷新页面后重新填写")) from None
    if not isinstance(data, dict) or data.get("p") != position_code or not isinstance(data.get("t"), int | float):
        raise TokenRefused(_("页面已失效，请刷新页面后重新填写"))
    age = time.time() - data["t"]
    if age > FORM_MAX_AGE:
        raise TokenRefused(_("页面打开太久已过期，请刷新页面后重新填写"))
    if age < min_seconds():
        raise TokenRefused(_("提交太快了，请核对内容后再提交"))
    return str(data["n"])


def idempotency_key(nonce: str) -> str:
    return f"web:{nonce}"
