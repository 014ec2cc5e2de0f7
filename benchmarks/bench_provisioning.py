"""Provisioning one prefecture: ours (clone of the migrated `tenant_template` schema,
migrations only recorded) against the naive way (CREATE SCHEMA + migrate_schemas).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    liaison migrate_schemas --shared
    .venv/bin/python benchmarks/bench_provisioning.py [--runs 3]

Both ways do the same surrounding work (registry row, domain, prefecture and county
divisions); only how the schema gets its tables differs. Each run provisions a
throw-away prefecture (slugs benchclone<i> / benchnaive<i>, codes 99xxxx) and
deletes it again, so the database is left as it was.
"""
from __future__ import annotations

import argparse
import statistics
import time

from _common import header, ratio, setup_django, summary_ms

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context, schema_exists  # noqa: E402

from liaison.tenants.registry.models import Domain, Prefecture  # noqa: E402
from liaison.tenants.registry.provisioning import (  # noqa: E402
    create_prefecture, delete_prefecture, ensure_template_schema, host_for, seed_root_divisions,
)


def cleanup(slug: str) -> None:
    connection.set_schema_to_public()
    if Prefecture.objects.filter(slug=slug).exists():
        delete_prefecture(slug, confirm=True)
    elif schema_exists(slug):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{slug}" CASCADE')


def ours(i: int) -> float:
    slug = f"benchclone{i}"
    cleanup(slug)
    started = time.perf_counter()
    report = create_prefecture(code=f"99{i:04d}", slug=slug, name=f"基准测试州{i}", name_en=f"Bench {i}", kind="city")
    seconds = time.perf_counter() - started
    cleanup(slug)
    PARTS.append(report.timings.get("schema", 0.0))
    return seconds


PARTS: list[float] = []  # seconds spent cloning the schema itself, per run of ours


def naive(i: int) -> float:
    slug = f"benchnaive{i}"
    cleanup(slug)
    started = time.perf_counter()
    prefecture = Prefecture(code=f"98{i:04d}", slug=slug, schema_name=slug, name=f"基准对照州{i}", name_en=f"Naive {i}", kind="city")
    prefecture.auto_create_schema = False
    prefecture.save()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{slug}"')
    call_command("migrate_schemas", schema_name=slug, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    with transaction.atomic():
        Domain.objects.create(domain=host_for(slug), tenant=prefecture, is_primary=True)
        with schema_context(slug):
            seed_root_divisions(prefecture)
    seconds = time.perf_counter() - started
    cleanup(slug)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    header("Provisioning one prefecture")
    started = time.perf_counter()
    migrated = ensure_template_schema()
    print(f"   template schema {'migrated now' if migrated else 'already up to date'} in {time.perf_counter() - started:.2f}s "
          "(one-off per deployment/migration, not per prefecture)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", ["tenant_template"])
        tables = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM django_migrations")
    print(f"   tables per prefecture schema: {tables}")
    clone, plain = [], []
    for i in range(1, args.runs + 1):  # interleaved, so machine noise hits both alike
        clone.append(ours(i))
        plain.append(naive(i))
        print(f"   run {i}: clone {clone[-1]:6.2f}s (of which the schema clone {PARTS[-1]:.2f}s)   "
              f"CREATE SCHEMA + migrate_schemas {plain[-1]:6.2f}s")
    print(f"   ours  (clone template):                {summary_ms(clone)}")
    print(f"   naive (CREATE SCHEMA + migrate_schemas): {summary_ms(plain)}")
    print(f"   median: ours {statistics.median(clone):.2f}s vs naive {statistics.median(plain):.2f}s — "
          f"ours is {ratio(statistics.median(clone), statistics.median(plain), higher_is_better=False)} faster "
          f"(goal: a new prefecture in < 5 s: {'met' if max(clone) < 5 else 'NOT met'}, worst run {max(clone):.2f}s)")


if __name__ == "__main__":
    main()
