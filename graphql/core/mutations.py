"""The mutation base: a mutation is a thin adapter.

Translate the input (global IDs → this host's pks), check the object-level permission
(Principal), call ONE domain service, and turn its ServiceError into the payload's
`errors { field message code }`. Business rules stay in the services. The Op a mutation
needs is its class attribute `op` (its column of principal.MATRIX), checked for the root
field before execution. A permission failure (the Principal, a PermissionError or a
ServiceError code `forbidden` from a service) is always a top-level FORBIDDEN error, never
a payload error: the payload's `errors` are for input the user can fix.
"""
from __future__ import annotations

from typing import Any

import graphene
from django.db import transaction
from graphene import relay

from liaison.graphql.core import permissions
from liaison.graphql.core.errors import FieldErrorType, field_errors, forbidden
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import Forbidden, ServiceError


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
        except PermissionError as exc:
            # One way to report a permission failure everywhere: a top-level FORBIDDEN
            # error (docs/API.md "Errors"), whether the Principal or a service refused.
            raise forbidden(str(exc)) from None
        except ServiceError as exc:
            refused = [e for e in exc.errors if e.code == "forbidden"]
            if refused:
                raise forbidden("; ".join(e.message for e in refused)) from None
            return cls(errors=field_errors(exc.errors, cls.error_fields))
        except Forbidden as exc:   # the service's own object-level check (acting.py)
            raise forbidden(exc.message) from None
        return cls(errors=[], **(result or {}))
