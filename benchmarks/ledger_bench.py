"""Ledger import/export at scale: throughput and peak memory for a 100,000-row opinion
ledger (dry run, import, re-import, XLSX dry run, CSV and XLSX export), plus the base
ledgers (divisions, positions, deputies, stationing, units) it refers to.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_ledger
    liaison migrate_schemas
    .venv/bin/python benchmarks/ledger_bench.py [--rows 100000] [--deputies 20000] [--keep] [--write-docs]

It provisions a throw-away prefecture `ledgerbench` (code 539903), generates the files
into a temporary folder, runs every phase through liaison.tenants.ledger.services (the
code the command line, the admin and the API run), and drops the prefecture at the end
unless --keep. Peak memory is the process's resident set size sampled every 20 ms
during a phase; "growth" is that peak minus the resident size when the phase began.
With --write-docs the results replace the "## Ledger import and export" section of
docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import git_revision, machine, setup_django  # noqa: E402

setup_django()

import psutil  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from liaison.tenants.ledger import services  # noqa: E402
from liaison.tenants.registry.models import Prefecture  # noqa: E402
from liaison.tenants.registry.provisioning import create_prefecture, delete_prefecture  # noqa: E402

SLUG, CODE = "ledgerbench", "539903"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
SECTION = "## Ledger import and export"
TOPICS = ["路灯不亮", "道路坑洼", "饮水困难", "垃圾清运不及时", "停车位不足", "养老院床位紧张", "卫生院医生太少", "公交班次太少",
          "校舍老旧", "夜间施工噪音", "电压不稳", "集贸市场脏乱"]
FILLER = "群众反映强烈，希望有关部门尽快研究解决。附近居民三百多户，出行和生活受到很大影响，请相关部门实地查看并给予答复。"
CATEGORIES = ["城乡建设", "交通运输", "生态环境", "农林水", "教科文卫", "政法社保", "经济建设", "其他"]


class PeakMemory:
    def __init__(self):
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


RESULTS: list[dict] = []


def phase(name: str, rows: int, func):
    with PeakMemory() as mem:
        started = time.perf_counter()
        outcome = func()
        seconds = time.perf_counter() - started
    RESULTS.append({"name": name, "rows": rows, "seconds": seconds, "rate": rows / seconds if seconds else 0,
                    "peak": mem.peak / 2**20, "growth": (mem.peak - mem.start) / 2**20})
    print(f"  {name:<58} {rows:>8} rows {seconds:8.1f} s {rows / seconds if seconds else 0:9,.0f} rows/s"
          f"  peak RSS {mem.peak / 2**20:6.0f} MiB (+{(mem.peak - mem.start) / 2**20:.0f})", flush=True)
    return outcome


def write_csv(path: Path, rows, encoding="utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        for row in rows:
            writer.writerow(row)
    return path


def county_code(c: int) -> str:
    return f"{CODE[:4]}{50 + c:02d}"


def base_files(folder: Path, counties=5, townships=10, villages=10, deputies_per_village=3):
    div = [["区划代码", "区划名称", "层级", "上级区划代码", "是否社区"]]
    pos = [["阵地编码", "阵地名称", "类型", "所在区划代码", "上级阵地编码", "建设状态", "建成日期"]]
    dep = [["代表证号", "姓名", "代表层级", "选区代码", "性别", "联系电话"]]
    sta = [["代表证号", "阵地编码", "进站日期"]]
    units = [["承办单位", "单位类型", "单位层级", "所在区划代码"]]
    stations = []
    for c in range(1, counties + 1):
        cc = county_code(c)
        div.append([cc, f"第{c}县", "县", CODE, ""])
        pos.append([f"J-{cc}", f"第{c}县人大代表之家", "代表之家", cc, "", "已运行", "2019-06-01"])
        units.append([f"第{c}县住房和城乡建设局", "县级部门", "县级", cc])
        for t in range(1, townships + 1):
            tc = f"{cc}{t:03d}"
            div.append([tc, f"第{c}县第{t}镇", "乡镇", cc, ""])
            pos.append([f"Z-{tc}", f"第{c}县第{t}镇人大代表工作站", "代表工作站", tc, f"J-{cc}", "已运行", "2020-03-01"])
            stations.append(f"Z-{tc}")
            for v in range(1, villages + 1):
                vc = f"{tc}{v:03d}"
                div.append([vc, f"第{t}镇第{v}村", "村", tc, "否"])
                pos.append([f"S-{vc}", f"第{t}镇第{v}村人大代表联络室", "代表联络室", vc, f"Z-{tc}", "已运行", "2021-01-01"])
                for d in range(deputies_per_village):
                    roll = f"D-{vc}-{d}"
                    dep.append([roll, f"代表{vc[-5:]}{d}", "乡镇人大代表", vc, "女" if d % 2 else "男", f"139{int(vc[-7:]) % 10**7:07d}{d}"[:11]])
                    sta.append([roll, f"Z-{tc}", "2022-01-10"])
    write_csv(folder / "divisions.csv", div)
    write_csv(folder / "positions.csv", pos)
    write_csv(folder / "deputies.csv", dep)
    write_csv(folder / "stationing.csv", sta)
    write_csv(folder / "units.csv", units)
    return {"divisions": len(div) - 1, "positions": len(pos) - 1, "deputies": len(dep) - 1, "stationing": len(sta) - 1,
            "units": len(units) - 1, "stations": stations, "counties": counties}


def opinion_rows(n: int, stations: list[str], counties: int, seed: int = 7):
    rng = random.Random(seed)
    now = timezone.localtime()
    yield ["来源编号", "登记时间", "来源渠道", "阵地编码", "群众姓名", "联系电话", "标题", "内容", "类别", "管辖层级", "办理状态",
           "承办单位", "交办时间", "答复时间", "答复内容", "办理结果", "送达群众时间", "群众满意度", "群众评价时间", "办结时间", "办结方式"]
    for i in range(n):
        registered = now - dt.timedelta(days=rng.randint(30, 2000), minutes=rng.randint(0, 1440))
        fmt = "%Y-%m-%d %H:%M"
        topic = rng.choice(TOPICS)
        station = rng.choice(stations)
        county = int(station[2:8][-2:]) - 50
        row = [f"BENCH-{i:07d}", registered.strftime(fmt), rng.choice(["接待日", "意见箱", "民情观察员", "网上"]), station,
               "王" + "某" * rng.randint(1, 2), f"13{rng.randint(0, 999999999):09d}", f"{topic}（{i}）", f"{topic}。{FILLER}",
               rng.choice(CATEGORIES), "县级"]
        kind = i % 3
        if kind == 0:
            row += ["已登记"] + [""] * 10
        else:
            unit = f"第{min(county, counties)}县住房和城乡建设局"
            referred = registered + dt.timedelta(days=1)
            if kind == 1:
                row += ["已交办", unit, referred.strftime(fmt)] + [""] * 8
            else:
                replied, delivered, rated = (registered + dt.timedelta(days=d) for d in (8, 9, 10))
                row += ["已办结", unit, referred.strftime(fmt), replied.strftime(fmt), "已协调有关部门处理，问题已解决。", "A",
                        delivered.strftime(fmt), rng.choice(["满意", "基本满意"]), rated.strftime(fmt), rated.strftime(fmt), "已评价"]
        yield row


def xlsx_copy(csv_path: Path, xlsx_path: Path, sheet: str) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    wb.save(xlsx_path)
    return xlsx_path


def check(report, label):
    if not report.ok:
        print(report.text(limit=20))
        raise SystemExit(f"{label}: unexpected problems")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="opinion rows (default 100,000)")
    parser.add_argument("--deputies", type=int, default=0, help="also time a deputy roll of this many rows (validate_deputy per row)")
    parser.add_argument("--keep", action="store_true", help="keep the ledgerbench prefecture afterwards")
    parser.add_argument("--inline-background", action="store_true",
                        help="run the work an import queues (search indexing, statistics) inside the timed phase, as eager "
                             "Celery does in development; by default it is queued for workers and not timed")
    parser.add_argument("--write-docs", action="store_true", help="write the results into docs/BENCHMARKS.md")
    args = parser.parse_args()

    print(f"== Ledger import/export benchmark\n   machine: {machine()}\n   revision: {git_revision()}")
    if not args.inline_background:
        from liaison.platform.celery import app

        app.conf.task_always_eager = False      # queued (in memory), as for real workers; not timed
        app.conf.broker_url = "memory://"
    if Prefecture.objects.filter(slug=SLUG).exists():
        delete_prefecture(SLUG, confirm=True)
    create_prefecture(code=CODE, slug=SLUG, name="台账基准州", name_en="Ledger Bench", kind="city")
    folder = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    try:
        with schema_context(SLUG):
            run(folder, args)
    finally:
        if not args.keep:
            delete_prefecture(SLUG, confirm=True)
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    table = render(args)
    print("\n" + table)
    if args.write_docs:
        write_docs(table)
        print(f"written to {DOCS}")


def run(folder: Path, args):
    base = base_files(folder)
    for kind in ("divisions", "positions", "deputies", "stationing", "units"):
        path = folder / f"{kind}.csv"
        phase(f"import {kind} (CSV)", base[kind], lambda p=path: check(services.import_file(p, dry_run=False), kind))
    n = args.rows
    src = write_csv(folder / "opinions.csv", opinion_rows(n, base["stations"], base["counties"]))
    size = src.stat().st_size / 2**20
    print(f"  opinion file: {n} rows, {size:.1f} MiB (UTF-8 CSV)")
    phase(f"opinions CSV dry run ({size:.0f} MiB)", n, lambda: check(services.import_file(src, dry_run=True), "dry run"))
    phase("opinions CSV import (one transaction)", n, lambda: check(services.import_file(src, dry_run=False), "import"))
    again = phase("opinions CSV re-import (all rows unchanged)", n, lambda: check(services.import_file(src, dry_run=False), "re-import"))
    assert again.totals()["unchanged"] == n, again.totals()
    gbk = folder / "opinions-gbk.csv"
    with open(src, encoding="utf-8-sig") as fin, open(gbk, "w", encoding="gb18030") as fout:
        for line in fin:
            fout.write(line)
    phase("opinions GBK CSV dry run (same rows, now all unchanged)", n, lambda: check(services.import_file(gbk, dry_run=True), "gbk"))
    xlsx = xlsx_copy(src, folder / "opinions.xlsx", "意见建议")
    phase(f"opinions XLSX dry run ({xlsx.stat().st_size / 2**20:.0f} MiB, read-only; rows unchanged)", n,
          lambda: check(services.import_file(xlsx, dry_run=True), "xlsx"))
    out_csv = folder / "export.csv"
    phase("export opinion ledger, CSV", n, lambda: services.export_file(out_csv, kinds=["opinions"], fmt="csv", personal=True))
    out_xlsx = folder / "export.xlsx"
    steps = services.exporting.count_rows("opinion_history", services.ExportFilters())
    phase(f"export opinions + history ({steps} steps), XLSX write-only", n + steps,
          lambda: services.export_file(out_xlsx, kinds=["opinions", "opinion_history"], fmt="xlsx", personal=True))
    phase("import that XLSX back (opinions + history, unchanged)", n + steps,
          lambda: check(services.import_file(out_xlsx, dry_run=False), "xlsx re-import"))
    if args.deputies:
        rows = [["代表证号", "姓名", "代表层级", "选区代码", "性别", "联系电话"]]
        villages = [f"{county_code(c)}{t:03d}{v:03d}" for c in range(1, 6) for t in range(1, 11) for v in range(1, 11)]
        rows += [[f"R-{i:07d}", f"代表{i}", "乡镇人大代表", villages[i % len(villages)], "男", f"138{i:08d}"] for i in range(args.deputies)]
        path = write_csv(folder / "roll.csv", rows)
        phase("deputy roll import (validate_deputy per row)", args.deputies,
              lambda: check(services.import_file(path, dry_run=False), "deputies"))


def render(args) -> str:
    command = f"`.venv/bin/python benchmarks/ledger_bench.py --rows {args.rows}" + (f" --deputies {args.deputies}" if args.deputies else "")
    lines = [
        SECTION, "",
        f"{command}` (after `liaison migrate_schemas`; `--write-docs` writes this section), revision {git_revision()}.",
        f"Machine: {machine()}.", "",
        "A throw-away prefecture gets 555 divisions, 555 positions, 1,500 deputies stationed at 50 stations and 5 handling",
        f"units, then an opinion ledger of {args.rows:,} rows (a third registered, a third referred, a third closed with",
        "reply, delivery and rating). Every phase runs through `liaison.tenants.ledger.services`, as the command, the admin",
        "and the API do. Work an import queues for after commit (search indexing, statistics) goes to the Celery queue and",
        "is " + ("timed (`--inline-background`)." if args.inline_background else "not timed (`--inline-background` runs it inside the phase)."),
        "Peak memory is the resident set of the whole process (Django, the ORM, openpyxl), sampled every 20 ms;",
        "\"growth\" is what the phase added to it.", "",
        "| phase | rows | seconds | rows/s | peak RSS | growth |", "|---|---:|---:|---:|---:|---:|",
    ]
    for r in RESULTS:
        lines.append(f"| {r['name']} | {r['rows']:,} | {r['seconds']:.1f} | {r['rate']:,.0f} | {r['peak']:.0f} MiB | +{r['growth']:.0f} MiB |")
    lines += ["", "Memory does not follow the file: rows are read (csv module; openpyxl read-only), checked and written in",
              "chunks of 2,000, and exports stream from `.iterator()` into the csv module or openpyxl's write-only workbook.",
              "What grows is one small entry per natural key (duplicates and references within the file), the division index",
              "and the problem list (capped at 5,000). The import is one transaction; the dry run is the same work rolled back.", ""]
    return "\n".join(lines)


def write_docs(table: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(SECTION)
    nxt = re.search(r"^## ", text[start + len(SECTION):], flags=re.M)
    end = start + len(SECTION) + nxt.start() if nxt else len(text)
    DOCS.write_text(text[:start] + table + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
