"""Who may use the workbench on this prefecture host, and what they may touch.

Every rule comes from liaison.platform.accounts.principal (the matrix GraphQL uses):
this module only asks it. A view is wrapped in `workbench_view` (signed-in users who
may read this prefecture; anonymous → the workbench login; anyone else → 403), then
asks `guard_*` for object-level limits (station staff: their own positions; deputies:
their own record) before reading or writing one object.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from liaison.platform.accounts.models import Role
from liaison.platform.accounts.principal import Op, Principal, principal_for

LOGIN_URL = "/workbench/login/"
# Which item of the navigation a page belongs to (url name → section).
NAV_SECTIONS = {"home": "home", "queue": "queue", "opinion": "queue", "opinion-step": "queue", "register": "queue",
                "suggestions": "suggestions", "suggestion": "suggestions", "suggestion-step": "suggestions",
                "events": "events", "event": "events", "event-new": "events", "plan": "events", "board": "board", "me": "me"}


@dataclass(frozen=True)
class Access:
    """The caller's reach on this host, computed once per request."""

    principal: Principal
    schema: str

    @property
    def can_handle(self) -> bool:
        return self.principal.can(Op.HANDLE, self.schema)

    @property
    def can_manage(self) -> bool:
        return self.principal.can(Op.MANAGE, self.schema)

    @property
    def personal(self) -> bool:
        return self.principal.can_read_personal(self.schema)

    @property
    def read_only(self) -> bool:
        """Province roles (and deputies, outside their own acts) only read here."""
        return not self.principal.can_write(self.schema)

    @property
    def deputy_id(self) -> int | None:
        return self.principal.deputy_id(self.schema)

    @property
    def roles(self) -> frozenset[str]:
        return self.principal.prefecture_roles.get(self.schema, frozenset())

    @property
    def is_station_staff_only(self) -> bool:
        """Station staff limited to listed positions (no admin role here)."""
        return bool(self.position_scope) and not self.can_manage

    @property
    def position_scope(self) -> frozenset[int]:
        """Positions a station staff member is limited to (empty = no limit)."""
        if self.can_manage or Role.STATION_STAFF not in self.roles:
            return frozenset()
        return self.principal.position_ids.get(self.schema, frozenset())

    @property
    def is_deputy_only(self) -> bool:
        """A deputy with no staff or admin role here and no province role."""
        return self.deputy_id is not None and not self.can_handle and not self.principal.is_province_wide

    @property
    def sees_board(self) -> bool:
        """The supervision board: prefecture administrators and the province's roles."""
        return self.can_manage or self.principal.is_province_wide

    def may_act_on_position(self, position_id: int | None) -> bool:
        return self.can_handle and self.principal.may_act_on_position(self.schema, position_id)

    def may_act_as_deputy(self, deputy_id: int | None) -> bool:
        return self.principal.may_act_as_deputy(self.schema, deputy_id)

    # --- reading ----------------------------------------------------------------------------
    def may_read_position(self, position_id: int | None) -> bool:
        scope = self.position_scope
        return not scope or position_id in scope

    def opinions(self, qs: QuerySet) -> QuerySet:
        """The opinions this caller works on: station staff their positions, a deputy
        the ones they took, everyone else who reads here all of them."""
        if self.position_scope:
            return qs.filter(position_id__in=self.position_scope)
        if self.is_deputy_only:
            return qs.filter(deputy_id=self.deputy_id)
        return qs

    def suggestions(self, qs: QuerySet) -> QuerySet:
        if self.position_scope:
            return qs.filter(opinions__position_id__in=self.position_scope).distinct()
        if self.is_deputy_only:
            return qs.filter(Q(lead_deputy_id=self.deputy_id) | Q(co_signers=self.deputy_id)).distinct()
        return qs

    def positions(self, qs: QuerySet) -> QuerySet:
        if self.position_scope:
            return qs.filter(pk__in=self.position_scope)
        return qs

    def events(self, qs: QuerySet) -> QuerySet:
        if self.position_scope:
            return qs.filter(position_id__in=self.position_scope)
        if self.is_deputy_only:
            return qs.filter(deputies=self.deputy_id)
        return qs

    # --- object guards (raise PermissionDenied → 403) -------------------------------------------
    def guard_read_opinion(self, opinion) -> None:
        if not self.opinions(type(opinion).objects.filter(pk=opinion.pk)).exists():
            raise PermissionDenied(_("无权查看此意见"))

    def guard_handle_opinion(self, opinion) -> None:
        if not self.may_act_on_position(opinion.position_id):
            raise PermissionDenied(_("无权办理此意见"))

    def guard_read_event(self, event) -> None:
        if not self.events(type(event).objects.filter(pk=event.pk)).exists():
            raise PermissionDenied(_("无权查看此活动"))

    def guard_handle_position(self, position_id: int | None) -> None:
        if not self.may_act_on_position(position_id):
            raise PermissionDenied(_("无权在此阵地办理"))

    def guard_manage(self) -> None:
        if not self.can_manage:
            raise PermissionDenied(_("仅州市管理员可以操作"))


def access_for(request) -> Access:
    cached = getattr(request, "_workbench_access", None)
    if cached is None:
        cached = Access(principal_for(request), connection.schema_name)
        request._workbench_access = cached
    return cached


def workbench_view(view):
    """Signed-in users who may read this prefecture; anonymous → login; others → 403.

    API keys are for programs, not for these pages: a bearer token is refused here."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if connection.schema_name == "public":
            raise PermissionDenied(_("工作台在各州市的网址上使用"))
        access = access_for(request)
        if access.principal.is_anonymous:
            return redirect_to_login(request.get_full_path(), LOGIN_URL)
        if access.principal.is_api_key or not access.principal.can_read(access.schema):
            raise PermissionDenied(_("您的账号不属于本州市，无权使用本州市的工作台"))
        request.access = access
        match = getattr(request, "resolver_match", None)
        request.nav_section = NAV_SECTIONS.get(getattr(match, "url_name", ""), "")
        return view(request, *args, **kwargs)

    return wrapper
