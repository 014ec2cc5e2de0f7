"""CORS per host: django-cors-headers asks `check_request_enabled`; the answer is the
current host's list of allowed origins (liaison.platform.apiaccess.origins).

Only the API paths take part (settings.LIAISON_CORS_PATHS: /graphql/); the admin and
the pages never answer another origin. Preflights of an allowed origin get
`Access-Control-Allow-Origin` with Authorization and Content-Type allowed; any other
origin gets no CORS header at all, so its browser refuses the call.
"""
from __future__ import annotations

import re

from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.dispatch import receiver

from liaison.platform.apiaccess.origins import is_allowed


@receiver(check_request_enabled)
def origin_allowed_on_this_host(sender, request, **kwargs) -> bool:
    if not re.match(settings.CORS_URLS_REGEX, request.path_info):
        return False
    schema = getattr(getattr(request, "tenant", None), "schema_name", None)
    return schema is not None and is_allowed(schema, request.headers.get("origin"))
