"""Signals other areas subscribe to (search indexing, statistics staleness).

    opinion_changed(sender=Opinion, opinion_id=int, schema_name=str, deleted=bool)

Sent by the services after the surrounding transaction commits (never for a change
that was rolled back), once per opinion per change, in the schema the opinion lives in.
"""
from __future__ import annotations

import django.dispatch

opinion_changed = django.dispatch.Signal()
