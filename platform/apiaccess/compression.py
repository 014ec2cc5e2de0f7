"""gzip for API answers, without opening a BREACH.

BREACH recovers a secret from the size of compressed responses that carry both the
secret and text the attacker can reflect, in requests the victim's browser makes with
its cookies. So only these are compressed: JSON (GraphQL, ledger), CSS, JS, SVG and CSV
answers to requests that carry no session cookie (anonymous callers and API keys, which
browsers never attach on their own), and only when the response sets no cookie. HTML
pages (forms with CSRF tokens) and anything answered to a session are never compressed.
"""
from __future__ import annotations

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = frozenset({
    "application/json", "application/graphql-response+json", "text/css", "application/javascript",
    "text/javascript", "image/svg+xml", "text/csv",
})


class SafeGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type not in COMPRESSIBLE or response.cookies:
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES or settings.CSRF_COOKIE_NAME in request.COOKIES:
            return response
        return super().process_response(request, response)
