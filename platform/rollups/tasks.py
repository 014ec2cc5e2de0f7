"""Public-schema tasks of the roll-ups: refresh the prefectures marked stale."""
from __future__ import annotations

from liaison.platform.celery import app
from liaison.platform.tasks import fan_out

from . import services


@app.task(name="stats.refresh_stale")
def refresh_stale() -> int:
    schemas = services.stale_schemas()
    if not schemas:
        return 0
    from liaison.tenants.stats.tasks import refresh_prefecture

    return fan_out(refresh_prefecture, only=schemas)
