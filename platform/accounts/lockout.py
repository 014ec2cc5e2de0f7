"""Login throttling (django-axes) wired to Liaison: the client address behind the
ingress, and the lockout answer in Chinese.

Axes counts failed `authenticate()` calls in the public schema (its tables are a shared
app), so a user name is counted the same on the province host and every prefecture host.
Unlock: `liaison axes_reset_username <user>` / `axes_reset_ip <address>` / `axes_reset`
(docs/OPERATIONS.md "Security").
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


def client_ip(request) -> str | None:
    """The client's address: with N trusted proxies in front (LIAISON_TRUSTED_PROXY_COUNT),
    the N-th address from the right of X-Forwarded-For (entries left of it can be forged
    by the client); without proxies, the socket address."""
    count = getattr(settings, "LIAISON_TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) >= count:
        return forwarded[-count]
    return forwarded[0] if forwarded else remote


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else 0
    if minutes:
        return _("登录失败次数过多，账号已暂时锁定。请 %(minutes)s 分钟后再试，或联系管理员解锁。") % {"minutes": minutes}
    return _("登录失败次数过多，账号已锁定，请联系管理员解锁。")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 with a Chinese message (a plain page: the login form must not be shown again)."""
    html = (f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{_("账号已锁定")}</title></head>'
            f"<body><h1>{_('账号已锁定')}</h1><p>{lockout_message()}</p></body></html>")
    return HttpResponse(html, status=429, content_type="text/html; charset=utf-8")
