"""API keys for third-party clients: create (shown once), verify, list, revoke.

Format: ``lsk_<prefix>_<secret>`` — `prefix` (8 hex characters) is stored in clear to
find the row, `secret` is 43 URL-safe characters (256 random bits). Only the SHA-256
of the whole key is stored; comparison is constant-time. A slow password hash would
add nothing against a 256-bit secret and would cost every API request.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from liaison.tenants.common.errors import FieldError, ServiceError

from .models import ApiKey
from .principal import Principal, invalid_credentials

KEY_PREFIX = "lsk_"
PREFIX_LENGTH = 8
# last_used_at is refreshed at most this often (one cheap conditional UPDATE per request).
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str  # the full key: shown once, never stored


def hash_key(full_key: str) -> str:
    return hashlib.sha256(full_key.encode("utf-8")).hexdigest()


def _parse(full_key: str) -> tuple[str, str] | None:
    if not full_key.startswith(KEY_PREFIX):
        return None
    rest = full_key[len(KEY_PREFIX):]
    prefix, sep, secret = rest[:PREFIX_LENGTH], rest[PREFIX_LENGTH:PREFIX_LENGTH + 1], rest[PREFIX_LENGTH + 1:]
    if sep != "_" or len(prefix) != PREFIX_LENGTH or len(secret) < 32:
        return None
    return prefix, secret


def create_key(*, name: str, prefectures=(), province: bool = False, can_write: bool = False,
               personal_data: bool = False, created_by=None, expires_at=None) -> CreatedKey:
    """Create a key; `prefectures` are Prefecture rows or slugs. Returns the secret once."""
    from liaison.tenants.registry.models import Prefecture

    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldError("name", "请填写密钥名称 (name is required)", "required"))
    slugs = [p if isinstance(p, str) else p.slug for p in prefectures]
    found = list(Prefecture.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {p.slug for p in found})
    if missing:
        errors.append(FieldError("prefectures", f"未知州市 (unknown prefecture): {', '.join(missing)}", "not_found"))
    if not found and not province and not missing:
        errors.append(FieldError("prefectures", "至少授权一个州市或全省 (grant at least one prefecture or the province)", "required"))
    if province and can_write and not found:
        errors.append(FieldError("can_write", "全省密钥只读；写权限须授权具体州市 (province keys are read-only; "
                                               "grant write on named prefectures)", "invalid"))
    if province and personal_data and not found:
        errors.append(FieldError("personal_data", "全省密钥不含群众个人信息；个人信息须按州市授权 (province-wide keys never "
                                                  "read citizens' personal data; grant it on named prefectures)", "invalid"))
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(PREFIX_LENGTH // 2)
            if not ApiKey.objects.filter(prefix=prefix).exists():
                break
        full = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        key = ApiKey.objects.create(name=name, prefix=prefix, secret_hash=hash_key(full), province=province,
                                    can_write=can_write, personal_data=personal_data, created_by=created_by,
                                    expires_at=expires_at)
        key.prefectures.set(found)
    return CreatedKey(key=key, secret=full)


def revoke_key(prefix_or_key: str) -> ApiKey:
    prefix = prefix_or_key
    parsed = _parse(prefix_or_key)
    if parsed:
        prefix = parsed[0]
    prefix = prefix.removeprefix(KEY_PREFIX).rstrip("_…")
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise ServiceError.single("prefix", f"没有前缀为 {prefix} 的密钥 (no key with this prefix)", "not_found")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def principal_for_key(key: ApiKey) -> Principal:
    schemas = frozenset(p.schema_name for p in key.prefectures.all())
    return Principal(label=f"key:{key.prefix}", api_key_id=key.pk, key_read=schemas,
                     key_write=schemas if key.can_write else frozenset(), key_personal=key.personal_data,
                     key_province=key.province)


def principal_for_bearer(token: str) -> Principal:
    """The Principal for `Authorization: Bearer <token>`; an invalid, revoked or expired
    key gives a principal with `credentials_error` set (the API answers 401)."""
    parsed = _parse(token)
    if parsed is None:
        return invalid_credentials("API 密钥格式无效 (malformed API key)")
    key = ApiKey.objects.filter(prefix=parsed[0]).prefetch_related("prefectures").first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_key(token)):
        return invalid_credentials("API 密钥无效 (unknown API key)")
    now = timezone.now()
    if key.revoked_at is not None:
        return invalid_credentials("API 密钥已吊销 (API key revoked)")
    if key.expires_at is not None and key.expires_at <= now:
        return invalid_credentials("API 密钥已过期 (API key expired)")
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)).update(last_used_at=now)
    return principal_for_key(key)


def describe(key: ApiKey) -> dict:
    """One key as shown by `liaison apikey list` (never the secret)."""
    return {
        "prefix": f"{KEY_PREFIX}{key.prefix}",
        "name": key.name,
        "prefectures": sorted(p.slug for p in key.prefectures.all()),
        "province": key.province,
        "access": "read/write" if key.can_write else "read",
        "personal_data": key.personal_data,
        "created_at": key.created_at.isoformat(timespec="seconds") if key.created_at else None,
        "last_used_at": key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else None,
        "expires_at": key.expires_at.isoformat(timespec="seconds") if key.expires_at else None,
        "revoked_at": key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else None,
    }
