"""Seeded county codes are the real GB/T 2260 codes (tenants/registry/data), never codes
made up from list positions; prefectures seeded with made-up codes are fixed by a data
migration that matches counties by name."""
from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django_tenants.utils import schema_context

from liaison.tenants.divisions.models import Division
from liaison.tenants.registry import yunnan

DATA = Path(yunnan.__file__).resolve().parent / "data" / "yunnan_counties.csv"


def csv_codes() -> dict[tuple[str, str], str]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return {(r["prefecture_code"], r["county"]): r["county_code"] for r in csv.DictReader(f)}


def test_every_seeded_county_code_equals_the_registry_data():
    expected = csv_codes()
    seeded = {(p.code, name): p.county_code(i) for p in yunnan.prefectures() for i, name in enumerate(p.counties)}
    assert len(seeded) == 129 and seeded == expected
    assert len(set(seeded.values())) == 129
    kunming = yunnan.by_slug("kunming")
    assert kunming.county(0).name == "五华区" and kunming.county_code(0) == "530102"
    assert kunming.county(0).longitude is not None and 102 < kunming.county(0).longitude < 103  # the county seat


@pytest.mark.django_db
def test_provisioned_prefectures_carry_the_real_codes(kunming, qujing):
    expected = csv_codes()
    for slug, code in (("kunming", "530100"), ("qujing", "530300")):
        with schema_context(slug):
            rows = dict(Division.objects.filter(level="county").values_list("name", "code"))
        assert rows == {name: c for (p, name), c in expected.items() if p == code}
    with schema_context("kunming"):
        assert Division.objects.get(code="530102").name == "五华区"


@pytest.mark.django_db
def test_the_data_migration_fixes_made_up_codes_by_county_name(kunming):
    """Counties seeded by list position (五华区 530101, 盘龙区 530102, …) with a township
    and village below: they get the real codes, children keep their suffix, paths follow."""
    migration = importlib.import_module("liaison.tenants.divisions.migrations.0002_real_county_codes")
    with schema_context("kunming"):
        root = Division.objects.get(level="prefecture")
        counties = list(Division.objects.filter(level="county").order_by("pk"))
        # Put the made-up codes back (two steps: the real codes overlap the made-up ones).
        for c in counties:
            Division.objects.filter(pk=c.pk).update(code=f"tmp{c.pk}")
        made_up = {}
        for i, name in enumerate(yunnan.by_slug("kunming").counties):
            c = next(c for c in counties if c.name == name)
            made_up[name] = f"5301{i + 1:02d}"
            Division.objects.filter(pk=c.pk).update(code=made_up[name], path=f"{root.path}/{made_up[name]}")
        wuhua = Division.objects.get(name="五华区")
        assert wuhua.code == "530101"
        town = Division.objects.create(code="530101901", name="测试街道", level="township", parent=wuhua)
        village = Division.objects.create(code="530101901001", name="测试社区", level="village", parent=town)
        handmade = Division.objects.create(code="530100999", name="手工新增县", level="county", parent=root)

        migration.forwards(django_apps, None)

        assert dict(Division.objects.filter(level="county").exclude(pk=handmade.pk).values_list("name", "code")) == {
            name: c for (p, name), c in csv_codes().items() if p == "530100"}
        town.refresh_from_db(), village.refresh_from_db(), handmade.refresh_from_db()
        assert (town.code, town.path) == ("530102901", "530100/530102/530102901")
        assert (village.code, village.path) == ("530102901001", "530100/530102/530102901/530102901001")
        assert handmade.code == "530100999"
