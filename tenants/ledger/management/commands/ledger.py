"""`liaison ledger import|export|template`: ledgers (台账) in and out of one prefecture.

    liaison ledger template --kind positions --format xlsx -o 阵地台账模板.xlsx
    liaison ledger import --prefecture kunming 阵地台账.xlsx --dry-run     # check only: every problem, nothing written
    liaison ledger import --prefecture kunming 阵地台账.xlsx               # all or nothing, in one transaction
    liaison ledger export --prefecture kunming --kind opinions --kind opinion_history \
        --from 2024-01-01 --to 2024-12-31 --status replied --format xlsx -o 意见建议台账.xlsx
"""
from __future__ import annotations

import datetime as dt
import json

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.ledger import services, spec
from liaison.tenants.ledger.exporting import ExportFilters
from liaison.tenants.ledger.blanks import csv_template, template_kinds, xlsx_template
from liaison.tenants.registry.models import Prefecture


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Import, export and template ledgers (台账) of a prefecture."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a CSV/XLSX ledger (all or nothing); --dry-run only checks.")
        imp.add_argument("file")
        imp.add_argument("--prefecture", "-p", required=True, help="prefecture slug, e.g. kunming")
        imp.add_argument("--kind", default="auto", help=f"auto (by sheet names and headers) or one of: {', '.join(spec.kind_names())}")
        imp.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
        imp.add_argument("--report", help="also write the problems to this CSV file")
        imp.add_argument("--json", action="store_true", help="print the report as JSON")
        imp.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
        imp.add_argument("--limit", type=int, default=200, help="problems listed on screen (all go to --report)")

        exp = sub.add_parser("export", help="Export ledgers as CSV or XLSX.")
        exp.add_argument("--prefecture", "-p", required=True)
        exp.add_argument("--kind", action="append", dest="kinds", help="ledger to export (repeatable); all = every ledger")
        exp.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
        exp.add_argument("--encoding", default="utf-8-sig", help="CSV encoding: utf-8-sig (default), utf-8, gbk")
        exp.add_argument("--output", "-o", required=True)
        exp.add_argument("--from", dest="date_from", type=_date, help="opinions registered on or after (YYYY-MM-DD)")
        exp.add_argument("--to", dest="date_to", type=_date, help="opinions registered on or before")
        exp.add_argument("--status", action="append", default=[], help="status code, e.g. replied (repeatable)")
        exp.add_argument("--position", action="append", default=[], help="position code (repeatable)")
        exp.add_argument("--category", action="append", default=[], help="category code or name (repeatable)")
        exp.add_argument("--personal", action="store_true", help="include personal data unmasked (names, phones, ID numbers)")
        exp.add_argument("--quiet", "-q", action="store_true")

        tpl = sub.add_parser("template", help="Write a blank template with the column guide.")
        tpl.add_argument("--kind", default="all", help="all or one kind")
        tpl.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
        tpl.add_argument("--output", "-o", required=True)

    def handle(self, *args, action, **opts):
        return getattr(self, f"do_{action}")(**opts)

    def _prefecture(self, slug: str) -> Prefecture:
        prefecture = Prefecture.objects.filter(slug=slug).first()
        if prefecture is None:
            raise CommandError(f"prefecture: no prefecture named {slug!r} (see `liaison prefecture list`)", returncode=2)
        return prefecture

    def _progress(self, quiet: bool):
        if quiet:
            return None
        started = time.perf_counter()

        def show(sheet, rows, problems=0):
            rate = rows / max(time.perf_counter() - started, 1e-6)
            label = sheet or "rows"
            self.stderr.write(f"  {label}: {rows} 行，问题 {problems}，{rate:,.0f} 行/秒", ending="\n")
        return show

    def do_import(self, *, file, prefecture, kind, dry_run, report, json: bool, quiet, limit, **_):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"file: {file} does not exist", returncode=2)
        pref = self._prefecture(prefecture)
        try:
            with schema_context(pref.schema_name):
                result = services.import_file(path, kind=kind, dry_run=dry_run, progress=self._progress(quiet), actor="命令行导入")
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors), returncode=2) from None
        if report:
            Path(report).write_text(result.problems_csv(), encoding="utf-8")
        if json:
            self.stdout.write(_json_dumps(result.to_dict()))
        else:
            self.stdout.write(result.text(limit=limit))
            self.stdout.write(f"用时 {result.seconds:.1f} 秒")
        if not result.ok:
            raise CommandError(f"{result.problem_count} 个问题，未写入任何数据", returncode=1)

    def do_export(self, *, prefecture, kinds, format, encoding, output, date_from, date_to, status, position, category, personal,
                  quiet, **_):
        pref = self._prefecture(prefecture)
        filters = ExportFilters(date_from=date_from, date_to=date_to, status=status, positions=position, categories=category)
        started = time.perf_counter()

        def progress(kind, rows):
            if not quiet:
                self.stderr.write(f"  {kind}: {rows} 行")
        try:
            with schema_context(pref.schema_name):
                result = services.export_file(output, kinds=kinds or ["all"], fmt=format, filters=filters, personal=personal,
                                              encoding=encoding, progress=progress)
        except ServiceError as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors), returncode=2) from None
        counts = "，".join(f"{spec.get_kind(k).title} {n} 行" for k, n in result.rows.items())
        self.stdout.write(f"已导出 {result.path}：{counts}（{'含' if personal else '打码'}个人信息，{time.perf_counter() - started:.1f} 秒）")

    def do_template(self, *, kind, format, output, **_):
        try:
            kinds = template_kinds(kind)
        except KeyError:
            raise CommandError(f"kind: unknown ledger {kind!r}; use all or one of {', '.join(spec.kind_names())}", returncode=2) from None
        if format == "csv":
            if len(kinds) != 1 or kind in ("all",):
                if kind == "all":
                    raise CommandError("kind: a CSV template holds one ledger; name it, or use --format xlsx", returncode=2)
            data = csv_template(kinds[0] if len(kinds) == 1 else spec.get_kind(kind))
        else:
            data = xlsx_template(kinds)
        Path(output).write_bytes(data)
        self.stdout.write(f"已写出模板 {output}（{'、'.join(k.title for k in kinds)}）")


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)



