"""Indexing follows the opinions: after commit, in bulk, by a Celery task carrying the
schema; failures never lose or block an opinion, and are retried later."""
from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.search.backends import use_backend
from liaison.search.backends.postgres import PostgresBackend
from liaison.search.service import search_opinions
from liaison.search.store.models import PendingIndex, SearchDocument
from liaison.search.tasks import flush_pending
from liaison.tenants.common import changes
from liaison.tenants.opinions.models import Opinion

from .conftest import make_opinion, make_place

pytestmark = pytest.mark.django_db


class BrokenBackend(PostgresBackend):
    def index(self, docs):
        raise ConnectionError("search cluster unreachable")

    def delete(self, doc_ids):
        raise ConnectionError("search cluster unreachable")


@pytest.fixture
def place(kunming):
    with schema_context("kunming"):
        return make_place("长水", "530102")


def find(principal, query, schema="kunming"):
    return [h.doc_id for h in search_opinions(principal, query, host_schema=schema).hits]


def test_saved_opinion_is_searchable_after_commit(place, kunming_admin, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()):
        with schema_context("kunming"), django_capture_on_commit_callbacks(execute=True) as callbacks:
            opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大")
            assert find(kunming_admin, "噪音") == []  # not before commit
        assert len(callbacks) >= 1
        assert find(kunming_admin, "噪音") == [f"kunming:{opinion.pk}"]
        assert not PendingIndex.objects.exists()


def test_many_changes_in_one_transaction_are_indexed_in_one_bulk_task(place, django_capture_on_commit_callbacks, monkeypatch):
    from liaison.search import tasks

    calls = []
    original = tasks.index_opinions.delay
    monkeypatch.setattr(tasks.index_opinions, "delay", lambda ids: calls.append(list(ids)) or original(ids))
    with use_backend(PostgresBackend()), schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        made = [make_opinion(place, f"第{i}件意见", "内容") for i in range(5)]
        made[0].status = "triaged"
        made[0].save()
    assert calls == [sorted(o.pk for o in made)]
    assert SearchDocument.objects.filter(schema_name="kunming").count() == 5


def test_rolled_back_opinion_is_never_indexed(place, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()), schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_opinion(place, "回滚的意见", "内容")
            raise RuntimeError("rolled back")
    assert not SearchDocument.objects.exists()
    assert not PendingIndex.objects.exists()  # the pending row rolled back with it


def test_state_changes_and_deletes_propagate(place, kunming_admin, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()), schema_context("kunming"):
        with django_capture_on_commit_callbacks(execute=True):
            opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大", category="other")
        with django_capture_on_commit_callbacks(execute=True):
            Opinion.objects.filter(pk=opinion.pk).update(status="triaged", title="夜间施工噪音")
            opinion.refresh_from_db()
            opinion.save()  # a save after a bulk update
        hits = search_opinions(kunming_admin, "施工噪音", host_schema="kunming").hits
        assert [h.status for h in hits] == ["triaged"]
        assert search_opinions(kunming_admin, "菜市场", host_schema="kunming").total == 0
        with django_capture_on_commit_callbacks(execute=True):
            opinion.delete()
        assert search_opinions(kunming_admin, "噪音", host_schema="kunming").total == 0


def test_a_bulk_write_recorded_as_a_change_is_indexed(place, kunming_admin, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()), schema_context("kunming"):
        with django_capture_on_commit_callbacks(execute=True):
            opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大")
        with django_capture_on_commit_callbacks(execute=True):
            Opinion.objects.filter(pk=opinion.pk).update(title="广场舞噪音")  # no post_save
            changes.record(changes.OPINION, [opinion.pk])
    assert find(kunming_admin, "广场舞") == [f"kunming:{opinion.pk}"]


def test_one_change_is_one_index_task_and_one_pending_write(place, django_capture_on_commit_callbacks, monkeypatch):
    """A save (post_save) and the service's own record of the same opinion are one change."""
    from liaison.search import indexing, tasks

    calls, writes = [], []
    original_delay, original_mark = tasks.index_opinions.delay, indexing.mark_pending
    monkeypatch.setattr(tasks.index_opinions, "delay", lambda ids: calls.append(list(ids)) or original_delay(ids))
    monkeypatch.setattr(indexing, "mark_pending", lambda *a, **k: writes.append(a) or original_mark(*a, **k))
    with use_backend(PostgresBackend()), schema_context("kunming"):
        with django_capture_on_commit_callbacks(execute=True):
            opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大")
        calls.clear(), writes.clear()
        with django_capture_on_commit_callbacks(execute=True):
            opinion.status = "triaged"
            opinion.save()
            changes.record(changes.OPINION, [opinion.pk])
    assert calls == [[opinion.pk]] and len(writes) == 1


def test_rolled_back_work_is_not_sent_with_the_next_commit(place, django_capture_on_commit_callbacks, monkeypatch):
    from liaison.search import tasks

    calls = []
    monkeypatch.setattr(tasks.index_opinions, "delay", lambda ids: calls.append(list(ids)))
    with use_backend(PostgresBackend()), schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = make_opinion(place, "回滚的意见", "内容")
            raise RuntimeError("rolled back")
        kept = make_opinion(place, "保存的意见", "内容")
    assert calls == [[kept.pk]] and lost.pk not in calls[0]
    assert list(PendingIndex.objects.values_list("opinion_id", flat=True)) == [kept.pk]


def test_index_failure_never_blocks_the_opinion_and_is_retried(place, kunming_admin, django_capture_on_commit_callbacks):
    with use_backend(BrokenBackend()), schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大")
    with schema_context("kunming"):
        assert Opinion.objects.filter(pk=opinion.pk).exists()  # saved regardless
    pending = PendingIndex.objects.get()
    assert (pending.schema_name, pending.opinion_id) == ("kunming", opinion.pk)
    assert pending.attempts == 1 and "unreachable" in pending.last_error
    with use_backend(PostgresBackend()):
        assert find(kunming_admin, "噪音") == []
        with django_capture_on_commit_callbacks(execute=True):
            assert flush_pending(older_than_seconds=0) == 1  # what beat runs every few minutes
        assert find(kunming_admin, "噪音") == [f"kunming:{opinion.pk}"]
    assert not PendingIndex.objects.exists()


def test_broker_down_is_logged_and_left_pending(place, django_capture_on_commit_callbacks, monkeypatch, caplog):
    from liaison.search import tasks

    def down(ids):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks.index_opinions, "delay", down)
    with use_backend(PostgresBackend()), schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大")
    assert PendingIndex.objects.filter(opinion_id=opinion.pk).exists()
    assert "could not queue indexing" in caplog.text


def test_document_ids_carry_the_schema(kunming, qujing, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()):
        with schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
            a = make_opinion(make_place("长水", "530102"), "昆明的意见", "内容")
        with schema_context("qujing"), django_capture_on_commit_callbacks(execute=True):
            b = make_opinion(make_place("麒麟", "530302"), "曲靖的意见", "内容")
    docs = dict(SearchDocument.objects.values_list("doc_id", "title"))
    assert docs == {f"kunming:{a.pk}": "昆明的意见", f"qujing:{b.pk}": "曲靖的意见"}


def test_renaming_a_position_updates_its_opinions(place, kunming_admin, django_capture_on_commit_callbacks):
    with use_backend(PostgresBackend()), schema_context("kunming"):
        with django_capture_on_commit_callbacks(execute=True):
            opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大", at="office")
        with django_capture_on_commit_callbacks(execute=True):
            place["office"].name = "彩云社区代表联络室"
            place["office"].save()
        assert find(kunming_admin, "彩云社区") == [f"kunming:{opinion.pk}"]


def test_reply_text_is_indexed(place, kunming_admin, django_capture_on_commit_callbacks):
    from django.apps import apps

    Reply = apps.get_model("opinions", "Reply")
    with use_backend(PostgresBackend()), schema_context("kunming"):
        opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大", status="replied")
        with django_capture_on_commit_callbacks(execute=True):
            Reply.objects.create(opinion=opinion, content="已责成市场管理方调整卸货时间至早上七点以后", outcome="A",
                                 replied_at=timezone.now())
            opinion.save()  # the services record the opinion as changed when a reply is recorded
    hits = search_opinions(kunming_admin, "卸货时间", host_schema="kunming").hits
    assert [h.doc_id for h in hits] == [f"kunming:{opinion.pk}"]
    assert "<em>卸货时间</em>" in hits[0].snippet


def test_deleting_a_prefecture_removes_its_documents(kunming, qujing, django_capture_on_commit_callbacks):
    from liaison.tenants.registry.models import Prefecture
    from liaison.tenants.registry.provisioning import prefecture_deleted

    with use_backend(PostgresBackend()):
        for slug, code in (("kunming", "530102"), ("qujing", "530302")):
            with schema_context(slug), django_capture_on_commit_callbacks(execute=True):
                make_opinion(make_place("某", code), "意见", "内容")
        prefecture_deleted.send(sender=Prefecture, prefecture=qujing, schema_name="qujing")
    assert set(SearchDocument.objects.values_list("schema_name", flat=True)) == {"kunming"}


def test_a_position_renamed_by_a_ledger_import_is_renamed_in_search(place, kunming_admin, django_capture_on_commit_callbacks,
                                                                    tmp_path):
    """The importer writes with bulk_update (no post_save): it records the change itself."""
    import csv

    from liaison.tenants.ledger.importing import run_import

    path = tmp_path / "阵地.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["阵地编码", "阵地名称", "类型", "所在区划代码"],
                                   [place["office"].code, "彩云社区代表联络室", "室", place["village"].code]])
    with use_backend(PostgresBackend()), schema_context("kunming"):
        with django_capture_on_commit_callbacks(execute=True):
            opinion = make_opinion(place, "菜市场噪音扰民", "凌晨卸货噪音大", at="office")
        with django_capture_on_commit_callbacks(execute=True):
            report = run_import(path, kind="positions", dry_run=False)
        assert report.ok and report.applied, report
        assert find(kunming_admin, "彩云社区") == [f"kunming:{opinion.pk}"]
