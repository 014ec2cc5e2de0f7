"""Who changed what: the context of audit events, and reading the history back.

The triggers of liaison.tenants.common.audit copy each changed row into its event table
with the pghistory context of the moment, which `AuditContextMiddleware` sets for every
writing request (POST/PUT/PATCH/DELETE) and `command_context` for `liaison` commands:

    {"user": 12, "username": "km-admin", "api_key": null, "via": "admin",
     "url": "/admin/positions/position/3/change/", "request_id": "…"}

Nothing personal beyond the acting account's name is stored in the context. Reading:
`history(instance)` gives one record's events, oldest first, each with the fields that
changed (before → after).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime

import pghistory
from django.apps import apps
from django.db import models

from .metrics import interface_of

LABELS = {"insert": "新增", "update": "修改", "delete": "删除"}
VIA_LABELS = {"graphql": "GraphQL", "admin": "管理后台", "workbench": "工作台", "ledger": "台账", "command": "命令行",
              "dashboard": "统计", "public": "公开页面", "other": "网页", "": "—"}


def _request_context(request) -> dict:
    from liaison.platform.accounts.principal import principal_for

    principal = principal_for(request)
    user = getattr(request, "user", None)
    username = user.get_username() if user is not None and getattr(user, "is_authenticated", False) and principal.user_id else None
    return {"user": principal.user_id, "username": username, "api_key": principal.api_key_id,
            "via": interface_of(request.path), "url": request.path, "request_id": getattr(request, "request_id", None)}


class AuditContextMiddleware:
    """Sets the pghistory context for writing requests. After the tenant and authentication
    middleware: the caller (session user or API key) is resolved through the Principal."""

    METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.METHODS:
            return self.get_response(request)
        with pghistory.context(**_request_context(request)):
            return self.get_response(request)


@contextlib.contextmanager
def command_context(command: str, **extra):
    """The context of a `liaison` command (no user: the operator at the shell)."""
    with pghistory.context(user=None, username=None, api_key=None, via="command", url=f"liaison {command}", **extra):
        yield


# --- reading ---------------------------------------------------------------------------------
def event_model_for(model) -> type[models.Model] | None:
    try:
        return apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    except LookupError:
        return None


def tracked_fields(event_model) -> list[models.Field]:
    return [f for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]


@dataclass
class Change:
    id: int
    at: datetime
    action: str
    object_id: int
    who: str
    via: str
    context: dict
    changes: dict = field(default_factory=dict)  # field verbose name → (before, after)

    @property
    def action_label(self) -> str:
        return LABELS.get(self.action, self.action)

    @property
    def via_label(self) -> str:
        return VIA_LABELS.get(self.via, self.via)


def who(context: dict | None) -> str:
    context = context or {}
    if context.get("username"):
        return str(context["username"])
    if context.get("api_key"):
        return f"API 密钥 #{context['api_key']}"
    if context.get("via") == "command":
        return str(context.get("url") or "命令行")
    if context.get("user"):
        return f"用户 #{context['user']}"
    return "—"


def _value(event, f):
    value = getattr(event, f.attname)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return value


def changes_of(events) -> list[Change]:
    """Events of one table (any objects), oldest first, each with its before/after diff
    against the same object's previous event."""
    events = sorted(events, key=lambda e: e.pgh_id)
    if not events:
        return []
    fields = tracked_fields(type(events[0]))
    previous: dict[int, object] = {}
    out = []
    for event in events:
        before = previous.get(event.pgh_obj_id)
        diff = {}
        for f in fields:
            after_value = _value(event, f)
            before_value = _value(before, f) if before is not None else None
            if event.pgh_label == "delete":
                diff[str(f.verbose_name)] = (after_value, None)
            elif before is None or before_value != after_value:
                if before is None and after_value in (None, "", [], {}):
                    continue
                diff[str(f.verbose_name)] = (before_value, after_value)
        previous[event.pgh_obj_id] = event
        context = event.pgh_context or {}
        out.append(Change(id=event.pgh_id, at=event.pgh_created_at, action=event.pgh_label, object_id=event.pgh_obj_id,
                          who=who(context), via=context.get("via") or "", context=context, changes=diff))
    return out


def history(instance) -> list[Change]:
    """Every recorded change of one record, oldest first."""
    event_model = event_model_for(type(instance))
    if event_model is None:
        return []
    return changes_of(event_model.objects.filter(pgh_obj_id=instance.pk))


def format_changes(change: Change) -> str:
    return "；".join(f"{name}: {_fmt(before)} → {_fmt(after)}" for name, (before, after) in change.changes.items())


def _fmt(value) -> str:
    if value is None or value == "":
        return "∅"
    return str(value)
