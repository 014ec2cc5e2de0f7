"""Benchmark of the domain core's heavier reads and the reminder run, on a synthetic prefecture.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_domain
    liaison migrate_schemas && liaison demo --only kunming --no-content
    .venv/bin/python benchmarks/domain_core.py [--schema kunming] [--townships 60] [--villages 20]

Builds (inside one transaction that is rolled back at the end, so nothing stays) a county
with N townships × M villages, 3 deputies per village plus 3 per township, a station per
township and an office per village, 200 announced reception days with 5 scheduled deputies
each and sign-ins; then times coverage_two_musts (whole prefecture and per county),
performance_records for every deputy, the standard assessment (one station, and the
annotated list of every position the admin shows), and
send_due_reminders (queueing only: delivery happens after commit, which never comes).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402


class Rollback(Exception):
    pass


def timed(label, fn, repeat=3):
    runs = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    print(f"  {label:<58} median {statistics.median(runs) * 1000:8.1f} ms  ({repeat} runs)")
    return result


def build(townships: int, villages: int):
    from liaison.tenants.activities.models import Event, ScheduledDeputy, SignIn
    from liaison.tenants.deputies.models import Deputy, Stationing
    from liaison.tenants.divisions.models import Division
    from liaison.tenants.positions.models import Position

    root = Division.objects.get(level="prefecture")
    county = Division.objects.create(code="539999", name="基准县", level="county", parent=root)
    t_rows, v_rows = [], []
    for t in range(townships):
        code = f"539999{t:03d}"
        t_rows.append(Division(code=code, name=f"镇{t}", level="township", parent=county, path=f"{county.path}/{code}"))
    Division.objects.bulk_create(t_rows)
    for town in t_rows:
        for v in range(villages):
            code = f"{town.code}{v:03d}"
            v_rows.append(Division(code=code, name=f"村{v}", level="village", parent=town, path=f"{town.path}/{code}"))
    Division.objects.bulk_create(v_rows)
    deputies = []
    for division in t_rows + v_rows:
        for k in range(3):
            deputies.append(Deputy(roll_number=f"B{division.code}-{k}", name=f"代表{division.code}{k}", level="township",
                                   constituency=division))
    Deputy.objects.bulk_create(deputies)
    since = dt.date(2023, 1, 1)
    stations = [Position(code=f"S{t.code}", name=f"{t.name}站", tier="station", division=t, status="open", status_since=since)
                for t in t_rows]
    offices = [Position(code=f"O{v.code}", name=f"{v.name}室", tier="office", division=v, status="open", status_since=since)
               for v in v_rows[::2]]
    Position.objects.bulk_create(stations + offices)
    by_division = {}
    for d in deputies:
        by_division.setdefault(d.constituency_id, []).append(d)
    Stationing.objects.bulk_create([Stationing(deputy=d, position=s, start_on=since) for s in stations for d in by_division[s.division_id]])
    rng = random.Random(1)
    now = timezone.now()
    events, scheduled, sign_ins = [], [], []
    for i in range(200):
        station = rng.choice(stations)
        starts = now + dt.timedelta(hours=rng.randint(2, 70)) if i % 2 else now - dt.timedelta(days=rng.randint(1, 300))
        events.append(Event(position=station, kind="reception_day", title="接待日", starts_at=starts,
                            ends_at=starts + dt.timedelta(hours=3), status="announced" if i % 2 else "held", announced_at=now))
    Event.objects.bulk_create(events)
    for event in events:
        for d in rng.sample(deputies, 5):
            scheduled.append(ScheduledDeputy(event=event, deputy=d))
            if event.status == "held":
                sign_ins.append(SignIn(event=event, deputy=d, signed_at=event.starts_at))
    ScheduledDeputy.objects.bulk_create(scheduled)
    SignIn.objects.bulk_create(sign_ins)
    return county, stations, deputies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", default="kunming")
    parser.add_argument("--townships", type=int, default=60)
    parser.add_argument("--villages", type=int, default=20)
    args = parser.parse_args()

    from liaison.tenants.activities.services import send_due_reminders
    from liaison.tenants.deputies.selectors import performance_records
    from liaison.tenants.positions.selectors import (
        annotate_standard,
        coverage_two_musts,
        coverage_two_musts_by_county,
        standard_assessment,
    )

    print(f"PostgreSQL {connection.cursor().connection.info.server_version}, schema {args.schema}")
    with schema_context(args.schema):
        try:
            with transaction.atomic():
                start = time.perf_counter()
                county, stations, deputies = build(args.townships, args.villages)
                print(f"  built {args.townships} townships, {args.townships * args.villages} villages, {len(deputies)} deputies, "
                      f"{len(stations)} stations, 200 events in {time.perf_counter() - start:.1f} s")
                cov = timed("coverage_two_musts(None) (whole prefecture)", lambda: coverage_two_musts())
                print(f"    → townships {cov.townships_with_station}/{cov.townships_total}, "
                      f"villages {cov.villages_with_office}/{cov.villages_requiring_office}")
                timed("coverage_two_musts_by_county()", coverage_two_musts_by_county)
                year = timezone.localdate().year
                ids = [d.pk for d in deputies]
                timed(f"performance_records({year}) for {len(ids)} deputies", lambda: performance_records(year, ids))
                timed("standard_assessment for one station", lambda: standard_assessment(stations[0]))
                from liaison.tenants.positions.models import Position

                timed("annotate_standard: every position, as the admin list does",
                      lambda: list(annotate_standard(Position.objects.all())))
                queued = timed("send_due_reminders (first run, queues)", send_due_reminders, repeat=1)
                timed("send_due_reminders (second run, all deduplicated)", send_due_reminders, repeat=1)
                print(f"    → {queued} reminders queued")
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
