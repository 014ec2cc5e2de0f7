"""Loading data: rows per second with the generator's COPY loader against the naive
ORM loop (`Model(...).save()` per row), on the same rows, in the same run.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    liaison migrate_schemas --shared
    .venv/bin/python benchmarks/bench_load.py [--rows 5000]

Rows are opinions and their transitions (the two largest tables) made by the
generator's text templates. They go into a throw-away prefecture (`benchload`,
provisioned and deleted by this script); each way loads into emptied tables, inside
one transaction, so both pay for the same indexes and foreign-key checks at commit.
`bulk_create` (batches of 1,000) is printed as a middle reference. The save() loop
runs on a smaller sample (--naive-rows), once with the app's post_save handlers (search
queue, statistics stale flag: what any ORM write costs here) and once without.
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from _common import header, ratio, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from liaison.tenants.divisions.models import Division  # noqa: E402
from liaison.tenants.generator import text  # noqa: E402
from liaison.tenants.generator.bulk import Loader  # noqa: E402
from liaison.tenants.generator.engine import tracking_codes  # noqa: E402
from liaison.tenants.opinions.models import Opinion, Transition  # noqa: E402
from liaison.tenants.positions.models import Position  # noqa: E402
from liaison.tenants.registry.models import Prefecture  # noqa: E402
from liaison.tenants.registry.provisioning import create_prefecture, delete_prefecture  # noqa: E402

SLUG = "benchload"
TZ = ZoneInfo("Asia/Shanghai")


def make_rows(n: int, position: Position, division: Division) -> tuple[list[dict], list[dict]]:
    rng = random.Random(7)
    codes = tracking_codes(rng, n)
    opinions, transitions = [], []
    start = datetime(2023, 1, 1, 9, tzinfo=TZ)
    for i in range(n):
        cat = text.category_code(rng)
        channel = rng.choice(["reception", "deputy", "observer", "box", "online"])
        title, content, _ = text.opinion_text(rng, cat, division.name, "邻村", text.masked_citizen(rng), channel)
        when = start + timedelta(minutes=37 * i)
        opinions.append({"tracking_code": codes[i], "channel": channel, "position_id": position.id, "division_id": division.id,
                         "citizen_name": text.masked_citizen(rng), "citizen_phone": text.phone(rng), "title": title,
                         "content": content, "status": "registered", "registered_at": when, "_when": when})
        transitions.append({"action": "register", "from_status": "", "to_status": "registered", "actor_kind": "user",
                            "actor_label": "站点工作人员", "note": "", "data": {"channel": channel}, "at": when, "_i": i})
    return opinions, transitions


def empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{SLUG}".opinions_transition, "{SLUG}".opinions_opinion RESTART IDENTITY CASCADE')


def load_copy(opinions, transitions) -> float:
    empty()
    started = time.perf_counter()
    with transaction.atomic():
        loader = Loader(schema=SLUG, when=datetime.now(TZ), echo=lambda s: None, progress_every=0)
        ids = loader.reserve_ids(Opinion, len(opinions))
        loader.copy(Opinion, ({**o, "id": pk} for o, pk in zip(opinions, ids)))
        tids = loader.reserve_ids(Transition, len(transitions))
        loader.copy(Transition, ({**t, "id": pk, "opinion_id": ids[t["_i"]]} for t, pk in zip(transitions, tids)))
    return time.perf_counter() - started


def clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def load_save(opinions, transitions) -> float:
    """The ORM loop as an importer would write it: each save() fires the app's post_save
    handlers (search queue, statistics stale flag), as any ORM write does."""
    empty()
    started = time.perf_counter()
    with transaction.atomic():
        for o, t in zip(opinions, transitions):
            op = Opinion(**clean(o))
            op.save()
            Transition(**clean(t), opinion=op).save()
    return time.perf_counter() - started


def load_save_quiet(opinions, transitions) -> float:
    """The same loop with the signal handlers switched off: the ORM's own cost."""
    from unittest import mock

    from django.db.models.signals import post_save, pre_save

    with mock.patch.object(post_save, "send", lambda *a, **k: []), mock.patch.object(pre_save, "send", lambda *a, **k: []):
        return load_save(opinions, transitions)


def load_bulk_create(opinions, transitions) -> float:
    empty()
    started = time.perf_counter()
    with transaction.atomic():
        made = Opinion.objects.bulk_create([Opinion(**clean(o)) for o in opinions], batch_size=1000)
        Transition.objects.bulk_create([Transition(**clean(t), opinion=made[t["_i"]]) for t in transitions], batch_size=1000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="opinions for COPY and bulk_create (each with one transition row)")
    parser.add_argument("--naive-rows", type=int, default=500, help="opinions for the save() loops (slow: keep it small)")
    args = parser.parse_args()
    header("Loading data (generator)")
    connection.set_schema_to_public()
    if Prefecture.objects.filter(slug=SLUG).exists():
        delete_prefecture(SLUG, confirm=True)
    create_prefecture(code="990200", slug=SLUG, name="基准加载州", name_en="Bench load", kind="city")
    try:
        with schema_context(SLUG):
            county = Division.objects.filter(level="county").first() or Division.objects.get(level="prefecture")
            town = Division.objects.create(code=county.code + "001", name="基准镇", level="township", parent=county)
            position = Position.objects.create(code="S-bench", name="基准镇人大代表工作站", tier="station", division=town, status="open")
            opinions, transitions = make_rows(args.rows, position, town)
            results = {}
            small = min(args.rows, args.naive_rows)
            for name, fn, n in (("COPY (ours)", load_copy, args.rows), ("bulk_create", load_bulk_create, args.rows),
                                ("save() loop, no signals", load_save_quiet, small), ("save() loop (naive)", load_save, small)):
                seconds = fn(opinions[:n], transitions[:n])
                assert Opinion.objects.count() == n and Transition.objects.count() == n
                results[name] = 2 * n / seconds
                print(f"   {name:<24} {2 * n:>7,} rows in {seconds:7.2f}s  = {2 * n / seconds:>9,.0f} rows/s")
            empty()
        print(f"   ours vs naive: COPY loads {ratio(results['COPY (ours)'], results['save() loop (naive)'], higher_is_better=True)} "
              f"the rows per second of the save() loop "
              f"({ratio(results['COPY (ours)'], results['save() loop, no signals'], higher_is_better=True)} with its signals off, "
              f"{ratio(results['COPY (ours)'], results['bulk_create'], higher_is_better=True)} bulk_create's)")
    finally:
        connection.set_schema_to_public()
        delete_prefecture(SLUG, confirm=True)


if __name__ == "__main__":
    main()
