"""Who and where a log line or error report comes from: request id, prefecture, caller.

The request context middleware binds the current request to a context variable; a
Celery task binds its task id the same way. Everything is derived lazily, when a log
record or a Sentry event is made, so the values are right wherever in the middleware
chain the record is emitted:

- request id: the request's id (X-Request-ID), or the Celery task id in a worker;
- prefecture: the schema the host serves (``request.tenant``), or in a task the schema
  tenant-schemas-celery switched to; ``public`` is the province;
- caller: ``user_id`` or ``key_id`` of the principal, only once something in the request
  has resolved it (logging never triggers an authentication query of its own).
"""
from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.utils.functional import empty

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
# Accept an upstream id (ingress-nginx's $req_id, a load balancer's trace id) when it
# is a plain token; anything else is replaced, so logs cannot be forged with it.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{8,128}$")

_request: ContextVar = ContextVar("liaison_request", default=None)
_task: ContextVar = ContextVar("liaison_task", default=None)


@dataclass(frozen=True)
class TaskContext:
    id: str
    name: str


def new_request_id(incoming: str | None = None) -> str:
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def bind_request(request) -> Token:
    return _request.set(request)


def unbind_request(token: Token) -> None:
    _request.reset(token)


def bind_task(task_id: str, name: str) -> Token:
    return _task.set(TaskContext(id=task_id, name=name))


def unbind_task(token: Token) -> None:
    _task.reset(token)


def current_request():
    return _request.get()


def current_task() -> TaskContext | None:
    return _task.get()


def request_id(request=None) -> str | None:
    request = request if request is not None else _request.get()
    if request is not None:
        return getattr(request, "request_id", None)
    task = _task.get()
    return task.id if task else None


def prefecture(request=None) -> str | None:
    """Schema name of the prefecture being served (``public`` for the province)."""
    request = request if request is not None else _request.get()
    if request is not None:
        tenant = getattr(request, "tenant", None)
        return getattr(tenant, "schema_name", None)
    if _task.get() is not None:
        from django.db import connection

        return getattr(connection, "schema_name", None)
    return None


def caller(request=None) -> tuple[int | None, int | None]:
    """(user_id, key_id) of the caller, when already known; never queries."""
    request = request if request is not None else _request.get()
    if request is None:
        return None, None
    principal = getattr(request, "_liaison_principal", None)
    if principal is not None:
        return getattr(principal, "user_id", None), getattr(principal, "api_key_id", None)
    user = request.__dict__.get("user")
    if user is None:
        return None, None
    wrapped = getattr(user, "_wrapped", user)  # SimpleLazyObject until first touched
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None, None
    return getattr(wrapped, "pk", None), None


def fields(request=None) -> dict:
    """The context of the current log record or error report (of ``request`` if given)."""
    from .tracing import trace_id

    user_id, key_id = caller(request)
    current = request if request is not None else _request.get()
    return {"request_id": request_id(request), "prefecture": prefecture(request), "user_id": user_id, "key_id": key_id,
            "trace_id": trace_id(current)}


def _connect_celery_signals() -> None:
    try:
        from celery import signals
    except ImportError:  # pragma: no cover - celery is a dependency
        return
    tokens: dict[str, Token] = {}

    def on_prerun(task_id=None, task=None, **_):
        if task_id:
            tokens[task_id] = bind_task(task_id, getattr(task, "name", ""))

    def on_postrun(task_id=None, **_):
        token = tokens.pop(task_id, None)
        if token is not None:
            try:
                unbind_task(token)
            except ValueError:  # reset from another context: just clear
                _task.set(None)

    def on_setup_logging(**_):
        # With a receiver connected Celery leaves logging alone: workers and beat log
        # through settings.LOGGING (JSON lines in production) like the web processes.
        import logging.config

        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)

    signals.setup_logging.connect(on_setup_logging, weak=False, dispatch_uid="liaison.ops.context.logging")
    signals.task_prerun.connect(on_prerun, weak=False, dispatch_uid="liaison.ops.context.prerun")
    signals.task_postrun.connect(on_postrun, weak=False, dispatch_uid="liaison.ops.context.postrun")


_connect_celery_signals()
