"""The CORS origin lists, one per host: the single place they are validated, changed
and read (admin, `liaison prefecture origins`, and the CORS check all come here).

A list belongs to a prefecture's host, or (prefecture None) to the province host. Reads
are cached per host for a minute and dropped on every change.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.platform.apiaccess.models import AllowedOrigin
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.registry.models import Prefecture

PROVINCE = "province"  # the name of the province host's list on the command line
CACHE_SECONDS = 60


def normalise_origin(value: str, field: str = "origin") -> str:
    """`https://Portal.Example.cn/` → `https://portal.example.cn`; a ServiceError on `field`
    for anything that is not an http(s) origin (path, query, credentials, wildcard…)."""
    raw = (value or "").strip()
    if not raw:
        raise ServiceError.single(field, _("请填写来源，如 https://portal.example.cn"), "required")
    try:
        url = urlsplit(raw)
        port = url.port
    except ValueError:
        raise ServiceError.single(field, _("不是有效的网址：%(value)s") % {"value": raw}, "invalid") from None
    if url.scheme.lower() not in ("http", "https") or not url.hostname:
        raise ServiceError.single(field, _("来源须以 http:// 或 https:// 开头并包含主机名：%(value)s") % {"value": raw},
                                  "invalid")
    if url.username or url.password or url.query or url.fragment or url.path not in ("", "/") or "*" in raw:
        raise ServiceError.single(field, _("来源只含协议、主机和端口（不含路径、参数或通配符）：%(value)s") % {"value": raw},
                                  "invalid")
    host = url.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    origin = f"{url.scheme.lower()}://{host}"
    if port is not None and port != {"http": 80, "https": 443}[url.scheme.lower()]:
        origin += f":{port}"
    if len(origin) > 255:
        raise ServiceError.single(field, _("来源过长（最多 255 个字符）"), "invalid")
    return origin


def prefecture_for(slug: str | None) -> Prefecture | None:
    """The Prefecture of a slug, None for the province list; ServiceError on `prefecture`."""
    if slug in (None, "", PROVINCE):
        return None
    prefecture = Prefecture.objects.filter(slug=slug).first()
    if prefecture is None:
        raise ServiceError.single("prefecture", _("没有标识为 %(slug)s 的州市") % {"slug": slug}, "not_found")
    return prefecture


def list_origins(prefecture: Prefecture | None) -> list[str]:
    return list(AllowedOrigin.objects.filter(prefecture=prefecture).order_by("origin").values_list("origin", flat=True))


@transaction.atomic
def add_origin(prefecture: Prefecture | None, url: str, note: str = "") -> AllowedOrigin:
    origin = normalise_origin(url)
    row, created = AllowedOrigin.objects.get_or_create(prefecture=prefecture, origin=origin, defaults={"note": note})
    if not created:
        raise ServiceError.single("origin", _("已在允许列表中：%(origin)s") % {"origin": origin}, "duplicate")
    forget(prefecture)
    return row


@transaction.atomic
def remove_origin(prefecture: Prefecture | None, url: str) -> None:
    origin = normalise_origin(url)
    deleted, _rows = AllowedOrigin.objects.filter(prefecture=prefecture, origin=origin).delete()
    if not deleted:
        raise ServiceError.single("origin", _("不在允许列表中：%(origin)s") % {"origin": origin}, "not_found")
    forget(prefecture)


def _key(schema_name: str) -> str:
    return f"apiaccess:origins:{schema_name}"


def forget(prefecture: Prefecture | None) -> None:
    schema = prefecture.schema_name if prefecture is not None else "public"
    transaction.on_commit(lambda: cache.delete(_key(schema)))
    cache.delete(_key(schema))


def allowed_origins(schema_name: str) -> frozenset[str]:
    """The origins allowed on the host serving `schema_name` ("public": the province host)."""
    key = _key(schema_name)
    found = cache.get(key)
    if found is None:
        qs = (AllowedOrigin.objects.filter(prefecture__isnull=True) if schema_name == "public"
              else AllowedOrigin.objects.filter(prefecture__schema_name=schema_name))
        found = sorted(qs.values_list("origin", flat=True))
        cache.set(key, found, CACHE_SECONDS)
    return frozenset(found)


def is_allowed(schema_name: str, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in allowed_origins(schema_name)
    except ServiceError:
        return False
