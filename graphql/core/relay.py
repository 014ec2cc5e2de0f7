"""Relay plumbing: schema-carrying global IDs, model-backed node types, and cursor
connections with filters, ordering and the page-size limit.

Global IDs are base64("<Type>:<schema>:<pk>"): primary keys repeat across prefecture
schemas, so the ID names its prefecture. An ID minted on another host resolves to
"not found" here (never to this host's row with the same pk).
"""
from __future__ import annotations

import base64
import binascii
from typing import Any

import graphene
from django.db import connection
from graphene import relay
from graphene.relay.connection import page_info_adapter
from graphql import GraphQLError
from graphql_relay import connection_from_array_slice, cursor_to_offset

from liaison.graphql.core import limits, loaders
from liaison.graphql.core.errors import NotFound
from liaison.tenants.common.errors import FieldError, ServiceError


def encode_global_id(type_name: str, pk: Any, schema: str | None = None) -> str:
    raw = f"{type_name}:{schema or connection.schema_name}:{pk}"
    return base64.b64encode(raw.encode()).decode()


def decode_global_id(global_id: str) -> tuple[str, str, str] | None:
    """(type, schema, pk) or None when malformed."""
    try:
        raw = base64.b64decode(str(global_id).encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = raw.split(":")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def is_pk(text: str) -> bool:
    """A primary key as a global ID may carry it: ASCII digits that fit a bigint
    (str.isdigit alone accepts '²' and '١٢٣', which int() then refuses)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def gid(type_name: str, pk) -> str:
    return encode_global_id(type_name, pk)


def local_pk(global_id: str, expected_type: str | tuple[str, ...]) -> int | None:
    """The pk on this host of a global ID of `expected_type`, or None (not found here)."""
    parsed = decode_global_id(global_id)
    if parsed is None:
        return None
    type_name, schema, pk = parsed
    expected = (expected_type,) if isinstance(expected_type, str) else expected_type
    if type_name not in expected or schema != connection.schema_name or not is_pk(pk):
        return None
    return int(pk)


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
    for i, gid_ in enumerate(global_ids or []):
        pk = local_pk(gid_, type_name)
        if pk is None:
            errors.append(FieldError(f"{field}.{i}", f"未找到 {gid_} (not found on this host)", "not_found"))
        else:
            pks.append(pk)
    if errors:
        raise ServiceError(errors)
    return pks


class Node(relay.Node):
    """An object with a global ID that names its prefecture."""

    class Meta:
        name = "Node"

    @classmethod
    def to_global_id(cls, type_, id):  # noqa: A002 - graphene's signature
        return encode_global_id(type_, id)

    @classmethod
    def get_node_from_global_id(cls, info, global_id, only_type=None):
        parsed = decode_global_id(global_id)
        if parsed is None:
            raise NotFound()
        type_name, schema, pk = parsed
        if schema != connection.schema_name or not is_pk(pk):
            raise NotFound()
        gtype = info.schema.get_type(type_name)
        graphene_type = getattr(gtype, "graphene_type", None)
        if graphene_type is None or cls not in getattr(graphene_type._meta, "interfaces", ()):
            raise NotFound()
        if only_type and graphene_type is not only_type:
            raise NotFound()
        obj = graphene_type.get_node(info, int(pk))
        if obj is None:
            raise NotFound()
        return obj


class ModelObjectType(graphene.ObjectType):
    """A node backed by a Django model of this host's schema (set `model` on the subclass)."""

    model = None

    class Meta:
        abstract = True

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, cls.model)

    @classmethod
    def base_queryset(cls, info):
        """Rows this caller may see through this type (override to narrow)."""
        return cls.model.objects.all()

    @classmethod
    def get_node(cls, info, pk):
        obj = cls.base_queryset(info).filter(pk=pk).first()
        return loaders.mark_batch([obj])[0] if obj is not None else None


class CountedConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="Items matching the filters (all pages).")

    def resolve_total_count(root, info):
        return root.length


def connection_for(node_type, name: str | None = None):
    meta = type("Meta", (), {"node": node_type, **({"name": name} if name else {})})
    return type(f"{node_type._meta.name}Connection", (CountedConnection,), {"Meta": meta})


def connection_args(filter_input=None, order_enum=None) -> dict:
    args: dict[str, Any] = {}
    if filter_input is not None:
        args["filter"] = graphene.Argument(filter_input, description="Only items matching every given condition.")
    if order_enum is not None:
        args["order_by"] = graphene.Argument(graphene.List(graphene.NonNull(order_enum)),
                                             description="Sort keys, first one first; default: the natural order.")
    return args


def paginate(queryset, info, connection_type, first=None, last=None, after=None, before=None, **_):
    """A Relay connection over a queryset: COUNT + one page query, whatever the size.

    Page size: `first`/`last` (≤ max_page_size; the validation rule refuses more, this
    clamps defensively), default `default_page_size`.
    """
    cfg = limits.limits()
    for arg_name, value in (("first", first), ("last", last)):
        if value is not None and (value < 0 or value > cfg["max_page_size"]):
            raise GraphQLError(f"`{arg_name}: {value}` is outside the page size limit: between 0 and "
                               f"{cfg['max_page_size']} items per page.",
                               extensions={"code": "PAGE_SIZE_LIMIT_EXCEEDED", "limit": "max_page_size",
                                           "value": cfg["max_page_size"]})
    if first is None and last is None:
        first = cfg["default_page_size"]
    total = queryset.count()
    start = 0
    end = total
    a = cursor_to_offset(after) if after else None
    if a is not None and 0 <= a < total:
        start = a + 1
    b = cursor_to_offset(before) if before else None
    if b is not None and 0 <= b < total:
        end = min(end, b)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    page = loaders.mark_batch(queryset[start:end]) if end > start else []
    return connection_from_array_slice(
        page, {"first": first, "last": last, "after": after, "before": before},
        slice_start=start, array_length=total, array_slice_length=len(page),
        connection_type=lambda edges, pageInfo: _connection(connection_type, edges, pageInfo, total),
        edge_type=connection_type.Edge, page_info_type=page_info_adapter,
    )


def _connection(connection_type, edges, page_info, total):
    conn = connection_type(edges=edges, page_info=page_info)
    conn.length = total
    return conn


def apply_order(queryset, order_by, mapping: dict[str, tuple[str, ...]]):
    """Order by the chosen enum values (each maps to model order_by expressions), with the
    primary key as the last tie-breaker so pages are stable."""
    if not order_by:
        return queryset
    fields: list[str] = []
    for item in order_by:
        fields.extend(mapping[getattr(item, "value", item)])
    return queryset.order_by(*fields, "pk")
