"""Who is acting, for the object-level checks the services make themselves.

Interfaces check the permission matrix before they call a service; the services check
the object: a station clerk acts only at their own positions, a deputy only for
themselves. Keeping the object check in the services means GraphQL, the workbench, the
admin and the importer cannot differ.

Every web request runs with its caller (ActingMiddleware, resolved lazily from the
session or API key only when a service asks). Code that is not a request — commands,
Celery tasks, the importer's command line, tests — runs as the system unless it says
otherwise with `acting_as(principal)`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import Forbidden

from .principal import Principal, principal_for

_principal: ContextVar[Principal | None] = ContextVar("liaison_acting_principal", default=None)
_request: ContextVar[object | None] = ContextVar("liaison_acting_request", default=None)


@contextmanager
def acting_as(principal: Principal | None) -> Iterator[None]:
    token = _principal.set(principal)
    try:
        yield
    finally:
        _principal.reset(token)


def current() -> Principal | None:
    """The acting principal, or None for the system (commands, tasks)."""
    principal = _principal.get()
    if principal is not None:
        return principal
    request = _request.get()
    return principal_for(request) if request is not None else None


class ActingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def require_position(position_id: int | None) -> None:
    """Refuse unless the caller may act (handle, attend) at this position."""
    principal = current()
    if principal is None or principal.may_act_on_position(connection.schema_name, position_id):
        return
    raise Forbidden(_("无权在此阵地办理（只能办理本人所在阵地的事项）"))


def require_positions(position_ids: Iterable[int | None]) -> None:
    """Refuse unless the caller may act at every one of these positions (a suggestion
    raised from opinions of several positions)."""
    principal = current()
    if principal is None:
        return
    schema = connection.schema_name
    ids = list(position_ids) or [None]
    if not all(principal.may_act_on_position(schema, pid) for pid in ids):
        raise Forbidden(_("无权办理此事项（涉及本人所在阵地以外的意见）"))


def may_act_as_deputy(deputy_id: int | None) -> bool:
    principal = current()
    return principal is None or principal.may_act_as_deputy(connection.schema_name, deputy_id)


def require_deputy_or_position(deputy_id: int | None, position_id: int | None) -> None:
    """A deputy's own act (sign in, an opinion they collected), or staff at the position."""
    principal = current()
    if principal is None:
        return
    schema = connection.schema_name
    if principal.may_act_on_position(schema, position_id):
        return
    if deputy_id is not None and principal.may_act_as_deputy(schema, deputy_id):
        return
    raise Forbidden(_("无权代他人办理（代表只能为本人签到、登记本人收集的意见）"))
