"""Sample practice content for `liaison demo`, made through the services (so it obeys
every rule): grids with deputies, 点单 claimed by a deputy and a unit plus one escalated,
a published random audit, a closing-period suggestion through the three stages and
assigned, a campaign run through its five phases, last year's attendance notices of one
station (queued in the outbox) and a talk with a flagged deputy."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from liaison.tenants.deputies.models import Deputy, Stationing
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import HandlingUnit
from liaison.tenants.positions.models import STATION_TIERS

from .models import Campaign
from .selectors import audits as audit_selectors
from .selectors import claims as claim_selectors
from .selectors import notices as notice_selectors
from .services import audits, campaigns, claims, grids, notices, review


def seed(rng: random.Random) -> bool:
    """Seed the current schema's practices once (False when already present or no content)."""
    if Campaign.objects.exists():
        return False
    station_ids = (Stationing.objects.filter(end_on__isnull=True, position__tier__in=STATION_TIERS, deputy__active=True)
                   .values_list("position_id", flat=True).order_by("position_id").distinct())
    station_id = next(iter(station_ids), None)
    unit = HandlingUnit.objects.filter(active=True).order_by("pk").first()
    if station_id is None or unit is None:
        return False
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        _grids(rng)
        _claims(station_id, unit, now)
        _audit(today, now)
        _review(unit, now)
        _campaign(today, rng)
        _notices(station_id, today)
    return True


def _grids(rng):
    villages = Division.objects.filter(level=Division.Level.VILLAGE, deputies__active=True).distinct().order_by("code")[:4]
    for i, village in enumerate(villages):
        for n in (1, 2):
            grid = grids.create_grid(code=f"{village.code}-G{n}", name=f"{village.name}第{n}网格", division=village)
            if n == 1 or i % 2 == 0:
                for deputy in Deputy.objects.filter(constituency=village, active=True).order_by("pk")[:2]:
                    grids.assign_deputy(grid, deputy=deputy)


def _claims(station_id, unit, now):
    taken = claims.publish(position=station_id, title="村口路灯损坏", summary="村口至学校路段三盏路灯不亮，夜间通行不便",
                           at=now - dt.timedelta(days=2))
    deputy = claim_selectors.eligible_deputies(taken).order_by("pk").first()
    if deputy is not None:
        claims.claim(taken, deputy=deputy, at=now - dt.timedelta(days=1, hours=20))
        claims.unit_claim(taken, unit=unit, at=now - dt.timedelta(days=1))
    claims.publish(position=station_id, title="集贸市场占道经营", summary="赶集日集贸市场周边占道经营，车辆通行困难",
                   at=now - dt.timedelta(days=5))
    claims.escalate_unclaimed(now)


def _audit(today, now):
    start = today - dt.timedelta(days=365)
    population = len(audit_selectors.population(start, today))
    if not population:
        return
    audit = audits.draw_audit(title=f"{today.year}年代表联系群众记录随机抽查", period_start=start, period_end=today,
                              sample_size=min(10, population), seed=20190101, actor="人大办")
    results = ["true", "true", "true", "false", "pending"]
    for i, item in enumerate(audit.items.order_by("pk")):
        result = results[i % len(results)]
        audits.record_check(item, result=result, note="回访群众未证实该次接待" if result == "false" else "")
    audits.publish_audit(audit, at=now)


def _review(unit, now):
    township = Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code").first()
    deputy = Deputy.objects.filter(active=True).order_by("pk").first()
    if township is None or deputy is None:
        return
    item = review.submit(title="关于加快农村公路提质改造的建议", content="部分村组道路狭窄破损，建议纳入年度提质改造计划。",
                         township=township, lead_deputy=deputy, at=now - dt.timedelta(days=30))
    review.score(item, urgency=5, breadth=4, importance=5)
    for stage in ("initial", "committee", "council"):
        review.decide(item, stage=stage, decision="approve", note="同意", actor="人大办")
    review.assign(item, lead_unit=unit)
    returned = review.submit(title="关于某户宅基地纠纷的建议", content="个案诉求。", township=township, lead_deputy=deputy,
                             at=now - dt.timedelta(days=20))
    review.score(returned, urgency=2, breadth=1, importance=2)
    review.decide(returned, stage="initial", decision="reject", note="属个案诉求，请按群众意见渠道办理", actor="人大办")


def _campaign(today, rng):
    campaign = campaigns.create_campaign(year=today.year, theme="履职为民・代表在身边")
    deputies = list(Deputy.objects.filter(active=True).order_by("pk")[:6])
    groups = [campaigns.add_group(campaign, name=name) for name in ("第一组", "第二组")]
    people = [campaigns.join(groups[i % 2], deputy=d) for i, d in enumerate(deputies)]
    campaigns.advance_phase(campaign, phase="group_showcase")
    for i, p in enumerate(people):
        campaigns.record_showcase(p, title=f"{p.deputy.name}履职展示", held_on=today - dt.timedelta(days=60 - i))
    campaigns.advance_phase(campaign, phase="evaluation")
    for p in people[:2]:
        campaigns.select_outstanding(p)
    campaigns.advance_phase(campaign, phase="showcase")
    campaigns.advance_phase(campaign, phase="commitment")
    for i, p in enumerate(people):
        c = campaigns.make_commitment(campaign=campaign, participant=p, content="年内为群众办成一件实事",
                                      due_on=dt.date(today.year, 12, 31))
        if i % 3 == 0:
            campaigns.fulfil_commitment(c, evidence="已完成，现场照片和群众签字存档", fulfilled_on=today)


def _notices(station_id, today):
    year = today.year - 1
    notices.generate_year_end_notices(year, station_id)
    for flag in notice_selectors.absence_flags(year, position=station_id)[:1]:
        notices.record_talk(flag.deputy, held_on=dt.date(today.year, 1, 15), note="约谈：了解缺席接待日原因，提醒按时履职", actor="人大办")
