"""The Celery app. Tasks carry the tenant schema in their headers (tenant-schemas-celery)."""
from __future__ import annotations

import logging
import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")

app = TenantAwareCeleryApp("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger("liaison.celery")


def announce_mode() -> str:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        message = "Celery: no CELERY_BROKER_URL set, tasks run eagerly in this process."
    else:
        message = f"Celery: tasks go to the broker at {settings.CELERY_BROKER_URL.split('@')[-1]}."
    log.warning(message)
    return message
