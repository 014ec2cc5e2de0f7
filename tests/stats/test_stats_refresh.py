"""Keeping the roll-ups fresh: a changed opinion marks its prefecture stale, beat refreshes
stale prefectures, `liaison stats refresh` refreshes on demand — one prefecture at a time."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.platform.celery import app
from liaison.platform.rollups import selectors, services
from liaison.platform.rollups.models import Fact, Snapshot
from liaison.platform.rollups.tasks import refresh_stale
from liaison.tenants.opinions.models import Opinion
from liaison.tenants.common import changes
from liaison.tenants.positions.models import Position
from liaison.tenants.stats import compute

from . import builders

pytestmark = pytest.mark.django_db


def snap(slug: str) -> Snapshot:
    return Snapshot.objects.get(prefecture__schema_name=slug)


def test_a_changed_opinion_marks_only_its_prefecture_stale(stats_data, django_capture_on_commit_callbacks):
    assert not snap("kunming").stale and not snap("qujing").stale
    with schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        position = Position.objects.filter(tier="station").first()
        builders.opinion(position, timezone.now())
    assert snap("kunming").stale and snap("kunming").stale_since is not None
    assert not snap("qujing").stale
    assert selectors.province_statistics().totals.stale  # the page says a refresh is pending


def test_a_bulk_write_recorded_as_a_change_marks_stale_too(stats_data, django_capture_on_commit_callbacks):
    with schema_context("qujing"), django_capture_on_commit_callbacks(execute=True):
        ids = list(Opinion.objects.values_list("pk", flat=True)[:3])
        Opinion.objects.filter(pk__in=ids).update(title="批量改过")  # no post_save
        changes.record(changes.OPINION, ids)
    assert snap("qujing").stale and not snap("kunming").stale


@pytest.mark.parametrize("kind", ["position", "deputy", "event"])
def test_positions_deputies_and_events_mark_stale_too(stats_data, django_capture_on_commit_callbacks, kind):
    from liaison.tenants.activities.models import Event
    from liaison.tenants.deputies.models import Deputy

    with schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        row = {"position": Position, "deputy": Deputy, "event": Event}[kind].objects.first()
        row.save()
    assert snap("kunming").stale and not snap("qujing").stale


def test_a_rolled_back_change_marks_nothing_stale(stats_data, django_capture_on_commit_callbacks):
    from django.db import transaction

    with schema_context("kunming"), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            Position.objects.first().save()
            raise RuntimeError("rolled back")
    assert not snap("kunming").stale


def test_beat_task_refreshes_the_stale_prefectures_only(stats_data, django_capture_on_commit_callbacks):
    before = {s: snap(s).as_of for s in ("kunming", "qujing")}
    with schema_context("qujing"), django_capture_on_commit_callbacks(execute=True):
        builders.opinion(Position.objects.filter(tier="station").first(), timezone.now())
    opinions_before = selectors.province_statistics().totals.figures["opinions"]
    assert refresh_stale.apply().get() == 1
    assert snap("qujing").as_of > before["qujing"] and not snap("qujing").stale
    assert snap("kunming").as_of == before["kunming"]
    assert selectors.province_statistics().totals.figures["opinions"] == opinions_before + 1


def test_beat_schedule_and_tasks_are_registered():
    app.loader.import_default_modules()  # what a worker and beat do at start (task autodiscovery)
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["stats-refresh-stale"]["task"] == "stats.refresh_stale"
    assert schedule["stats-refresh-all-nightly"]["args"] == ["stats.refresh_prefecture"]
    assert {"stats.refresh_stale", "stats.refresh_prefecture"} <= set(app.tasks)


def test_command_refreshes_one_prefecture_on_demand(stats_data):
    before = {s: snap(s).as_of for s in ("kunming", "qujing")}
    out = io.StringIO()
    call_command("stats", "refresh", "--prefecture", "qujing", stdout=out)
    assert "qujing" in out.getvalue() and "kunming" not in out.getvalue()
    assert snap("qujing").as_of > before["qujing"] and snap("kunming").as_of == before["kunming"]
    with pytest.raises(CommandError, match="nowhere"):
        call_command("stats", "refresh", "--prefecture", "nowhere")
    out = io.StringIO()
    call_command("stats", "status", stdout=out)
    assert "kunming" in out.getvalue() and "as of" in out.getvalue()


def test_a_refresh_never_touches_another_prefectures_rows(stats_data, kunming, qujing):
    def rows():
        return sorted(Fact.objects.filter(prefecture=qujing).values_list("area", "month", "metric", "dimension", "value"),
                      key=repr)

    qujing_rows = rows()
    with schema_context("kunming"):
        facts = compute.compute()
    services.replace_prefecture_facts(kunming, facts)
    assert rows() == qujing_rows and qujing_rows


def test_a_change_during_computation_keeps_the_prefecture_stale(stats_data, kunming):
    with schema_context("kunming"):
        facts = compute.compute(as_of=timezone.now() - dt.timedelta(seconds=30))
    services.mark_stale("kunming")  # an opinion changed after the snapshot was taken
    services.replace_prefecture_facts(kunming, facts)
    assert snap("kunming").stale


def test_verify_command_agrees_with_the_domain_selectors(stats_data):
    out = io.StringIO()
    call_command("stats", "verify", stdout=out)
    assert "kunming        ok" in out.getvalue() and "qujing         ok" in out.getvalue()
    assert "province totals are the sums of the prefectures" in out.getvalue()
