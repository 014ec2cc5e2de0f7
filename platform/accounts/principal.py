"""Who is calling, and what they may do in each prefecture: the one place every
interface (GraphQL, dashboard, exports, search) asks.

A Principal is built once per request from the session user's memberships or from an
API key (Authorization: Bearer …). Rules:
- province roles read every prefecture (monitor: read-only, personal data masked;
  province admin: may also read personal data), never write into a prefecture;
- prefecture admins read and write their own prefecture, personal data included;
- station staff read and write their prefecture (limited to their positions by the
  services), personal data included; deputies read their prefecture and their own record;
- API keys get exactly their scopes: prefectures, read or read/write, personal data or not;
- anonymous callers read nothing but the public operations (submit/track an opinion).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .models import PROVINCE_ROLES, Role

PUBLIC_SCHEMA = "public"


@dataclass(frozen=True)
class Principal:
    label: str = "anonymous"
    user_id: int | None = None
    api_key_id: int | None = None
    province_roles: frozenset[str] = frozenset()
    # schema name → roles held there (from memberships)
    prefecture_roles: dict[str, frozenset[str]] = field(default_factory=dict)
    # for API keys: explicit scopes
    key_read: frozenset[str] = frozenset()
    key_write: frozenset[str] = frozenset()
    key_personal: bool = False
    key_province: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.api_key_id is None

    @property
    def is_province_wide(self) -> bool:
        """May read every prefecture and the province-level figures."""
        return bool(self.province_roles) or self.key_province

    def can_read(self, schema: str) -> bool:
        if schema == PUBLIC_SCHEMA:
            return self.is_province_wide
        return self.is_province_wide or schema in self.prefecture_roles or schema in self.key_read or schema in self.key_write

    def can_write(self, schema: str) -> bool:
        if schema == PUBLIC_SCHEMA:
            return Role.PROVINCE_ADMIN in self.province_roles
        roles = self.prefecture_roles.get(schema, frozenset())
        return bool(roles & {Role.PREFECTURE_ADMIN, Role.STATION_STAFF}) or schema in self.key_write

    def can_read_personal(self, schema: str) -> bool:
        if Role.PROVINCE_ADMIN in self.province_roles:
            return True
        if self.api_key_id is not None:
            return self.key_personal and (schema in self.key_read or schema in self.key_write or self.key_province)
        roles = self.prefecture_roles.get(schema, frozenset())
        return bool(roles & {Role.PREFECTURE_ADMIN, Role.STATION_STAFF})

    def readable_schemas(self, all_schemas: list[str]) -> list[str]:
        return [s for s in all_schemas if self.can_read(s)]


ANONYMOUS = Principal()


def principal_for_user(user) -> Principal:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    province: set[str] = set()
    per: dict[str, set[str]] = {}
    for m in user.memberships.select_related("prefecture"):
        if m.role in PROVINCE_ROLES:
            province.add(m.role)
        elif m.prefecture_id:
            per.setdefault(m.prefecture.schema_name, set()).add(m.role)
    if user.is_superuser:
        province.add(Role.PROVINCE_ADMIN)
    return Principal(label=f"user:{user.pk}", user_id=user.pk, province_roles=frozenset(province),
                     prefecture_roles={k: frozenset(v) for k, v in per.items()})


def principal_for(request) -> Principal:
    """The caller of this request (cached on the request)."""
    cached = getattr(request, "_liaison_principal", None)
    if cached is not None:
        return cached
    principal = _resolve(request)
    request._liaison_principal = principal
    return principal


def _resolve(request) -> Principal:
    # API keys are resolved by liaison.platform.accounts.api_keys when that module exists.
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Bearer "):
        from . import api_keys  # noqa: PLC0415 - optional until API keys land

        return api_keys.principal_for_bearer(header[len("Bearer "):].strip())
    return principal_for_user(getattr(request, "user", None))
