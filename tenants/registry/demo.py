"""The Yunnan demo: 16 prefectures with their counties, generated townships and
villages, demo accounts, and sample content."""
from __future__ import annotations

import random
from typing import Callable

from django.db import transaction
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, Role, User
from liaison.tenants.divisions.models import Division

from . import yunnan
from .models import Prefecture
from .provisioning import create_prefecture

DEMO_PASSWORD = "liaison-demo"
TOWNSHIP_SUFFIXES = ["镇", "乡", "街道"]
VILLAGE_SUFFIXES = ["村", "村", "村", "社区"]
SYLLABLES = "安宁和平兴隆永胜长乐新民团结光明红星金沙清水石桥龙泉凤鸣松林梅园竹园茶山白塔高原彩云春城"


def _place_name(rng: random.Random, suffix: str) -> str:
    return "".join(rng.sample(SYLLABLES, 2)) + suffix


def seed_divisions(rng: random.Random, townships_per_county=(3, 6), villages_per_township=(4, 8)) -> int:
    """Generated townships and villages under every county of the current schema."""
    created = 0
    for county in Division.objects.filter(level=Division.Level.COUNTY).order_by("code"):
        townships = []
        for t in range(rng.randint(*townships_per_county)):
            townships.append(Division(code=f"{county.code}{t + 1:03d}", name=_place_name(rng, rng.choice(TOWNSHIP_SUFFIXES)),
                                      level=Division.Level.TOWNSHIP, parent=county, path=f"{county.path}/{county.code}{t + 1:03d}"))
        Division.objects.bulk_create(townships)
        villages = []
        for township in townships:
            for v in range(rng.randint(*villages_per_township)):
                suffix = rng.choice(VILLAGE_SUFFIXES)
                code = f"{township.code}{v + 1:03d}"
                villages.append(Division(code=code, name=_place_name(rng, suffix), level=Division.Level.VILLAGE, parent=township,
                                         path=f"{township.path}/{code}", is_community=suffix == "社区"))
        Division.objects.bulk_create(villages)
        created += len(townships) + len(villages)
    return created


def ensure_user(username: str, *, prefecture: Prefecture | None, role: str, superuser: bool = False) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": superuser})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, prefecture=prefecture, role=role)
    return user


def seed_demo(*, seed: int = 2019, only: list[str] | None = None, content: bool = True, echo: Callable[[str], None] = print) -> list[Prefecture]:
    ensure_user("province", prefecture=None, role=Role.PROVINCE_MONITOR, superuser=True)
    made = []
    for pref in yunnan.prefectures():
        if only and pref.slug not in only:
            continue
        prefecture = Prefecture.objects.filter(slug=pref.slug).first()
        if prefecture is None:
            report = create_prefecture(code=pref.code, slug=pref.slug, name=pref.name, name_en=pref.name_en, kind=pref.kind)
            prefecture = report.prefecture
            with schema_context(prefecture.schema_name), transaction.atomic():
                n = seed_divisions(random.Random(f"{seed}-{pref.slug}"))
            echo(f"  {pref.name:<14} {report.domain:<28} {n} townships and villages, {report.seconds:.2f}s")
        ensure_user(f"{pref.slug}-admin", prefecture=prefecture, role=Role.PREFECTURE_ADMIN)
        made.append(prefecture)
    if content:
        seed_content(made, seed=seed, echo=echo)
    return made


def seed_content(prefectures: list[Prefecture], *, seed: int, echo: Callable[[str], None]) -> None:
    """Sample positions, deputies, activities and opinions, via the data generator."""
    from liaison.tenants.generator.api import generate_demo_content

    generate_demo_content(prefectures, seed=seed, echo=echo)
