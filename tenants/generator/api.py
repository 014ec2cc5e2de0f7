"""Entry points: `generate` (the `liaison generate` command) and
`generate_demo_content` (sample content for `liaison demo`).

A generated prefecture carries a marker (a comment on its schema) with the scale,
seed and as-of date. Generating again with the same parameters is a no-op; with
other parameters, or over data that was not generated, it refuses unless
`replace=True`, which empties the prefecture's tables (its prefecture and county
divisions stay) and generates afresh. Each prefecture is written in one transaction.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, time as dtime
from typing import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context

from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.registry import yunnan
from liaison.tenants.registry.models import Prefecture

from . import bulk
from .bulk import Loader
from .engine import PrefectureGenerator, aware
from .shape import CountyTargets, PrefectureTargets, province_targets

MARKER = "liaison-generate "
# Tables the generator never empties: the prefecture/county divisions are part of
# provisioning, contenttypes/admin are Django's own.
KEEP_APPS = {"contenttypes", "admin", "divisions"}


class GeneratorRefused(ServiceError):
    """The target prefecture already holds data; nothing was written."""


@dataclass
class PrefectureReport:
    slug: str
    status: str  # generated | unchanged | replaced
    rows: int = 0
    seconds: float = 0.0
    tables: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)


@dataclass
class GenerateReport:
    scale: float
    seed: int
    as_of: date
    prefectures: list[PrefectureReport] = field(default_factory=list)
    provisioned: list[str] = field(default_factory=list)
    provisioning_seconds: float = 0.0
    wall_seconds: float = 0.0  # generating and loading, start to end (several prefectures at once with jobs > 1)
    derived: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.prefectures)

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.prefectures)


def marker_for(scale: float, seed: int, as_of: date) -> dict:
    return {"scale": scale, "seed": seed, "as_of": as_of.isoformat()}


def read_marker(schema: str) -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", [schema])
        row = cursor.fetchone()
    text = row[0] if row else None
    if text and text.startswith(MARKER):
        try:
            return json.loads(text[len(MARKER):])
        except ValueError:
            return None
    return None


def write_marker(schema: str, marker: dict) -> None:
    with connection.cursor() as cursor:
        literal = (MARKER + json.dumps(marker, sort_keys=True)).replace("'", "''")
        cursor.execute(f"COMMENT ON SCHEMA \"{schema}\" IS '{literal}'")


def tenant_models() -> list:
    labels = set()
    for name in settings.TENANT_APPS:
        cfg = next((c for c in apps.get_app_configs() if c.name == name), None)
        if cfg:
            labels.add(cfg.label)
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in labels and m._meta.managed and not m._meta.proxy]


def existing_tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {r[0] for r in cursor.fetchall()}


def _nonempty(schema: str, tables: list[str]) -> set[str]:
    """Which of these tables of `schema` hold at least one row (one query)."""
    if not tables:
        return set()
    sql = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM \"{schema}\".\"{t}\")" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return {r[0] for r in cursor.fetchall()}


def content_models(schema: str) -> list:
    """Prefecture models the generator owns the rows of: not Django's own, not the
    divisions (handled level by level), not tables that migrations seed into every
    new prefecture (they have rows in the template schema), and only tables that
    exist (a model whose migration is not written yet has none)."""
    from liaison.tenants.registry.provisioning import TEMPLATE_SCHEMA

    present = existing_tables(schema)
    candidates = [m for m in tenant_models() if m._meta.app_label not in KEEP_APPS and m._meta.db_table in present]
    in_template = existing_tables(TEMPLATE_SCHEMA)
    seeded = _nonempty(TEMPLATE_SCHEMA, [m._meta.db_table for m in candidates if m._meta.db_table in in_template])
    return [m for m in candidates if m._meta.db_table not in seeded]


def existing_content(schema: str, models: list | None = None) -> dict[str, int]:
    """Rows in the prefecture beyond what provisioning creates (table → count)."""
    models = content_models(schema) if models is None else models
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(_nonempty(schema, [m._meta.db_table for m in models])):
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            found[table] = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM \"{schema}\".divisions_division WHERE level IN ('township', 'village')")
        below = cursor.fetchone()[0]
    if below:
        found["divisions_division (townships and villages)"] = below
    return found


def wipe(schema: str) -> None:
    """Empty the prefecture's tables, keeping the prefecture and county divisions, and
    restart their id sequences (so the same seed gives the same ids). Empty tables are
    not truncated (each TRUNCATE makes new files); their sequences are reset."""
    models = content_models(schema)
    full = _nonempty(schema, [m._meta.db_table for m in models])
    with connection.cursor() as cursor:
        # Deferred foreign-key checks pending in this transaction would block TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if full:
            cursor.execute("TRUNCATE " + ", ".join(f'"{schema}"."{t}"' for t in sorted(full)) + " RESTART IDENTITY CASCADE")
        empty = [m for m in models if m._meta.db_table not in full and m._meta.pk.column == "id"]
        if empty:
            cursor.execute("SELECT " + ", ".join(
                f"setval(pg_get_serial_sequence('\"{schema}\".\"{m._meta.db_table}\"', 'id'), 1, false)" for m in empty))
        cursor.execute(f"DELETE FROM \"{schema}\".divisions_division WHERE level IN ('village', 'township') AND "
                       f"EXISTS (SELECT 1 FROM \"{schema}\".divisions_division WHERE level IN ('village', 'township'))")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{schema}\".divisions_division', 'id'), "
                       f"(SELECT max(id) FROM \"{schema}\".divisions_division))")
        cursor.execute(f'COMMENT ON SCHEMA "{schema}" IS NULL')


def ensure_prefectures(slugs: Iterable[str], echo) -> tuple[list[str], float]:
    from liaison.tenants.registry.provisioning import create_prefecture

    made, started = [], time.perf_counter()
    for slug in slugs:
        if Prefecture.objects.filter(slug=slug).exists():
            continue
        seed = yunnan.by_slug(slug)
        report = create_prefecture(code=seed.code, slug=slug, name=seed.name, name_en=seed.name_en, kind=seed.kind)
        echo(f"  provisioned {seed.name} ({slug}) in {report.seconds:.2f}s")
        made.append(slug)
    return made, time.perf_counter() - started


def generate(*, scale: float, seed: int, prefectures: list[str] | None = None, replace: bool = False,
             as_of: date | None = None, derive: bool = True, jobs: int = 1, echo: Callable[[str], None] = print) -> GenerateReport:
    """Generate Yunnan-shaped data at scale S into the given (default: all) prefectures."""
    known = [p.slug for p in yunnan.prefectures()]
    if not (0 < scale <= 10):
        raise GeneratorRefused([FieldError("scale", f"must be in (0, 10], got {scale}")])
    unknown = [s for s in prefectures or [] if s not in known]
    if unknown:
        raise GeneratorRefused([FieldError("prefecture", f"not a Yunnan prefecture: {', '.join(unknown)} (known: {', '.join(known)})", "not_found")])
    slugs = [s for s in known if not prefectures or s in prefectures]
    as_of = as_of or date.today()
    wanted = marker_for(scale, seed, as_of)
    connection.set_schema_to_public()

    # Refuse before writing anything.
    plan: dict[str, str] = {}
    problems = []
    for slug in slugs:
        if not Prefecture.objects.filter(slug=slug).exists():
            plan[slug] = "generated"
            continue
        marker = read_marker(slug)
        if marker == wanted and not replace:
            plan[slug] = "unchanged"
            continue
        content = existing_content(slug)
        if not content:
            plan[slug] = "generated"
        elif replace:
            plan[slug] = "replaced"
        else:
            what = f"generated with {json.dumps(marker, sort_keys=True)}" if marker else \
                "data not made by the generator: " + ", ".join(f"{t} {n:,}" for t, n in sorted(content.items()))
            problems.append(FieldError("prefecture", f"{slug} already holds {what}; pass --replace to empty and regenerate it", "exists"))
    if problems:
        raise GeneratorRefused(problems)

    report = GenerateReport(scale=scale, seed=seed, as_of=as_of)
    report.provisioned, report.provisioning_seconds = ensure_prefectures([s for s in slugs if plan[s] != "unchanged"], echo)
    targets = province_targets(scale, seed)
    todo = [s for s in slugs if plan[s] != "unchanged"]
    for slug in slugs:
        if plan[slug] == "unchanged":
            echo(f"  {slug}: already generated with scale={scale} seed={seed} as-of={as_of}; nothing to do")
            report.prefectures.append(PrefectureReport(slug, "unchanged"))
    started = time.perf_counter()
    if jobs > 1 and len(todo) > 1:
        report.prefectures += run_parallel(todo, targets, jobs=jobs, seed=seed, as_of=as_of, plan=plan, marker=wanted, echo=echo)
    else:
        for slug in todo:
            prefecture = Prefecture.objects.get(slug=slug)
            report.prefectures.append(run_one(prefecture, targets[slug], seed=seed, as_of=as_of, replace=plan[slug] == "replaced",
                                              marker=wanted, status=plan[slug], echo=echo))
    report.wall_seconds = time.perf_counter() - started
    order = {s: i for i, s in enumerate(slugs)}
    report.prefectures.sort(key=lambda p: order[p.slug])
    connection.set_schema_to_public()
    if derive and any(p.status != "unchanged" for p in report.prefectures):
        report.derived = refresh_derived([p.slug for p in report.prefectures if p.status != "unchanged"], echo)
    return report


def _child(slug: str, targets: PrefectureTargets, seed: int, as_of: date, status: str, marker: dict) -> PrefectureReport:
    def echo(line: str) -> None:
        print(line, flush=True)

    prefecture = Prefecture.objects.get(slug=slug)
    report = run_one(prefecture, targets, seed=seed, as_of=as_of, replace=status == "replaced", marker=marker, status=status, echo=echo)
    connection.close()
    return report


def run_parallel(slugs: list[str], targets: dict, *, jobs: int, seed: int, as_of: date, plan: dict, marker: dict, echo) -> list:
    """Prefectures in `jobs` forked worker processes, largest first; each its own
    connection and transaction (prefectures share nothing but the public roster)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from django.db import connections

    connections.close_all()  # never share a connection's socket with a forked child
    order = sorted(slugs, key=lambda s: -targets[s].opinions)
    out = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_child, s, targets[s], seed, as_of, plan[s], marker) for s in order]
        for future in as_completed(futures):
            out.append(future.result())
    return out


def run_one(prefecture: Prefecture, targets: PrefectureTargets, *, seed: int, as_of: date, replace: bool, marker: dict | None,
            status: str, echo, demo: bool = False) -> PrefectureReport:
    started = time.perf_counter()
    echo(f"  {prefecture.name} ({prefecture.slug}): generating…")
    with schema_context(prefecture.schema_name), transaction.atomic():
        if not demo:
            # Also on an empty schema: resets the sequences, so the same seed gives the same ids.
            wipe(prefecture.schema_name)
        bulk.TABLES = existing_tables(prefecture.schema_name) | existing_tables("public")
        loader = Loader(schema=prefecture.schema_name, when=aware(as_of, dtime(18)), echo=echo)
        gen = PrefectureGenerator(prefecture, targets, seed=seed, as_of=as_of, loader=loader, echo=echo, demo=demo)
        gen.run()
        if marker is not None:
            write_marker(prefecture.schema_name, marker)
    seconds = time.perf_counter() - started
    detail = ", ".join(f"{t} {s.rows:,}" for t, s in loader.stats.items())
    echo(f"  {prefecture.name} ({prefecture.slug}): {loader.rows:,} rows in {seconds:.1f}s "
         f"({loader.rows / seconds if seconds else 0:,.0f} rows/s) — {detail}")
    return PrefectureReport(prefecture.slug, status, loader.rows, seconds, {t: s.rows for t, s in loader.stats.items()}, gen.skipped)


def refresh_derived(slugs: list[str], echo) -> list[str]:
    """Rebuild what is derived from the loaded rows (search index, statistics roll-ups)
    through their own commands. COPY fires no change event, so this is how search and
    statistics follow a load; a missing command fails loudly (CommandError)."""
    done = []
    per_prefecture = [arg for slug in slugs for arg in ("--prefecture", slug)]
    for command, args in (("search", ["reindex", *per_prefecture]), ("stats", ["refresh", *per_prefecture])):
        started = time.perf_counter()
        echo(f"  liaison {command} {' '.join(args)} …")
        call_command(command, *args)
        connection.set_schema_to_public()
        done.append(f"{command} {args[0]} ({time.perf_counter() - started:.1f}s)")
    return done


def demo_targets(prefecture: Prefecture) -> PrefectureTargets:
    """Targets sized to the divisions the demo already created (a few thousand rows)."""
    from liaison.tenants.divisions.models import Division

    t = PrefectureTargets(slug=prefecture.slug, scale=0.0)
    with schema_context(prefecture.schema_name):
        rows = list(Division.objects.values_list("level", "path"))
    per_county: dict[str, list[int]] = {}
    for level, path in rows:
        parts = path.split("/")
        if level == "county":
            per_county.setdefault(parts[1], [0, 0])
        elif level in ("township", "village"):
            per_county.setdefault(parts[1], [0, 0])[0 if level == "township" else 1] += 1
    for code, (towns, vills) in per_county.items():
        t.counties[code] = CountyTargets(townships=towns, villages=vills, homes=1, stations=round(towns * 1.05),
                                         offices=round(vills * 0.85), deputies_county=towns * 4, deputies_township=round(vills * 3.5))
    positions = sum(1 + c.stations + c.offices for c in t.counties.values())
    t.prefecture_homes, t.online, t.professional, t.special = 1, 2, 2, 1
    t.deputies = {"national": 1, "provincial": 4, "prefecture": 30}
    t.opinions = round(positions * 1.5)
    t.people_received = round(t.opinions * 2.35)
    t.deputy_visits = round(t.opinions * 1.39)
    t.suggestions = round(t.opinions * 0.17)
    return t


def generate_demo_content(prefectures: list[Prefecture], seed: int, echo: Callable[[str], None] = print) -> None:
    """Sample content for `liaison demo` over the demo's divisions; prefectures that
    already hold content are left alone."""
    as_of = date.today()
    started, rows = time.perf_counter(), 0
    for prefecture in prefectures:
        if existing_content_beyond_divisions(prefecture.schema_name):
            echo(f"  {prefecture.name}: sample content already present, kept")
            continue
        r = run_one(prefecture, demo_targets(prefecture), seed=seed, as_of=as_of, replace=False, marker=None,
                    status="generated", echo=lambda s: None, demo=True)
        rows += r.rows
        echo(f"  {prefecture.name:<14} sample content: {r.rows:,} rows in {r.seconds:.1f}s")
    connection.set_schema_to_public()
    if rows:
        echo(f"  sample content: {rows:,} rows in {time.perf_counter() - started:.1f}s")
        refresh_derived([p.slug for p in prefectures], echo)


def existing_content_beyond_divisions(schema: str) -> bool:
    content = existing_content(schema)
    content.pop("divisions_division (townships and villages)", None)
    return bool(content)
