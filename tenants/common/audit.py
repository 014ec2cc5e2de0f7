"""Audit history (who, when, before/after) of the records an administrator configures,
kept by django-pghistory with PostgreSQL triggers.

`@audited` on a model adds an event model `<Model>Event` in the same app (a full row
snapshot per insert, update and delete) and the triggers that fill it. The triggers are
created by that app's migrations, so a prefecture's history lives in its own schema
(migrations run per schema; provisioning clones triggers with the template schema), and
public-schema models (memberships, API keys, the calendar) keep theirs in `public`.

Who: the pghistory context, stored on each event row as JSON (not in a shared context
table, which would have to live in one schema): the web request's user or API key and
the interface (admin, graphql, workbench…), set by liaison.platform.ops.audit
.AuditContextMiddleware; a command's name for `liaison` commands. Reading: selectors in
liaison.platform.ops.audit (history of one object, diffs between snapshots).
"""
from __future__ import annotations

import pghistory
from django.db import models


def audited(model):
    """Class decorator: record every insert, update and delete of `model`."""
    name = f"{model._meta.verbose_name}变更记录"
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        meta={"verbose_name": name, "verbose_name_plural": name},
        context_field=pghistory.ContextJSONField(),
        # the tracked row may be deleted; its history stays
        obj_field=pghistory.ObjForeignKey(related_name="+", db_constraint=False, on_delete=models.DO_NOTHING),
    )(model)


def trigger_ids(model) -> list[str]:
    """The PostgreSQL names of `model`'s audit triggers (empty when it is not audited)."""
    import pgtrigger

    return [trigger.get_pgid(m) for m, trigger in pgtrigger.registered() if m is model]


def suspend_for(cursor, model) -> bool:
    """Skip `model`'s audit triggers for the rest of the current transaction (bulk loads of
    generated data: no one changed anything, and a trigger per row would slow the COPY).
    Returns False, doing nothing, when the model is not audited."""
    ids = trigger_ids(model)
    if not ids:
        return False
    cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(ids) + "}"])
    return True


def resume(cursor) -> None:
    cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
