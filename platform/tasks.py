"""Running a task in every prefecture's schema.

Beat schedules a public-schema task; `fan_out` sends one task per prefecture, each
carrying its schema in the headers (tenant-schemas-celery), so a slow or failing
prefecture never holds up another. The registry is the only list of schemas.
"""
from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from liaison.tenants.registry.models import Prefecture


def fan_out(task, *args, only: list[str] | None = None, **kwargs) -> int:
    schemas = Prefecture.objects.values_list("schema_name", flat=True)
    if only:
        schemas = schemas.filter(schema_name__in=only)
    count = 0
    for schema in schemas:
        with schema_context(schema):
            task.delay(*args, **kwargs)
        count += 1
    return count


@shared_task(name="liaison.fan_out")
def fan_out_by_name(task_name: str, *args, **kwargs) -> int:
    """Beat entry point: `{"task": "liaison.fan_out", "args": ["app.task_name"]}`."""
    from liaison.platform.celery import app

    return fan_out(app.tasks[task_name], *args, **kwargs)
