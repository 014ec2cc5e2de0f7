"""Province figures equal the sums of the prefectures' and the counts in the tenant tables."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from liaison.platform.rollups import selectors
from liaison.platform.rollups.models import Fact, Snapshot
from liaison.tenants.stats import reference, services
from liaison.tenants.stats.catalogue import FIGURES, compute_figures

from . import builders

pytestmark = pytest.mark.django_db

SINCE = dt.date(2019, 1, 1)


@pytest.fixture
def two_prefectures(kunming, qujing):
    with schema_context("kunming"):
        k = builders.build("530100", variant=0)
    with schema_context("qujing"):
        q = builders.build("530300", variant=1)
    services.refresh()
    return k, q


def test_hand_counted_figures_of_one_prefecture(two_prefectures, kunming):
    figures = selectors.prefecture_statistics(kunming, SINCE).totals.figures
    assert figures["homes"] == 2
    assert figures["stations"] == 2  # the closed one does not count
    assert figures["offices"] == 2
    assert figures["positions_total"] == 6
    assert figures["professional_stations"] == 1
    assert figures["positions_in_operation"] == 5
    assert figures["positions_standard"] == 2
    assert figures["standard_rate"] == 0.4
    assert (figures["townships"], figures["townships_with_station"]) == (3, 1)
    assert (figures["villages_required"], figures["villages_with_office"]) == (2, 1)
    assert figures["two_musts_coverage"] == 0.4
    assert figures["deputies"] == 10  # 11 on the roll, one inactive
    assert figures["deputies_national"] == 1 and figures["deputies_provincial"] == 1
    assert figures["opinions"] == 5  # the one from 31 Dec 2018 (Beijing time) is before 2019
    assert figures["opinions_replied"] == 2 and figures["opinions_referred"] == 3
    assert figures["reply_rate"] == 0.4


def test_every_province_figure_matches_tenant_tables_and_sum_of_prefectures(two_prefectures, kunming, qujing):
    stats = selectors.province_statistics(SINCE)
    as_of = stats.as_of
    assert as_of is not None and not stats.totals.stale
    expected = compute_figures(reference.province_raw(["kunming", "qujing"], SINCE, as_of))
    assert stats.totals.figures == expected
    # every figure of every prefecture, from its own tables
    by_slug = {r.slug: r for r in stats.rows}
    for slug in ("kunming", "qujing"):
        assert by_slug[slug].figures == compute_figures(reference.prefecture_raw(slug, SINCE, as_of)), slug
    # counts are sums of the prefectures' figures
    for f in FIGURES:
        if f.kind == "count":
            assert stats.totals.figures[f.key] == sum(r.figures[f.key] or 0 for r in stats.rows), f.key
    # the two prefectures differ, so a mix-up would show
    assert by_slug["kunming"].figures != by_slug["qujing"].figures
    assert stats.totals.figures["stations"] == 2 + 3


def test_county_breakdown_matches_tenant_tables_and_adds_up(two_prefectures, qujing):
    stats = selectors.prefecture_statistics(qujing, SINCE)
    ref = reference.prefecture_raw_by_area("qujing", SINCE, stats.as_of)
    rows = {r.code: r for r in stats.rows}
    assert rows["530300"].name == "曲靖市本级"
    assert len(rows) == 1 + 9  # 本级 + nine counties
    for code, raw in ref.items():
        assert rows[code].figures == compute_figures(raw), code
    for f in FIGURES:
        if f.kind == "count":
            assert stats.totals.figures[f.key] == sum(r.figures[f.key] or 0 for r in stats.rows), f.key


def test_cumulative_since_other_date_and_monthly_trend(two_prefectures, kunming):
    stats = selectors.province_statistics(dt.date(2024, 4, 1))
    assert stats.totals.figures["opinions"] == 2 + 4  # kunming: Apr 2024, Jan 2025; qujing: the same and 2 in Feb 2025
    trend = {p.month: p.figures for p in stats.trend}
    assert trend[dt.date(2024, 4, 1)]["opinions"] == 2
    assert trend[dt.date(2025, 2, 1)]["opinions"] == 2
    assert trend[dt.date(2024, 5, 1)]["opinions"] == 0  # months without opinions are present, as zero
    everything = selectors.province_statistics(dt.date(2018, 1, 1)).totals.figures["opinions"]
    assert everything == 2 * 6 + 2


def test_province_reads_only_public_roll_up_tables(two_prefectures):
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as ctx:
        selectors.province_statistics(SINCE)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "rollups_fact" in tables
    for tenant_table in ("positions_position", "opinions_opinion", "deputies_deputy", "divisions_division"):
        assert tenant_table not in tables
    selects = [q for q in ctx.captured_queries if not q["sql"].startswith("SET ")]
    assert len(selects) == 3  # prefectures, cumulative facts, trend: whatever the number of prefectures


def test_refresh_replaces_a_prefectures_rows_and_records_as_of(two_prefectures, kunming):
    before = Snapshot.objects.get(prefecture=kunming)
    n = Fact.objects.filter(prefecture=kunming).count()
    services.refresh(["kunming"])
    after = Snapshot.objects.get(prefecture=kunming)
    assert after.as_of > before.as_of
    assert Fact.objects.filter(prefecture=kunming).count() == n
