"""`liaison search reindex|flush|status`."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from liaison.search.backends import use_backend
from liaison.search.backends.postgres import PostgresBackend
from liaison.search.store.models import PendingIndex, SearchDocument


def run(*args) -> str:
    out = io.StringIO()
    call_command("search", *args, stdout=out)
    return out.getvalue()


def test_reindex_one_prefecture_then_all(world):
    with use_backend(PostgresBackend()):
        SearchDocument.objects.all().delete()
        out = run("reindex", "--prefecture", "qujing")
        assert "2 documents indexed" in out
        assert set(SearchDocument.objects.values_list("schema_name", flat=True)) == {"qujing"}
        SearchDocument.objects.filter(doc_id__startswith="qujing:").update(title="stale")
        out = run("reindex")
        assert "8 documents indexed" in out
        assert not SearchDocument.objects.filter(title="stale").exists()
        assert not PendingIndex.objects.exists()  # what the reindex covered is no longer pending
        status = run("status")
        assert "backend: postgres" in status and "昆明市" in status


def test_reindex_of_an_unknown_prefecture_is_an_error(db):
    with pytest.raises(CommandError, match="no prefecture named atlantis"):
        run("reindex", "--prefecture", "atlantis")


def test_flush_sends_pending_changes(world, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()):
        SearchDocument.objects.all().delete()
        assert PendingIndex.objects.count() == 8  # the fixtures' saves, never committed in a test
        with django_capture_on_commit_callbacks(execute=True):
            out = run("flush")
        assert "8 pending change(s) sent" in out
        assert SearchDocument.objects.count() == 8 and not PendingIndex.objects.exists()
