"""Errors of the API.

Top-level errors (`errors[].extensions.code`) refuse a whole field or request: the caller
may not (UNAUTHENTICATED, FORBIDDEN), the thing is not there (NOT_FOUND), the request is
malformed. User errors of a mutation's input come back in its payload instead:
`errors { field message code }` (FieldErrorType), with nothing written.
"""
from __future__ import annotations

import graphene
from graphql import GraphQLError

from liaison.tenants.common.errors import FieldError


def gql_error(message: str, code: str, node=None, **extensions) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code, **extensions})


def unauthenticated(message: str = "需要登录或 API 密钥 (authentication required: log in, or send "
                                    "`Authorization: Bearer <key>`)") -> GraphQLError:
    return gql_error(message, "UNAUTHENTICATED")


def forbidden(message: str, node=None) -> GraphQLError:
    return gql_error(message, "FORBIDDEN", node)


class NotFound(GraphQLError):
    def __init__(self, what: str = "对象"):
        super().__init__(f"未找到{what} (not found)", extensions={"code": "NOT_FOUND"})


def bad_request(errors: list[FieldError]) -> GraphQLError:
    """A top-level BAD_REQUEST naming the offending arguments (queries have no payload)."""
    return GraphQLError("; ".join(str(e) for e in errors), extensions={
        "code": "BAD_REQUEST", "fields": [{"field": e.field, "message": e.message, "code": e.code} for e in errors]})


# --- errors in mutation payloads ---------------------------------------------------------------

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
