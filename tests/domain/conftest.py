"""Fixtures for the domain core: a small division tree and helpers inside kunming."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from liaison.tenants.divisions.models import Division


def make_tree() -> SimpleNamespace:
    """prefecture → two counties; county A has townships t1, t2; t1 has villages v1, v2; county B has t3 with v3."""
    root = Division.objects.get(level="prefecture")
    county_a, county_b = list(Division.objects.filter(level="county").order_by("code")[:2])
    t1 = Division.objects.create(code=f"{county_a.code}001", name="甲镇", level="township", parent=county_a)
    t2 = Division.objects.create(code=f"{county_a.code}002", name="乙街道", level="township", parent=county_a)
    t3 = Division.objects.create(code=f"{county_b.code}001", name="丙乡", level="township", parent=county_b)
    v1 = Division.objects.create(code=f"{t1.code}001", name="一村", level="village", parent=t1)
    v2 = Division.objects.create(code=f"{t1.code}002", name="二社区", level="village", parent=t1, is_community=True)
    v3 = Division.objects.create(code=f"{t3.code}001", name="三村", level="village", parent=t3)
    return SimpleNamespace(root=root, county_a=county_a, county_b=county_b, t1=t1, t2=t2, t3=t3, v1=v1, v2=v2, v3=v3)


@pytest.fixture
def tree(in_kunming):
    return make_tree()


def aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def make_deputy():
    from liaison.tenants.deputies import services

    counter = {"n": 0}

    def make(constituency, level="county", **extra):
        counter["n"] += 1
        values = dict(roll_number=f"T{counter['n']:04d}", name=f"代表{counter['n']}", level=level, constituency=constituency)
        values.update(extra)
        return services.create_deputy(**values)

    return make
