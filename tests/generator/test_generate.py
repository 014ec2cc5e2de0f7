"""`liaison generate`: same seed → same data, Yunnan's proportions, refusal over
existing data, and nothing written outside the prefectures asked for."""
from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from liaison.tenants.generator.api import GeneratorRefused, generate, read_marker
from liaison.tenants.generator.shape import HOMES, OFFICES, STATIONS, province_targets, summary

from .conftest import counts, dump

pytestmark = pytest.mark.django_db

SCALE = 0.004


def run(as_of, **kw):
    kw.setdefault("scale", SCALE)
    kw.setdefault("seed", 7)
    kw.setdefault("prefectures", ["kunming"])
    return generate(as_of=as_of, derive=False, echo=lambda s: None, **kw)


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(kunming, as_of):
    run(as_of)
    first = dump("kunming")
    assert first["opinions_opinion"], "nothing generated"
    run(as_of, replace=True)
    assert dump("kunming") == first
    run(as_of, seed=8, replace=True)
    other = dump("kunming")
    assert other["opinions_opinion"] != first["opinions_opinion"]


def test_a_prefecture_generated_alone_matches_its_part_of_a_larger_run(kunming, qujing, as_of):
    run(as_of, prefectures=["kunming", "qujing"])
    both = dump("kunming")
    run(as_of, prefectures=["kunming"], replace=True)
    assert dump("kunming") == both


def test_full_scale_targets_are_yunnans_published_figures():
    totals = summary(province_targets(1.0, 2019))
    assert (totals["homes"], totals["stations"], totals["offices"]) == (142, 1547, 12867)
    assert totals["positions"] == 14556
    assert totals["opinions"] == 590500 and totals["people_received"] == 1387200 and totals["deputy_visits"] == 820600
    assert 95_000 <= totals["deputies"] <= 105_000


@pytest.mark.parametrize("scale", [0.01, 0.1, 0.5])
def test_tier_ratio_holds_when_scaled_down(scale):
    totals = summary(province_targets(scale, 2019))
    for key, full in (("homes", HOMES), ("stations", STATIONS), ("offices", OFFICES)):
        assert abs(totals[key] - full * scale) <= 1, key


@pytest.mark.parametrize("scale", [0.001, 0.004, 0.01, 0.1])
def test_small_scales_keep_every_tree_whole(scale):
    """Each prefecture gets a township; nothing that sits in a township or village lands
    in a county without one; every prefecture has somewhere to receive opinions."""
    for slug, t in province_targets(scale, 2019).items():
        assert t.total("townships") >= 1, slug
        for code, c in t.counties.items():
            if not c.townships:
                assert c.villages == c.stations == c.offices == 0, (slug, code)
        if scale >= 0.004:
            assert t.total("offices") + t.total("stations") + t.total("homes") + t.prefecture_homes > 0, slug


def test_every_county_gets_its_share_at_full_scale():
    targets = province_targets(1.0, 2019)
    assert len(targets) == 16
    counties = [c for t in targets.values() for c in t.counties.values()]
    assert len(counties) == 129
    assert all(c.homes == 1 and c.stations > 0 and c.offices > 0 for c in counties)
    # each prefecture's share follows its number of counties (counties vary in size)
    from liaison.tenants.registry import yunnan

    for pref in yunnan.prefectures():
        county_share = len(pref.counties) / 129
        assert 0.6 < targets[pref.slug].opinions / 590_500 / county_share < 1.6, pref.slug


def test_generated_prefecture_has_the_targeted_tiers_and_a_realistic_state_mix(kunming, as_of):
    from liaison.tenants.opinions.models import Opinion
    from liaison.tenants.positions.models import Position

    run(as_of, scale=0.02)
    t = province_targets(0.02, 7)["kunming"]
    with schema_context("kunming"):
        tiers = Counter(Position.objects.values_list("tier", flat=True))
        assert tiers["home"] == t.prefecture_homes + t.total("homes")
        assert tiers["station"] == t.total("stations")
        assert tiers["office"] == t.total("offices")
        assert Opinion.objects.count() == t.opinions
        status = Counter(Opinion.objects.values_list("status", flat=True))
        done = (status["replied"] + status["closed"]) / t.opinions
        assert 0.75 < done < 0.98, status
        assert status["referred"] > 0
        # Chinese titles vary: many distinct titles, several topics
        titles = set(Opinion.objects.values_list("title", flat=True))
        assert len(titles) > t.opinions * 0.3
        assert Opinion.objects.filter(content__contains="路灯").exists() or Opinion.objects.filter(content__contains="饮水").exists()
        # every opinion sits at a position of this prefecture and a division under it
        assert not Opinion.objects.exclude(division__path__startswith="530100").exists()


def test_same_parameters_again_change_nothing(kunming, as_of):
    run(as_of)
    before = dump("kunming")
    report = run(as_of)
    assert [p.status for p in report.prefectures] == ["unchanged"]
    assert dump("kunming") == before


def test_other_parameters_over_generated_data_are_refused_and_nothing_changes(kunming, as_of):
    run(as_of)
    before = dump("kunming")
    with pytest.raises(GeneratorRefused) as exc:
        run(as_of, seed=99)
    assert "--replace" in str(exc.value) and "kunming" in str(exc.value)
    assert dump("kunming") == before
    assert read_marker("kunming")["seed"] == 7


def test_data_not_made_by_the_generator_is_refused(in_kunming, as_of):
    from liaison.tenants.divisions.models import Division
    from liaison.tenants.positions.models import Position

    Position.objects.create(code="X1", name="手工录入的站", tier="station", division=Division.objects.get(code="530100"))
    with pytest.raises(GeneratorRefused) as exc:
        run(as_of)
    assert "positions_position" in str(exc.value)
    with schema_context("kunming"):
        assert list(Position.objects.values_list("code", flat=True)) == ["X1"]


def test_generating_kunming_writes_nothing_to_qujing(kunming, qujing, as_of):
    before = dump("qujing")
    run(as_of, prefectures=["kunming"])
    assert counts("kunming")["opinions_opinion"] > 0
    assert dump("qujing") == before
    assert read_marker("qujing") is None


def test_command_reports_rows_per_second_and_refuses_clearly(kunming, as_of, capsys):
    call_command("generate", "--scale", str(SCALE), "--seed", "3", "--prefecture", "kunming", "--no-derive", "--as-of", as_of.isoformat())
    out = capsys.readouterr().out
    assert "rows/s" in out and "kunming" in out
    with pytest.raises(CommandError) as exc:
        call_command("generate", "--scale", str(SCALE), "--seed", "4", "--prefecture", "kunming", "--no-derive", "--as-of", as_of.isoformat())
    assert "--replace" in str(exc.value)


def test_unknown_prefecture_is_refused(db, as_of):
    with pytest.raises(GeneratorRefused) as exc:
        run(as_of, prefectures=["atlantis"])
    assert "atlantis" in str(exc.value)


def test_the_opinion_loop_is_consistent_and_the_activity_totals_are_exact(kunming, as_of):
    """What the services would have written: every closed opinion has a delivered
    reply, deadlines follow referrals, overdue ones are still awaiting a reply, and
    sign-ins / people received add up to the scaled published figures."""
    from django.db.models import Sum

    from liaison.tenants.generator.bulk import get_model
    from liaison.tenants.opinions.models import Opinion

    run(as_of, scale=0.02)
    t = province_targets(0.02, 7)["kunming"]
    Reply, Referral, Transition = get_model("opinions.Reply"), get_model("opinions.Referral"), get_model("opinions.Transition")
    SignIn, Reception = get_model("activities.SignIn"), get_model("activities.Reception")
    with schema_context("kunming"):
        closed = Opinion.objects.filter(status="closed")
        assert closed.exists()
        if Reply is not None:
            delivered = Reply.objects.filter(opinion__in=closed).exclude(delivered_to_citizen_at=None, delivered_to_deputy_at=None)
            assert delivered.values("opinion").distinct().count() == closed.count()
            assert not Opinion.objects.filter(status__in=["replied", "closed"], replied_at=None).exists()
        if Referral is not None:
            assert not Referral.objects.filter(due_on__lt=models_date("referred_at")).exists()
            overdue = Opinion.objects.filter(status__in=["referred", "escalated", "reopened"], due_on__lt=as_of)
            assert all(o.replied_at is None or o.round > 1 for o in overdue)
            assert Opinion.objects.filter(round__gt=1).exists(), "nothing re-handled"
        if Transition is not None:
            assert Transition.objects.filter(action="register").count() == t.opinions
            assert Transition.objects.filter(action="close").count() == closed.count()
        if SignIn is not None:
            assert SignIn.objects.count() == t.deputy_visits
        if Reception is not None:
            assert Reception.objects.aggregate(n=Sum("people_received"))["n"] == t.people_received


def models_date(field: str):
    from django.db.models import DateField
    from django.db.models.functions import Cast, TruncDate

    return Cast(TruncDate(field, tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Shanghai")), DateField())


def test_demo_content_fills_the_demo_divisions(kunming, monkeypatch):
    monkeypatch.setattr("liaison.tenants.generator.api.refresh_derived", lambda slugs, echo: [])
    import random

    from liaison.tenants.generator.api import generate_demo_content
    from liaison.tenants.opinions.models import Opinion
    from liaison.tenants.positions.models import Position
    from liaison.tenants.registry.demo import seed_divisions

    with schema_context("kunming"):
        seed_divisions(random.Random(1), townships_per_county=(1, 2), villages_per_township=(2, 3))
    lines = []
    generate_demo_content([kunming], seed=1, echo=lines.append)
    with schema_context("kunming"):
        assert Position.objects.filter(tier="station").exists() and Position.objects.filter(tier="office").exists()
        assert Opinion.objects.exists()
    before = counts("kunming")
    generate_demo_content([kunming], seed=1, echo=lines.append)  # again: kept as it is
    assert counts("kunming") == before
    assert any("already present" in line for line in lines)


def test_large_loads_rebuild_every_index_they_drop_and_give_the_same_rows(kunming, as_of, monkeypatch):
    from django.db import connection

    from liaison.tenants.generator.bulk import Loader

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'kunming' ORDER BY 1")
            return cursor.fetchall()

    before = indexes()
    run(as_of)
    plain = dump("kunming")
    monkeypatch.setattr(Loader, "defer_indexes_above", 10)  # every table above 10 rows: drop, COPY, rebuild
    run(as_of, replace=True)
    assert indexes() == before
    assert dump("kunming") == plain


def test_a_model_the_generator_cannot_find_fails_loudly(monkeypatch):
    """No silent gaps: a renamed model or a table missing from the schema is an error."""
    from liaison.tenants.generator import bulk

    with pytest.raises(LookupError):
        bulk.get_model("opinions.NoSuchModel")
    monkeypatch.setattr(bulk, "TABLES", {"opinions_opinion"})
    with pytest.raises(LookupError, match="migrate_schemas"):
        bulk.get_model("opinions.Reply")
    assert bulk.get_model("opinions.Opinion").__name__ == "Opinion"
