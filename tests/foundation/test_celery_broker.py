"""Celery through a real Redis broker: a task queued in one prefecture runs in that
prefecture's schema on a real worker (tenant-schemas-celery carries the schema).

Runs when LIAISON_TEST_REDIS_URL points at a Redis server (CI's second pass sets it);
the default pass uses eager Celery, which the rest of the suite exercises.
"""
from __future__ import annotations

import os
import time

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

REDIS_URL = os.environ.get("LIAISON_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set LIAISON_TEST_REDIS_URL to run against a real Redis broker")


@pytest.fixture
def real_worker(redis_celery_worker):
    return redis_celery_worker

def wait_for(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_task_queued_in_kunming_runs_in_kunming_on_a_redis_worker(real_worker, django_db_blocker):
    from liaison.tenants.notifications.models import Notification
    from liaison.tenants.notifications.services import enqueue

    key = f"broker-test-{time.time_ns()}"
    with django_db_blocker.unblock():
        try:
            with schema_context("kunming"):
                with transaction.atomic():
                    enqueue(recipient_kind="user", recipient_id=None, address="值班员", channel="console",
                            subject="经 Redis 投递", body="测试", dedupe_key=key)

                def sent() -> bool:
                    return Notification.objects.filter(dedupe_key=key, status="sent").exists()

                assert wait_for(sent), "the worker did not deliver the notification in kunming's schema"
            with schema_context("qujing"):
                assert not Notification.objects.filter(dedupe_key=key).exists()
        finally:
            with schema_context("kunming"):
                Notification.objects.filter(dedupe_key=key).delete()
            connection.set_schema_to_public()
