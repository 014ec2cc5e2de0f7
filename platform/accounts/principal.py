"""Who is calling, and what they may do in each prefecture: the one place every
interface (GraphQL, dashboard, exports, search) asks.

A Principal is built once per request from the session user's memberships or from an
API key (Authorization: Bearer …). The rules are the matrix `MATRIX` below (role or key
scope × operation), printed in docs/API.md and covered cell by cell by
tests/graphql/test_gql_permissions.py:

- province roles read every prefecture with citizens' personal data masked (docs/ARCHITECTURE.md, "Who may do what":
  the provincial congress monitors, it does not handle cases), never write into a
  prefecture; province keys likewise never read personal data;
- prefecture admins read and write their own prefecture, personal data included;
- station staff read their prefecture and handle opinions/receptions at their own
  positions (Membership.position_ids; empty = every position), personal data included;
- deputies read their prefecture (personal data masked) and act on their own record
  (sign in on duty days, register the opinions they collect);
- API keys get exactly their scopes: prefectures read or read/write, personal data or
  not; a province key reads every prefecture and the province host, never writes;
- anonymous callers get only the public operations (submit/track an opinion).

Callers ask `principal.can(Op.X, schema)`; object-level limits (a station staff member's
own positions, a deputy's own record) are `may_act_on_position` / `is_deputy`.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .models import PROVINCE_ROLES, Role

PUBLIC_SCHEMA = "public"


class Op(str, enum.Enum):
    """Operations of the permission matrix (columns of the table in docs/API.md)."""

    PUBLIC = "public"  # submit / track an opinion, host info, the prefecture list
    READ = "read"  # a prefecture's data (positions, deputies, events, opinions), masked
    READ_PERSONAL = "read_personal"  # citizens' names/phones, deputies' phones/ID numbers unmasked
    ATTEND = "attend"  # a deputy's own acts: sign in at an event, register an opinion they collected
    HANDLE = "handle"  # opinion loop and receptions: register, triage, refer, reply, rate, extend, convert
    MANAGE = "manage"  # positions, checklist, staff, stationing, deputies, plan/announce events
    PROVINCE = "province"  # province-wide fields on the province host (figures, drill-down)


# Rows of the matrix: who may do what *in a prefecture they are scoped to*. Scope
# (which prefectures) is checked separately: a role held in Kunming grants nothing in
# Qujing. Province rows apply to every prefecture (read) and to the province host.
MATRIX: dict[str, frozenset[Op]] = {
    "anonymous": frozenset({Op.PUBLIC}),
    Role.PROVINCE_MONITOR.value: frozenset({Op.PUBLIC, Op.READ, Op.PROVINCE}),
    Role.PROVINCE_ADMIN.value: frozenset({Op.PUBLIC, Op.READ, Op.PROVINCE}),
    Role.PREFECTURE_ADMIN.value: frozenset({Op.PUBLIC, Op.READ, Op.READ_PERSONAL, Op.ATTEND, Op.HANDLE, Op.MANAGE}),
    Role.STATION_STAFF.value: frozenset({Op.PUBLIC, Op.READ, Op.READ_PERSONAL, Op.ATTEND, Op.HANDLE}),
    Role.DEPUTY.value: frozenset({Op.PUBLIC, Op.READ, Op.ATTEND}),
    "key:read": frozenset({Op.PUBLIC, Op.READ}),
    "key:read+personal": frozenset({Op.PUBLIC, Op.READ, Op.READ_PERSONAL}),
    "key:read_write": frozenset({Op.PUBLIC, Op.READ, Op.ATTEND, Op.HANDLE, Op.MANAGE}),
    "key:read_write+personal": frozenset({Op.PUBLIC, Op.READ, Op.READ_PERSONAL, Op.ATTEND, Op.HANDLE, Op.MANAGE}),
    "key:province": frozenset({Op.PUBLIC, Op.READ, Op.PROVINCE}),
}

WRITE_OPS = frozenset({Op.ATTEND, Op.HANDLE, Op.MANAGE})


@dataclass(frozen=True)
class Principal:
    label: str = "anonymous"
    user_id: int | None = None
    api_key_id: int | None = None
    province_roles: frozenset[str] = frozenset()
    # schema name → roles held there (from memberships)
    prefecture_roles: dict[str, frozenset[str]] = field(default_factory=dict)
    # station staff: schema → position ids they may act on (empty set = every position)
    position_ids: dict[str, frozenset[int]] = field(default_factory=dict)
    # deputies: schema → their Deputy id in that prefecture's roll
    deputy_ids: dict[str, int] = field(default_factory=dict)
    # for API keys: explicit scopes
    key_read: frozenset[str] = frozenset()
    key_write: frozenset[str] = frozenset()
    key_personal: bool = False
    key_province: bool = False
    # set when the request carried credentials that are not valid (unknown, revoked or
    # expired key): such a principal may do nothing and the API answers 401.
    credentials_error: str | None = None

    # --- identity -------------------------------------------------------------------
    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.api_key_id is None and self.credentials_error is None

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None

    @property
    def is_province_wide(self) -> bool:
        """May read every prefecture and the province-level figures."""
        return self.credentials_error is None and (bool(self.province_roles) or self.key_province)

    # --- the matrix -----------------------------------------------------------------
    def rows(self, schema: str) -> list[str]:
        """The matrix rows that apply to this principal on `schema`."""
        if self.credentials_error is not None:
            return []
        if self.is_anonymous:
            return ["anonymous"]
        rows: list[str] = list(self.province_roles)
        if self.api_key_id is not None:
            personal = "+personal" if self.key_personal else ""
            if self.key_province:
                rows.append("key:province")  # province-wide reach never includes personal data
            if schema in self.key_write:
                rows.append("key:read_write" + personal)
            elif schema in self.key_read:
                rows.append("key:read" + personal)
        rows.extend(self.prefecture_roles.get(schema, ()))
        return rows

    def ops(self, schema: str) -> frozenset[Op]:
        granted: set[Op] = set()
        for row in self.rows(schema):
            granted |= MATRIX.get(row, frozenset())
        if schema == PUBLIC_SCHEMA:
            # The province host: only province-wide credentials read it; nobody writes.
            granted -= WRITE_OPS
            if not self.is_province_wide:
                granted &= {Op.PUBLIC}
        return frozenset(granted)

    def can(self, op: Op, schema: str) -> bool:
        return op in self.ops(schema)

    def has_access(self, schema: str) -> bool:
        """May present these credentials on this host at all (anonymous always may)."""
        return self.is_anonymous or self.can(Op.READ, schema)

    # --- shorthands used across the code base ------------------------------------------
    def can_read(self, schema: str) -> bool:
        return self.can(Op.READ, schema)

    def can_write(self, schema: str) -> bool:
        """General write access (admin, import): HANDLE or MANAGE. A deputy's narrow
        ATTEND (their own sign-ins and opinions) is not write access."""
        return bool(self.ops(schema) & {Op.HANDLE, Op.MANAGE})

    def can_read_personal(self, schema: str) -> bool:
        return self.can(Op.READ_PERSONAL, schema)

    def readable_schemas(self, all_schemas: list[str]) -> list[str]:
        return [s for s in all_schemas if self.can_read(s)]

    # --- object-level limits ----------------------------------------------------------
    def may_act_on_position(self, schema: str, position_id: int | None) -> bool:
        """HANDLE/ATTEND on one position: admins and read/write keys anywhere in their
        prefecture; station staff only at their own positions (none listed = all)."""
        ops = self.ops(schema)
        if Op.MANAGE in ops:
            return True
        if Op.HANDLE in ops and Role.STATION_STAFF in self.prefecture_roles.get(schema, ()):
            allowed = self.position_ids.get(schema, frozenset())
            return not allowed or position_id in allowed
        return False

    def may_use_admin(self, schema: str) -> bool:
        """The Django admin is for prefecture administrators (on their prefecture's host)
        and province roles (superusers count as province administrators). Station staff
        and deputies work in the workbench; API keys never open the admin."""
        if self.credentials_error is not None or self.user_id is None:
            return False
        if self.province_roles:
            return True
        return schema != PUBLIC_SCHEMA and Role.PREFECTURE_ADMIN in self.prefecture_roles.get(schema, ())

    def deputy_id(self, schema: str) -> int | None:
        return self.deputy_ids.get(schema)

    def may_act_as_deputy(self, schema: str, deputy_id: int | None) -> bool:
        """ATTEND for one deputy: that deputy themselves, or whoever may MANAGE the
        prefecture. Station staff act for a deputy only through their own positions
        (may_act_on_position): handling rights at one station are no licence to sign in,
        or register opinions for, a deputy at another."""
        ops = self.ops(schema)
        if Op.MANAGE in ops:
            return True
        return Op.ATTEND in ops and deputy_id is not None and self.deputy_ids.get(schema) == deputy_id


ANONYMOUS = Principal()


def invalid_credentials(message: str) -> Principal:
    return Principal(label="invalid-credentials", credentials_error=message)


def principal_for_user(user) -> Principal:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if not user.is_active:
        return invalid_credentials("用户已停用 (user is inactive)")
    province: set[str] = set()
    per: dict[str, set[str]] = {}
    positions: dict[str, set[int]] = {}
    deputies: dict[str, int] = {}
    for m in user.memberships.select_related("prefecture"):
        if m.role in PROVINCE_ROLES:
            province.add(m.role)
        elif m.prefecture_id:
            schema = m.prefecture.schema_name
            per.setdefault(schema, set()).add(m.role)
            if m.role == Role.STATION_STAFF:
                positions.setdefault(schema, set()).update(int(p) for p in (m.position_ids or []))
            if m.role == Role.DEPUTY and m.deputy_id:
                deputies[schema] = m.deputy_id
    if user.is_superuser:
        province.add(Role.PROVINCE_ADMIN)
    return Principal(label=f"user:{user.pk}", user_id=user.pk, province_roles=frozenset(province),
                     prefecture_roles={k: frozenset(v) for k, v in per.items()},
                     position_ids={k: frozenset(v) for k, v in positions.items()}, deputy_ids=deputies)


def principal_for(request) -> Principal:
    """The caller of this request (cached on the request)."""
    cached = getattr(request, "_liaison_principal", None)
    if cached is not None:
        return cached
    principal = _resolve(request)
    request._liaison_principal = principal
    return principal


def bearer_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _resolve(request) -> Principal:
    token = bearer_token(request)
    if token is not None:
        from . import api_keys  # noqa: PLC0415 - api_keys imports this module

        return api_keys.principal_for_bearer(token)
    return principal_for_user(getattr(request, "user", None))
