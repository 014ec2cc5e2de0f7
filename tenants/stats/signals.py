"""Any committed change of a prefecture's data marks its statistics stale (refreshed by
beat): opinions, positions, deputies, events, divisions — the change event of
`liaison.tenants.common.changes`, once per transaction and prefecture."""
from __future__ import annotations

from liaison.tenants.common import changes


def on_committed(sender, changes: tuple[changes.Change, ...], **kwargs) -> None:
    from liaison.platform.rollups.services import mark_stale

    for schema in sorted({c.schema for c in changes}):
        mark_stale(schema)


def connect() -> None:
    changes.connect()
    changes.committed.connect(on_committed, dispatch_uid="stats-committed")
