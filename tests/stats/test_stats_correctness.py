"""Province figures equal the sums of the prefectures' and the counts in the tenant tables
(through each domain app's own selectors, the oracle in liaison.tenants.stats.reference)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from liaison.platform.rollups import selectors
from liaison.platform.rollups.models import Fact, Snapshot
from liaison.tenants.stats import reference, services
from liaison.tenants.stats.catalogue import FIGURES, compute_figures


pytestmark = pytest.mark.django_db

SINCE = dt.date(2019, 1, 1)
ALL_TIME = dt.date(2000, 1, 1)
COUNTY_FIGURES = [f.key for f in FIGURES if f.key.startswith(("positions", "homes", "stations", "offices", "online", "professional",
                                                               "special", "standard", "township", "villages", "two_musts",
                                                               "activities", "deputy_visits", "people_received", "duty"))]


@pytest.fixture
def two_prefectures(stats_data, kunming, qujing):
    return None


def test_hand_counted_figures_of_one_prefecture(two_prefectures, kunming):
    f = selectors.prefecture_statistics(kunming, SINCE).totals.figures
    assert (f["homes"], f["stations"], f["offices"], f["positions_total"]) == (2, 2, 2, 6)  # the closed station does not count
    assert f["professional_stations"] == 1
    assert (f["positions_in_operation"], f["positions_standard"], f["standard_rate"]) == (5, 2, 0.4)
    assert (f["townships"], f["townships_with_station"]) == (3, 1)
    assert (f["villages_required"], f["villages_with_office"]) == (2, 1)
    assert f["two_musts_coverage"] == 0.4
    assert f["deputies"] == 10  # 11 on the roll, one inactive
    assert (f["deputies_national"], f["deputies_provincial"]) == (1, 1)
    assert f["deputies_stationed"] == 4  # three at station_t1 (one also at an office), the provincial one; an ended stationing does not count
    assert f["stationed_share"] == 0.4
    assert f["activities"] == 4  # the cancelled one is not held
    assert f["deputy_visits"] == 2 + 3 + 1 + 1
    assert f["people_received"] == 12 + 7
    assert f["duty_attendance"] == round(4 / 5, 4)  # 3+2 scheduled on reception days, 2+2 of them signed in
    assert f["opinions"] == 5  # 31 Dec 2018 23:00 Beijing time is before 2019; the copy from elsewhere is not counted
    assert (f["opinions_referred"], f["opinions_replied"], f["opinions_resolved"]) == (2, 2, 1)
    assert f["opinions_overdue"] == 1
    assert f["on_time_rate"] == round(1 / 3, 4)  # replied: late (first) and on time (no deadline); overdue unreplied: late
    assert f["citizen_satisfaction"] == 1.0  # the latest citizen rating of the re-handled one is satisfied
    assert f["deputy_satisfaction"] == 1.0
    assert f["opinions_to_suggestions"] == 1


def test_every_province_figure_matches_tenant_tables_and_sum_of_prefectures(two_prefectures):
    stats = selectors.province_statistics(ALL_TIME)
    assert stats.as_of is not None and not stats.totals.stale
    assert stats.totals.figures == compute_figures(reference.province_raw(["kunming", "qujing"]))
    by_slug = {r.slug: r for r in stats.rows}
    for slug in ("kunming", "qujing"):
        assert by_slug[slug].figures == compute_figures(reference.prefecture_raw(slug)), slug
    for f in FIGURES:
        if f.kind == "count":
            assert stats.totals.figures[f.key] == sum(r.figures[f.key] or 0 for r in stats.rows), f.key
    assert by_slug["kunming"].figures != by_slug["qujing"].figures  # so a mix-up would show
    assert stats.totals.figures["stations"] == 2 + 3


def test_county_breakdown_matches_tenant_tables_and_adds_up(two_prefectures, qujing):
    stats = selectors.prefecture_statistics(qujing, ALL_TIME)
    rows = {r.code: r for r in stats.rows}
    assert rows["530300"].name == "曲靖市本级"
    assert len(rows) == 1 + 9  # 本级 + nine counties
    for code in ("530302", "530303", "530304"):
        expected = compute_figures(reference.county_raw("qujing", code))
        assert {k: rows[code].figures[k] for k in COUNTY_FIGURES} == {k: expected[k] for k in COUNTY_FIGURES}, code
    for f in FIGURES:
        if f.kind == "count":
            assert stats.totals.figures[f.key] == sum(r.figures[f.key] or 0 for r in stats.rows), f.key
    assert rows["530302"].figures["opinions"] == 5 and rows["530303"].figures["opinions"] == 2


def test_cumulative_since_a_date_and_monthly_trend(two_prefectures):
    assert selectors.province_statistics(dt.date(2024, 4, 1)).totals.figures["opinions"] == 2 + 4
    stats = selectors.province_statistics(SINCE)
    assert stats.totals.figures["opinions"] == 5 + 7
    trend = {p.month: p.figures for p in stats.trend}
    assert trend[dt.date(2024, 3, 1)]["opinions"] == 4
    assert trend[dt.date(2025, 2, 1)]["opinions"] == 2
    assert trend[dt.date(2024, 5, 1)]["opinions"] == 0  # months without opinions are present, as zero
    assert trend[dt.date(2024, 3, 1)]["people_received"] == 7 + 8
    assert min(trend) == SINCE


def test_province_reads_only_public_roll_up_tables(two_prefectures):
    connection.set_schema_to_public()
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        first = selectors.province_statistics(SINCE)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "rollups_summary" in sql and "rollups_fact" not in sql  # rows materialised at refresh, no aggregation
    for tenant_table in ("positions_position", "opinions_opinion", "deputies_deputy", "divisions_division", "activities_event"):
        assert tenant_table not in sql
    selects = [q for q in ctx.captured_queries if not q["sql"].startswith("SET ")]
    assert len(selects) == 2  # prefectures, then their rows, the province's and the trend: whatever the number of prefectures
    # Served again from the cache: one query (the snapshots, which are the cache key).
    with CaptureQueriesContext(connection) as ctx:
        again = selectors.province_statistics(SINCE)
    assert len([q for q in ctx.captured_queries if not q["sql"].startswith("SET ")]) == 1
    assert again.totals.figures == first.totals.figures


def test_cached_figures_follow_a_refresh(two_prefectures, kunming):
    before = selectors.province_statistics(SINCE).totals.figures["opinions"]
    with schema_context("kunming"):
        from liaison.tenants.positions.models import Position

        from . import builders

        builders.opinion(Position.objects.filter(tier="station").first(), builders.at(2024, 6, 1))
    assert selectors.province_statistics(SINCE).totals.figures["opinions"] == before  # not refreshed yet: the roll-up's figure
    services.refresh(["kunming"])
    assert selectors.province_statistics(SINCE).totals.figures["opinions"] == before + 1


def test_refresh_replaces_a_prefectures_rows_and_records_as_of(two_prefectures, kunming):
    before = Snapshot.objects.get(prefecture=kunming)
    n = Fact.objects.filter(prefecture=kunming).count()
    services.refresh(["kunming"])
    after = Snapshot.objects.get(prefecture=kunming)
    assert after.as_of > before.as_of
    assert Fact.objects.filter(prefecture=kunming).count() == n


def test_materialised_province_rows_equal_aggregating_the_facts(two_prefectures):
    from unittest import mock

    from liaison.platform.rollups import summary
    from liaison.tenants.registry.models import Prefecture

    prefectures = list(Prefecture.objects.order_by("code").select_related("stats_snapshot"))
    for since in (ALL_TIME, SINCE, dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2025, 2, 1), dt.date(2099, 1, 1)):
        assert summary.read_province(since, [(p.pk, p.stats_snapshot.as_of) for p in prefectures]) is not None
        read = selectors._province_statistics(since, prefectures)
        with mock.patch.object(summary, "read_province", return_value=None):
            aggregated = selectors._province_statistics(since, prefectures)
        assert read.totals.figures == aggregated.totals.figures, since
        assert [(r.slug, r.figures) for r in read.rows] == [(r.slug, r.figures) for r in aggregated.rows], since
        assert [(t.month, t.figures) for t in read.trend] == [(t.month, t.figures) for t in aggregated.trend], since


def test_a_prefecture_refreshed_without_the_province_rebuild_is_still_counted(two_prefectures, kunming):
    before = selectors.province_statistics(SINCE).totals.figures["opinions"]
    with schema_context("kunming"):
        from liaison.tenants.positions.models import Position

        from . import builders

        builders.opinion(Position.objects.filter(tier="station").first(), builders.at(2024, 6, 1))
    services.refresh_prefecture(kunming, province=False)  # the province rows no longer match the as-of times
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.province_statistics(SINCE).totals.figures["opinions"] == before + 1
    assert "rollups_fact" in " ".join(q["sql"] for q in ctx.captured_queries)  # aggregated instead
    services.refresh(["qujing"])  # a batch refresh rebuilds the province rows at its end
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.province_statistics(SINCE).totals.figures["opinions"] == before + 1
    assert "rollups_fact" not in " ".join(q["sql"] for q in ctx.captured_queries)
