"""并案: link an opinion as a duplicate of another; it is handled there."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from .. import workflow
from ..models import (
    Opinion,
    Referral,
)
from ..workflow import guard
from ._base import (
    _active_referral,
    _actor,
    _changed,
    _err,
    _lock,
    _move,
    _now,
    _record,
)

# --- duplicates --------------------------------------------------------------------------------------


def link_duplicate(opinion: Opinion | int, *, primary: Opinion | int, actor=None, note: str = "",
                   at: dt.datetime | None = None) -> Opinion:
    """并案: mark `opinion` as a duplicate of `primary`; it is then handled there and gets
    the primary's reply (each citizen still receives and rates their own)."""
    actor, at = _actor(actor), _now(at)
    with transaction.atomic():
        op = _lock(opinion)
        main = _lock(primary, guard=False)
        while main.duplicate_of_id:  # link to the root of a chain
            main = _lock(main.duplicate_of_id, guard=False)
        if main.pk == op.pk:
            raise _err("primary", "an opinion cannot duplicate itself", "same_opinion")
        guard(op, "link_duplicate")
        if not workflow.action("duplicate_linked").starts_from(main.status):
            raise _err("primary", f"opinion {main.tracking_code} is already {main.get_status_display()}: answer this one directly", "not_open")
        if op.duplicate_of_id == main.pk:
            raise _err("primary", "already linked", "unchanged")
        if op.is_copy != main.is_copy or op.suggestion_id:
            raise _err("primary", "only opinions handled the same way can be linked", "incompatible")
        active = _active_referral(op)
        if active is not None:
            if active.to_schema:
                raise _err("opinion", "referred to another prefecture: it is answered there", "cross_referral")
            active.state = Referral.State.SUPERSEDED
            active.save(update_fields=["state"])
        # Its own duplicates move to the new primary with it.
        for child in op.duplicates.all():
            child.duplicate_of = main
            child.save(update_fields=["duplicate_of", "updated_at"])
            _record(child, "link_duplicate", child.status, child.status, actor, at, "随并案转至新主件", primary_id=main.pk)
            _changed(child.pk)
        op.duplicate_of = main
        op.due_on = None
        _move(op, op.status, "link_duplicate", actor, at, note, fields=("duplicate_of", "due_on"),
              primary_id=main.pk, primary=main.tracking_code)
        _record(main, "duplicate_linked", main.status, main.status, actor, at, note, duplicate_id=op.pk)
        _changed(main.pk)
    return op
