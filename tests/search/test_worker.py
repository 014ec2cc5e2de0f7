"""Indexing through a real Redis broker and worker: the opinion's change is indexed in
bulk by `liaison.search.index_opinions` running in the opinion's schema
(tenant-schemas-celery carries it), with a document id that names that schema.

Runs when LIAISON_TEST_REDIS_URL points at a Redis server (as the foundation's broker
test); the default pass runs Celery eagerly (tests/search/test_indexing.py).
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


def test_an_opinion_saved_in_qujing_is_indexed_by_a_worker_in_qujing(real_worker, django_db_blocker):
    from liaison.search.backends import use_backend
    from liaison.search.backends.postgres import PostgresBackend
    from liaison.search.store.models import PendingIndex, SearchDocument
    from liaison.tenants.opinions.models import Opinion

    from .conftest import make_opinion, make_place

    made = {}
    with django_db_blocker.unblock(), use_backend(PostgresBackend()):
        try:
            with schema_context("qujing"):
                with transaction.atomic():
                    made = make_place("工人测试", "530303")
                    opinions = [make_opinion(made, f"工人测试意见{i}", "经由 Redis 建立索引") for i in range(3)]
            expected = {f"qujing:{o.pk}" for o in opinions}

            def indexed() -> bool:
                return set(SearchDocument.objects.filter(doc_id__in=expected).values_list("doc_id", flat=True)) == expected

            assert wait_for(indexed), "the worker did not index the opinions with qujing's schema in their ids"
            assert not PendingIndex.objects.filter(schema_name="qujing", opinion_id__in=[o.pk for o in opinions]).exists()
        finally:
            with schema_context("qujing"):
                Opinion.objects.filter(title__startswith="工人测试意见").delete()
                for key in ("office", "station", "village", "town"):
                    if key in made:
                        made[key].delete()
            SearchDocument.objects.filter(title__startswith="工人测试意见").delete()
            PendingIndex.objects.filter(schema_name="qujing").delete()
            connection.set_schema_to_public()
