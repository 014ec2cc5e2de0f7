"""The opinion loop's writes, one function per step a person (or the beat) takes.

Every function runs in one transaction, checks its guards first (the transition table
is `liaison.tenants.opinions.workflow`), raises ServiceError with field-named errors
for bad input (changing nothing), writes a Transition row (who, when, from, to,
action, note) and records every opinion it touched as a change of its transaction
(`tenants/common/changes.py`: search and statistics follow once it commits).

By subject: `intake` (register, attachments), `handling` (triage, refer, extend, reply,
deliver, rate, close, reopen, escalate), `cross_prefecture`, `duplicates`,
`suggestions` (formal deputy suggestions), `notices` (the deadline beat); shared
helpers in `_base`. Callers import this package: `from liaison.tenants.opinions import
services` and `services.refer(...)`.

Ids passed to these functions are looked up in the current schema (the prefecture of
the request or task); an id of another prefecture's opinion is simply not found.
"""
from __future__ import annotations

from ._base import (
    CLOCK_SKEW,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    PHONE_RE,
    SYSTEM,
    Actor,
)
from .cross_prefecture import refer_to_prefecture
from .duplicates import link_duplicate
from .handling import (
    close,
    close_all_unrated,
    close_unrated,
    deliver,
    escalate,
    extend_deadline,
    propose_route,
    rate,
    refer,
    reopen,
    reply,
    triage,
)
from .intake import add_attachments, register
from .notices import send_deadline_notices
from .suggestions import (
    DEPUTY_LEVEL_TO_UNIT_LEVEL,
    answer_suggestion,
    assign_suggestion,
    convert_to_suggestion,
    extend_suggestion_deadline,
    rate_suggestion,
)

__all__ = [
    "Actor", "SYSTEM", "CLOCK_SKEW", "PHONE_RE", "MAX_ATTACHMENTS", "MAX_ATTACHMENT_BYTES", "DEPUTY_LEVEL_TO_UNIT_LEVEL",
    "register", "add_attachments",
    "triage", "propose_route", "refer", "extend_deadline", "reply", "deliver", "rate", "close", "close_unrated",
    "close_all_unrated", "reopen", "escalate",
    "refer_to_prefecture", "link_duplicate",
    "convert_to_suggestion", "assign_suggestion", "extend_suggestion_deadline", "answer_suggestion", "rate_suggestion",
    "send_deadline_notices",
]
