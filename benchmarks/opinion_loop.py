"""Benchmark of the opinion loop's services and its heavier reads, on a synthetic prefecture.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_opinions
    liaison migrate_schemas
    .venv/bin/python benchmarks/opinion_loop.py [--opinions 1000]

In a throwaway prefecture (`benchop`, provisioned first and deleted at the end, so
nothing stays), each step committing on its own as in production: registers N
opinions in one township through `services.register`, takes a share of them through
the whole loop (triage → refer → reply → deliver → rate), and times the per-step cost,
`similar_opinions` over the bounded candidate set, the daily beat
(`send_deadline_notices` with N awaiting opinions, every one due a reminder or an
escalation), `close_all_unrated`, `counts`, `ledger_rows` and a 125-working-day
deadline on the official calendar.
"""
from __future__ import annotations

import argparse
import logging
import datetime as dt
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402


def timed(label, fn, repeat=3):
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    print(f"  {label:<62} median {statistics.median(runs) * 1000:9.1f} ms  ({repeat} runs)")
    return result


WORDS = ["路灯", "道路", "排水", "垃圾", "学校", "医保", "停车", "噪音", "供水", "菜市场", "公交", "养老", "河道", "绿化", "物业"]


def text(rng):
    picked = rng.sample(WORDS, 3)
    return f"{picked[0]}问题", f"群众反映{picked[0]}、{picked[1]}和{picked[2]}方面存在困难，希望有关部门尽快解决。编号{rng.randint(1, 10**6)}"


def run(n: int) -> None:
    from liaison.platform.celery import app
    from liaison.tenants.registry.provisioning import create_prefecture, delete_prefecture

    # Measure the loop itself: tasks queued after commit (outbox delivery, search
    # indexing) go to the in-memory broker instead of running eagerly in this process.
    app.conf.task_always_eager = False
    logging.disable(logging.INFO)

    create_prefecture(code="539901", slug="benchop", name="基准州", name_en="Bench", kind="city", seed_counties=False)
    try:
        steps("benchop", n)
    finally:
        delete_prefecture("benchop", confirm=True)


def steps(schema: str, n: int) -> None:
    from liaison.platform.province import calendar
    from liaison.platform.province.models import Category
    from liaison.tenants.divisions.models import Division
    from liaison.tenants.opinions import selectors, services
    from liaison.tenants.opinions.models import HandlingUnit, Opinion
    from liaison.tenants.positions.models import Position

    rng = random.Random(7)
    actor = services.Actor(kind="user", id=1, label="基准")
    with schema_context(schema):
        root = Division.objects.get(level="prefecture")
        county = Division.objects.create(code="539998", name="基准县", level="county", parent=root)
        town = Division.objects.create(code="539998001", name="基准镇", level="township", parent=county)
        station = Position.objects.create(code="BENCH-ST", name="基准站", tier="station", division=town, status="open")
        unit = HandlingUnit.objects.create(name="基准镇政府", kind="township_government", level="township", division=town)
        HandlingUnit.objects.create(name="基准县人大常委会", kind="county_standing_committee", level="county",
                                    division=county, supervises=True)
        category = Category.objects.get(code="urban_rural")
        start = timezone.make_aware(dt.datetime(2026, 9, 1, 9))
        t0 = time.perf_counter()
        ops = []
        for i in range(n):
            title, content = text(rng)
            ops.append(services.register(channel="reception", position=station, title=title, content=content,
                                         citizen_name="测试", citizen_phone="13800000000",
                                         registered_at=start + dt.timedelta(seconds=i), actor=actor))
        per = (time.perf_counter() - t0) / n * 1000
        print(f"  {'register (per opinion, ' + str(n) + ' opinions)':<62} mean   {per:9.2f} ms")
        t0 = time.perf_counter()
        for op in ops:
            services.triage(op, category=category, jurisdiction_level="township", actor=actor, at=start + dt.timedelta(days=1))
            services.refer(op, unit=unit, actor=actor, at=start + dt.timedelta(days=1, hours=1))
        per = (time.perf_counter() - t0) / n * 1000
        print(f"  {'triage + refer (per opinion)':<62} mean   {per:9.2f} ms")
        looped = ops[: n // 4]
        t0 = time.perf_counter()
        for op in looped:
            services.reply(op, content="已办理。", outcome="A", actor=actor, at=start + dt.timedelta(days=10))
            services.deliver(op, to_citizen=True, actor=actor, at=start + dt.timedelta(days=10, hours=1))
            services.rate(tracking_code=op.tracking_code, satisfaction="satisfied", at=start + dt.timedelta(days=11))
        per = (time.perf_counter() - t0) / len(looped) * 1000
        print(f"  {'reply + deliver + rate + close (per opinion)':<62} mean   {per:9.2f} ms")
        probe = Opinion.objects.filter(division=town).order_by("-id").first()
        timed(f"similar_opinions (≤{selectors.SIMILAR_CANDIDATES} candidates in the division)",
              lambda: selectors.similar_opinions(probe))
        timed("counts() for the prefecture", selectors.counts)
        timed(f"ledger_rows for {n} opinions", lambda: len(selectors.ledger_rows()), repeat=1)
        timed("add_working_days(125) on the official calendar",
              lambda: calendar.add_working_days(dt.date(2026, 1, 5), 125), repeat=5)
        timed(f"send_deadline_notices, {n - len(looped)} awaiting (first run: queues)",
              lambda: services.send_deadline_notices(dt.date(2026, 9, 20)), repeat=1)
        timed("send_deadline_notices again (deduplicated, nothing new)",
              lambda: services.send_deadline_notices(dt.date(2026, 9, 20)), repeat=1)
        timed(f"send_deadline_notices after the deadline ({n - len(looped)} escalations)",
              lambda: services.send_deadline_notices(dt.date(2026, 10, 30)), repeat=1)
        timed("close_all_unrated (nothing due)", lambda: services.close_all_unrated(start + dt.timedelta(days=12)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opinions", type=int, default=2000)
    args = parser.parse_args()
    print(f"opinion loop benchmark: {args.opinions} opinions in a throwaway prefecture")
    run(args.opinions)


if __name__ == "__main__":
    main()
