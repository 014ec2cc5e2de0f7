"""The Yunnan demo: 16 prefectures with their counties, generated townships and
villages, demo accounts, and sample content."""
from __future__ import annotations

import random
import secrets
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
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


class DemoRefused(Exception):
    """The demo was asked for in production mode without being forced."""


def production_mode() -> bool:
    return settings.LIAISON_PRODUCTION


def check_demo_allowed(*, force: bool) -> None:
    """Demo data and accounts are for development. With DEBUG=false they are refused
    unless forced (a trial installation), and then the accounts get generated passwords:
    the published DEMO_PASSWORD never works in production."""
    if production_mode() and not force:
        raise DemoRefused(_("生产模式（DEBUG=false）下不创建演示数据和演示账号；确需创建请加 --force-demo-in-production"
                            "（账号将使用随机生成的密码，仅显示一次）。"))


def ensure_user(username: str, *, prefecture: Prefecture | None, role: str, superuser: bool = False,
                passwords: dict[str, str] | None = None) -> User:
    """The demo account `username`. In production mode a new account (or one still on the
    published demo password) gets a generated password, recorded in `passwords` to be
    printed once; in development the published DEMO_PASSWORD."""
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": superuser})
    if production_mode():
        if created or user.check_password(DEMO_PASSWORD):
            password = secrets.token_urlsafe(15)
            user.set_password(password)
            user.save()
            if passwords is not None:
                passwords[username] = password
    elif created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, prefecture=prefecture, role=role)
    return user


def seed_demo(*, seed: int = 2019, only: list[str] | None = None, content: bool = True, echo: Callable[[str], None] = print,
              force_in_production: bool = False, passwords: dict[str, str] | None = None) -> list[Prefecture]:
    """Seed the demo. Raises DemoRefused in production mode unless `force_in_production`;
    generated passwords of accounts made in production mode go into `passwords`."""
    check_demo_allowed(force=force_in_production)
    ensure_user("province", prefecture=None, role=Role.PROVINCE_MONITOR, superuser=True, passwords=passwords)
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
        ensure_user(f"{pref.slug}-admin", prefecture=prefecture, role=Role.PREFECTURE_ADMIN, passwords=passwords)
        made.append(prefecture)
    if content:
        seed_content(made, seed=seed, echo=echo)
        seed_practices(made, seed=seed, echo=echo)
        for prefecture in made:
            ensure_workbench_users(prefecture)
    return made


def seed_practices(prefectures: list[Prefecture], *, seed: int, echo: Callable[[str], None]) -> None:
    """Sample practice content (grids, 点单, an audit, a reviewed suggestion, a campaign,
    notices) once per prefecture; their statistics are refreshed after."""
    from liaison.tenants.practice import demo as practice_demo
    from liaison.tenants.stats import services as stats_services

    seeded = []
    for prefecture in prefectures:
        with schema_context(prefecture.schema_name):
            if practice_demo.seed(random.Random(f"{seed}-{prefecture.slug}-practice")):
                seeded.append(prefecture.schema_name)
    if seeded:
        stats_services.refresh(seeded)
        echo(f"  practices: sample content in {len(seeded)} prefecture(s)")


def ensure_workbench_users(prefecture: Prefecture) -> None:
    """Demo accounts for the workbench: `<slug>-staff` (station staff at the first station
    that has stationed deputies) and `<slug>-deputy` (a deputy stationed there)."""
    from liaison.tenants.deputies.models import Stationing

    with schema_context(prefecture.schema_name):
        stationing = (Stationing.objects.filter(position__tier="station", end_on__isnull=True)
                      .select_related("position", "deputy").order_by("position__code", "deputy__roll_number").first())
    if stationing is None:
        return
    staff = ensure_user(f"{prefecture.slug}-staff", prefecture=prefecture, role=Role.STATION_STAFF)
    Membership.objects.filter(user=staff, prefecture=prefecture, role=Role.STATION_STAFF).update(position_ids=[stationing.position_id])
    deputy = ensure_user(f"{prefecture.slug}-deputy", prefecture=prefecture, role=Role.DEPUTY)
    Membership.objects.filter(user=deputy, prefecture=prefecture, role=Role.DEPUTY).update(deputy_id=stationing.deputy_id)
    for user, name in ((staff, f"{stationing.position.name}工作人员"), (deputy, stationing.deputy.name)):
        if not user.display_name:
            user.display_name = name[:64]
            user.save(update_fields=["display_name"])


def seed_content(prefectures: list[Prefecture], *, seed: int, echo: Callable[[str], None]) -> None:
    """Sample positions, deputies, activities and opinions, via the data generator."""
    from liaison.tenants.generator.api import generate_demo_content

    generate_demo_content(prefectures, seed=seed, echo=echo)
