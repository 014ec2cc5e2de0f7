"""Shared pieces of the API: enums from the domain's TextChoices, the FieldError payload
type, the ServiceMutation base (service call → payload `errors`), global-ID input
helpers, and personal-data masking.

A mutation is a thin adapter: translate the input (global IDs → this host's pks), check
the object-level permission (Principal), call ONE domain service, and turn its
ServiceError into `errors { field message code }`. Business rules stay in the services.
"""
from __future__ import annotations

import re
from typing import Any

import graphene
from django.db import transaction
from graphene import relay

from liaison.graphql import permissions
from liaison.graphql.relay import decode_global_id, encode_global_id, local_pk
from liaison.platform.accounts import masking
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import FieldError, ServiceError


def enum_from(choices, name: str, description: str = ""):
    """A GraphQL enum whose values are the TextChoices' values (names upper-cased)."""
    return graphene.Enum.from_enum(choices, name=name, description=description or None)


def enum_value(value):
    """Model value for an enum field, None for blank (blank is not an enum member)."""
    return value or None


def choice_label(choices, value) -> str | None:
    if not value:
        return None
    try:
        return choices(value).label
    except ValueError:
        return value


def plain(value):
    """An enum input (graphene passes the Python enum member) as the plain stored value."""
    return getattr(value, "value", value)


# --- errors in payloads --------------------------------------------------------------------

def camel(name: str) -> str:
    """`starts_at` → `startsAt`; dotted paths keep their indices (`visitors.0.name`)."""
    def one(part: str) -> str:
        head, *rest = part.split("_")
        return head + "".join(p[:1].upper() + p[1:] for p in rest)
    return ".".join(one(p) for p in name.split("."))


class FieldErrorType(graphene.ObjectType):
    class Meta:
        name = "FieldError"
        description = "A problem with one input field (user error): fix the input and retry."

    field = graphene.String(required=True, description="The input field (camelCase; nested as `visitors.0.name`).")
    message = graphene.String(required=True)
    code = graphene.String(required=True, description="Machine-readable: required, invalid, not_found, duplicate, …")


def field_errors(errors: list[FieldError], rename: dict[str, str] | None = None) -> list[FieldErrorType]:
    rename = rename or {}
    return [FieldErrorType(field=rename.get(e.field, camel(e.field)), message=e.message, code=e.code) for e in errors]


class ServiceMutation(relay.ClientIDMutation):
    """Base of every mutation: `op` is its column of the permission matrix (checked for the
    root field before execution), `perform` calls the service and returns payload fields.
    A ServiceError becomes `errors`; nothing is written (savepoint rolled back)."""

    class Meta:
        abstract = True

    op: Op = Op.MANAGE
    # service field name → input field name, where they differ (e.g. {"division": "divisionId"})
    error_fields: dict[str, str] = {}

    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True,
                           description="User errors; empty when the mutation succeeded.")

    @classmethod
    def perform(cls, root, info, **data) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def mutate_and_get_payload(cls, root, info, **data):
        permissions.require(info, cls.op)
        try:
            with transaction.atomic():
                result = cls.perform(root, info, **data)
        except ServiceError as exc:
            return cls(errors=field_errors(exc.errors, cls.error_fields))
        return cls(errors=[], **(result or {}))


def mutation_permissions(mixin) -> dict[str, Op]:
    """ROOT_PERMISSIONS entries for every mutation field of an ObjectType mixin."""
    out = {}
    for name, field in mixin._meta.fields.items():
        mutation = field.type
        op = getattr(mutation, "op", None)
        if op is not None:
            out[f"Mutation.{_camel_field(name)}"] = op
    return out


def _camel_field(name: str) -> str:
    from graphene.utils.str_converters import to_camel_case

    return to_camel_case(name)


# --- IDs in inputs ---------------------------------------------------------------------------

def pk_of(global_id: str | None, type_name: str | tuple[str, ...], field: str) -> int | None:
    """This host's pk for a global ID, or a ServiceError `not_found` on `field` (also when
    the ID belongs to another prefecture: it does not exist here)."""
    if global_id in (None, ""):
        return None
    pk = local_pk(global_id, type_name)
    if pk is None:
        raise ServiceError.single(field, f"未找到 {global_id} (not found on this host)", "not_found")
    return pk


def pks_of(global_ids, type_name: str, field: str) -> list[int]:
    errors, pks = [], []
    for i, gid in enumerate(global_ids or []):
        pk = local_pk(gid, type_name)
        if pk is None:
            errors.append(FieldError(f"{field}.{i}", f"未找到 {gid} (not found on this host)", "not_found"))
        else:
            pks.append(pk)
    if errors:
        raise ServiceError(errors)
    return pks


def gid(type_name: str, pk) -> str:
    return encode_global_id(type_name, pk)


__all__ = ["decode_global_id", "encode_global_id"]


# --- personal data ------------------------------------------------------------------------------

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
