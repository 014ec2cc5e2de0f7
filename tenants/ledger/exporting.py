"""Exporting ledgers: the same columns the importers read, so an export imports back.

    write_export(path, kinds=["opinions", "opinion_history"], fmt="xlsx", filters=ExportFilters(...), personal=False)

Rows stream from the database (`.iterator()`), are written one by one (csv module, or
openpyxl's write-only workbook), and never sit in memory together. Personal data
(deputies' phone, ID number, e-mail; citizens' name and phone; units' contacts) is
masked unless the caller may read it (Principal.can_read_personal), with the one
masking implementation of the platform (liaison.platform.accounts.masking).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from liaison.platform.accounts.masking import mask_id_number, mask_name, mask_phone, mask_tracking_code, scrub_text
from liaison.tenants.deputies.models import Deputy, Level, Stationing, StationingBasis
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import (
    Channel,
    CloseReason,
    HandlingUnit,
    JurisdictionLevel,
    Opinion,
    Outcome,
    Rater,
    Reply,
    ReplyKind,
    Satisfaction,
    Status,
    Transition,
    UnitKind,
    UnitLevel,
)
from liaison.tenants.opinions import workflow
from liaison.tenants.positions.models import Position, SpecialKind, Tier
from liaison.tenants.positions.models import Status as PositionStatus

from .spec import LedgerKind, get_kind

ITER_CHUNK = 2000
FORMATS = ("csv", "xlsx")
CSV_ENCODINGS = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "gbk": "gb18030", "gb18030": "gb18030"}
ALL_KINDS = ("divisions", "positions", "deputies", "stationing", "units", "opinions", "opinion_history")


@dataclass
class ExportFilters:
    """What to export. Dates bound opinions' registration (and positions' establishment,
    stationing periods); status is an opinion status (or a position status for the
    positions ledger); positions are codes; category is a code or a name."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> "ExportFilters":
        data = dict(data or {})
        for key in ("date_from", "date_to"):
            if isinstance(data.get(key), str) and data[key]:
                data[key] = dt.date.fromisoformat(data[key])
        for key in ("status", "positions", "categories"):
            value = data.get(key) or []
            data[key] = [value] if isinstance(value, str) else list(value)
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"日期 {self.date_from or '…'} 至 {self.date_to or '…'}")
        if self.status:
            parts.append("状态 " + "、".join(self.status))
        if self.positions:
            parts.append("阵地 " + "、".join(self.positions))
        if self.categories:
            parts.append("类别 " + "、".join(self.categories))
        return "；".join(parts) or "全部"


def _label(enum, value) -> str:
    if not value:
        return ""
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def _local(value: dt.datetime | None):
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _day_range(filters: ExportFilters):
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(filters.date_from, dt.time.min), tz) if filters.date_from else None
    end = timezone.make_aware(dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min), tz) if filters.date_to else None
    return start, end


# --- rows per kind ----------------------------------------------------------------------------
# Each function yields rows as dicts keyed by column key; the writer orders them.

def _division_names() -> tuple[dict[int, tuple[str, str, str]], dict[int, str]]:
    """id → (county, township, village) names and id → code, for the division columns."""
    rows = list(Division.objects.values_list("id", "code", "name", "level", "parent_id"))
    by_id = {r[0]: r for r in rows}
    names: dict[int, tuple[str, str, str]] = {}
    codes = {r[0]: r[1] for r in rows}
    for pk, _code, _name, _level, _parent in rows:
        chain = {}
        current = by_id.get(pk)
        while current is not None and current[3] != Division.Level.PREFECTURE:
            chain[current[3]] = current[2]
            current = by_id.get(current[4])
        names[pk] = (chain.get("county", ""), chain.get("township", ""), chain.get("village", ""))
    return names, codes


def _division_cells(prefix: str, division_id, names, codes) -> dict:
    if not division_id:
        return {}
    county, township, village = names.get(division_id, ("", "", ""))
    return {f"{prefix}_code": codes.get(division_id, ""), f"{prefix}_path": "/".join(p for p in (county, township, village) if p),
            f"{prefix}_county": county, f"{prefix}_township": township, f"{prefix}_village": village}


def division_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    parents = dict(Division.objects.values_list("id", "code"))
    for d in Division.objects.order_by("path").values("code", "name", "level", "parent_id", "is_community").iterator(ITER_CHUNK):
        yield {"code": d["code"], "name": d["name"], "level": _label(Division.Level, d["level"]),
               "parent_code": parents.get(d["parent_id"], ""),
               "is_community": ("是" if d["is_community"] else "否") if d["level"] == Division.Level.VILLAGE else ""}


def position_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    names, codes = _division_names()
    position_codes = dict(Position.objects.values_list("id", "code"))
    qs = Position.objects.order_by("code")
    if filters.positions:
        qs = qs.filter(code__in=filters.positions)
    if filters.status:
        qs = qs.filter(status__in=[s for s in filters.status if s in PositionStatus.values])
    if filters.date_from:
        qs = qs.filter(established_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(established_on__lte=filters.date_to)
    for p in qs.values().iterator(ITER_CHUNK):
        yield {"code": p["code"], "name": p["name"], "tier": _label(Tier, p["tier"]), "special_kind": _label(SpecialKind, p["special_kind"]),
               "field": p["field"], **_division_cells("division", p["division_id"], names, codes),
               "parent_code": position_codes.get(p["parent_id"], ""), "counterpart_code": position_codes.get(p["counterpart_id"], ""),
               "status": _label(PositionStatus, p["status"]), "status_since": p["status_since"], "address": p["address"],
               "longitude": p["longitude"], "latitude": p["latitude"], "opening_hours": p["opening_hours"],
               "established_on": p["established_on"], "online_url": p["online_url"]}


def deputy_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    names, codes = _division_names()
    from liaison.platform.roster.models import ProvinceDeputy

    identities = dict(ProvinceDeputy.objects.filter(pk__in=Deputy.objects.exclude(identity=None).values("identity"))
                      .values_list("pk", "code"))
    qs = Deputy.objects.order_by("roll_number")
    if filters.positions:
        qs = qs.filter(stationings__position__code__in=filters.positions).distinct()
    for d in qs.values().iterator(ITER_CHUNK):
        phone, id_number, email = d["phone"], d["id_number"], d["email"]
        if not personal:
            phone, id_number = mask_phone(phone), mask_id_number(id_number)
            email = (email[:1] + "***@" + email.split("@", 1)[1]) if "@" in email else ""
        yield {"roll_number": d["roll_number"], "name": d["name"], "level": _label(Level, d["level"]),
               **_division_cells("constituency", d["constituency_id"], names, codes),
               "gender": d["gender"], "ethnicity": d["ethnicity"], "occupation": d["occupation"], "phone": phone,
               "id_number": id_number, "email": email, "bio": d["bio"], "active": "是" if d["active"] else "否",
               "on_roll": "是" if d["on_roll"] else "否", "identity_code": identities.get(d["identity_id"], "")}


def stationing_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    qs = Stationing.objects.order_by("deputy__roll_number", "position__code", "start_on", "id")
    if filters.positions:
        qs = qs.filter(position__code__in=filters.positions)
    if filters.date_to:
        qs = qs.filter(start_on__lte=filters.date_to)
    if filters.date_from:
        qs = qs.filter(Q(end_on__isnull=True) | Q(end_on__gte=filters.date_from))
    fields = ("deputy__roll_number", "deputy__name", "position__code", "position__name", "basis", "start_on", "end_on", "note")
    for s in qs.values(*fields).iterator(ITER_CHUNK):
        yield {"roll_number": s["deputy__roll_number"], "deputy_name": s["deputy__name"], "position_code": s["position__code"],
               "position_name": s["position__name"], "basis": _label(StationingBasis, s["basis"]), "start_on": s["start_on"],
               "end_on": s["end_on"], "note": s["note"]}


def unit_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    names, codes = _division_names()
    categories: dict[int, list[str]] = {}
    for unit_id, name in HandlingUnit.categories.through.objects.values_list("handlingunit_id", "category__name"):
        categories.setdefault(unit_id, []).append(name)
    for u in HandlingUnit.objects.order_by("division__code", "name").values().iterator(ITER_CHUNK):
        yield {"name": u["name"], "kind": _label(UnitKind, u["kind"]), "level": _label(UnitLevel, u["level"]),
               **_division_cells("division", u["division_id"], names, codes),
               "categories": "、".join(sorted(categories.get(u["id"], []))), "supervises": "是" if u["supervises"] else "否",
               "contact_name": u["contact_name"] if personal else mask_name(u["contact_name"]),
               "notify_channel": u["notify_channel"],
               "notify_address": u["notify_address"] if personal else mask_phone(u["notify_address"]) if u["notify_address"] else "",
               "active": "是" if u["active"] else "否"}


def filtered_opinions(filters: ExportFilters):
    qs = Opinion.objects.filter(origin_schema="")
    start, end = _day_range(filters)
    if start:
        qs = qs.filter(registered_at__gte=start)
    if end:
        qs = qs.filter(registered_at__lt=end)
    if filters.status:
        qs = qs.filter(status__in=[s for s in filters.status if s in Status.values])
    if filters.positions:
        qs = qs.filter(position__code__in=filters.positions)
    if filters.categories:
        qs = qs.filter(Q(category__code__in=filters.categories) | Q(category__name__in=filters.categories))
    return qs


def opinion_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    names, codes = _division_names()
    qs = filtered_opinions(filters).order_by("registered_at", "id").select_related(
        "position", "deputy", "category", "handling_unit", "suggestion", "duplicate_of")
    # Latest reply and its ratings per opinion, fetched per batch of opinions.
    batch: list[Opinion] = []
    for op in qs.iterator(ITER_CHUNK):
        batch.append(op)
        if len(batch) >= ITER_CHUNK:
            yield from _opinion_batch(batch, names, codes, personal)
            batch = []
    if batch:
        yield from _opinion_batch(batch, names, codes, personal)


def _opinion_batch(batch: list[Opinion], names, codes, personal: bool) -> Iterator[dict]:
    latest: dict[int, Reply] = {}
    for reply in Reply.objects.filter(opinion_id__in=[o.pk for o in batch]).prefetch_related("evaluations").order_by("replied_at", "id"):
        latest[reply.opinion_id] = reply
    for op in batch:
        reply = latest.get(op.pk)
        rated = {e.rater: e for e in reply.evaluations.all()} if reply else {}
        citizen = {"name": op.citizen_name, "phone": op.citizen_phone} if personal else {
            "name": mask_name(op.citizen_name), "phone": mask_phone(op.citizen_phone)}
        text = _text_masker(personal, op.citizen_name, op.citizen_phone)
        yield {
            "tracking_code": _code(op.tracking_code, personal), "source_reference": op.source_reference, "registered_at": _local(op.registered_at),
            "channel": _label(Channel, op.channel), "position_code": op.position.code if op.position else "",
            "position_name": op.position.name if op.position else "",
            **_division_cells("division", op.division_id, names, codes),
            "deputy_roll_number": op.deputy.roll_number if op.deputy else "", "deputy_name": op.deputy.name if op.deputy else "",
            "citizen_name": citizen["name"], "citizen_phone": citizen["phone"], "title": text(op.title), "content": text(op.content),
            "category": op.category.name if op.category else "", "jurisdiction_level": _label(JurisdictionLevel, op.jurisdiction_level),
            "status": _label(Status, op.status), "triaged_at": _local(op.triaged_at),
            "handling_unit": op.handling_unit.name if op.handling_unit else "", "referred_at": _local(op.referred_at),
            "due_on": op.due_on, "round": op.round, "replied_at": _local(reply.replied_at if reply else op.replied_at),
            "reply_kind": _label(ReplyKind, reply.kind) if reply else "", "reply": text(reply.content) if reply else "",
            "outcome": reply.outcome if reply else "",
            "delivered_to_citizen_at": _local(reply.delivered_to_citizen_at) if reply else None,
            "delivered_to_deputy_at": _local(reply.delivered_to_deputy_at) if reply else None,
            "citizen_satisfaction": _label(Satisfaction, rated[Rater.CITIZEN].satisfaction) if Rater.CITIZEN in rated else "",
            "citizen_rated_at": _local(rated[Rater.CITIZEN].rated_at) if Rater.CITIZEN in rated else None,
            "deputy_satisfaction": _label(Satisfaction, rated[Rater.DEPUTY].satisfaction) if Rater.DEPUTY in rated else "",
            "deputy_rated_at": _local(rated[Rater.DEPUTY].rated_at) if Rater.DEPUTY in rated else None,
            "closed_at": _local(op.closed_at), "closed_reason": _label(CloseReason, op.closed_reason),
            "duplicate_of": _code(op.duplicate_of.tracking_code, personal) if op.duplicate_of else "",
            "suggestion_number": op.suggestion.number if op.suggestion else "",
        }


def _code(tracking_code: str, personal: bool) -> str:
    """Tracking codes are personal data: they let their holder act as the citizen."""
    return tracking_code if personal else mask_tracking_code(tracking_code)


def _text_masker(personal: bool, name: str, phone: str) -> Callable[[str], str]:
    """Free text as the reader may see it: phones and names typed into it are masked."""
    if personal:
        return lambda value: value
    return lambda value: scrub_text(value, names=[name], phones=[phone])


def history_rows(filters: ExportFilters, personal: bool) -> Iterator[dict]:
    import json

    opinions = filtered_opinions(filters)
    qs = (Transition.objects.filter(opinion__in=opinions).order_by("opinion__registered_at", "opinion_id", "at", "id")
          .values("opinion__tracking_code", "opinion__source_reference", "at", "action", "from_status", "to_status", "actor_kind",
                  "actor_label", "note", "data", "opinion__citizen_name", "opinion__citizen_phone"))
    for t in qs.iterator(ITER_CHUNK):
        text = _text_masker(personal, t["opinion__citizen_name"], t["opinion__citizen_phone"])
        yield {"tracking_code": _code(t["opinion__tracking_code"], personal), "source_reference": t["opinion__source_reference"], "at": _local(t["at"]),
               "action": workflow.label(t["action"]), "from_status": _label(Status, t["from_status"]),
               "to_status": _label(Status, t["to_status"]), "actor_kind": _label(Transition.ActorKind, t["actor_kind"]),
               "actor_label": t["actor_label"], "note": text(t["note"]),
               "data": text(json.dumps(t["data"], ensure_ascii=False, sort_keys=True)) if t["data"] else ""}


ROWS: dict[str, Callable[[ExportFilters, bool], Iterator[dict]]] = {
    "divisions": division_rows, "positions": position_rows, "deputies": deputy_rows, "stationing": stationing_rows,
    "units": unit_rows, "opinions": opinion_rows, "opinion_history": history_rows,
}


def count_rows(kind: str, filters: ExportFilters) -> int:
    if kind == "opinions":
        return filtered_opinions(filters).count()
    if kind == "opinion_history":
        return Transition.objects.filter(opinion__in=filtered_opinions(filters)).count()
    model = {"divisions": Division, "positions": Position, "deputies": Deputy, "stationing": Stationing, "units": HandlingUnit}[kind]
    return model.objects.count()


# --- writers ------------------------------------------------------------------------------------

def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return _csv_text(str(value))


FORMULA_STARTS = ("=", "+", "-", "@")


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        # XML cannot carry control characters: one in a citizen's title would make
        # openpyxl refuse the whole workbook, for every reader of the export.
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _csv_text(value: str) -> str:
    """A cell that Excel would run as a formula gets a leading apostrophe (CSV injection);
    readers.cell_text drops it again, so the value round-trips."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def resolve_kinds(names: Iterable[str]) -> list[LedgerKind]:
    wanted: list[LedgerKind] = []
    for name in names:
        if name in ("all", "全部"):
            wanted += [get_kind(k) for k in ALL_KINDS]
        else:
            wanted.append(get_kind(name))
    seen, ordered = set(), []
    for kind in sorted(wanted, key=lambda k: k.order):
        if kind.key not in seen:
            seen.add(kind.key)
            ordered.append(kind)
    return ordered


ProgressCallback = Callable[[str, int], None]


@dataclass
class ExportResult:
    path: Path
    rows: dict[str, int]
    filename: str
    content_type: str


def write_export(path: str | Path, *, kinds: Iterable[str], fmt: str = "xlsx", filters: ExportFilters | None = None,
                 personal: bool = False, encoding: str = "utf-8-sig", progress: ProgressCallback | None = None,
                 title: str = "") -> ExportResult:
    """Write the ledgers of the current schema to `path` (CSV: one kind, or a ZIP of CSVs)."""
    filters = filters or ExportFilters()
    chosen = resolve_kinds(kinds)
    path = Path(path)
    counts: dict[str, int] = {}
    if fmt == "xlsx":
        _write_xlsx(path, chosen, filters, personal, counts, progress, title)
        return ExportResult(path, counts, path.name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}: use csv or xlsx")
    codec = CSV_ENCODINGS.get(encoding.lower())
    if codec is None:
        raise ValueError(f"unknown encoding {encoding!r}: use utf-8-sig, utf-8 or gbk")
    if len(chosen) == 1:
        with open(path, "w", encoding=codec, errors="replace", newline="") as out:
            counts[chosen[0].key] = _write_csv(out, chosen[0], filters, personal, progress)
        return ExportResult(path, counts, path.name, "text/csv")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind in chosen:
            with archive.open(f"{kind.order:02d}-{kind.sheet}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
                counts[kind.key] = _write_csv(text, kind, filters, personal, progress)
                text.flush()
                text.detach()
    return ExportResult(path, counts, path.name, "application/zip")


def _chunk_done(kind: str, n: int, progress) -> None:
    if settings.DEBUG and not connection.force_debug_cursor:   # (a test capturing queries keeps them)
        connection.queries_log.clear()   # DEBUG logs every query; keep memory flat on large exports
    if progress:
        progress(kind, n)


def _write_csv(out, kind: LedgerKind, filters: ExportFilters, personal: bool, progress) -> int:
    columns = kind.exported_columns
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    n = 0
    for row in ROWS[kind.key](filters, personal):
        writer.writerow([_csv_value(row.get(c.key)) for c in columns])
        n += 1
        if n % ITER_CHUNK == 0:
            _chunk_done(kind.key, n, progress)
    if progress:
        progress(kind.key, n)
    return n


def _write_xlsx(path: Path, chosen: list[LedgerKind], filters: ExportFilters, personal: bool, counts: dict, progress, title: str):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for kind in chosen:
        ws = wb.create_sheet(kind.sheet)
        columns = kind.exported_columns
        for i, c in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.freeze_panes = "A2"
        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=c.header)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        ws.append(header)
        n = 0
        for row in ROWS[kind.key](filters, personal):
            values = [_xlsx_value(row.get(c.key)) for c in columns]
            if any(isinstance(v, str) and v[:1] == "=" for v in values):
                values = [_text_cell(ws, v) if isinstance(v, str) and v[:1] == "=" else v for v in values]
            ws.append(values)
            n += 1
            if n % ITER_CHUNK == 0:
                _chunk_done(kind.key, n, progress)
        counts[kind.key] = n
        if progress:
            progress(kind.key, n)
    about = wb.create_sheet("导出说明")
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 60
    for item in (("台账", title or "、".join(k.title for k in chosen)), ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
                 ("筛选条件", filters.describe()), ("个人信息", "完整" if personal else "已打码（无权限查看个人信息）"),
                 *((f"{k.title}行数", counts.get(k.key, 0)) for k in chosen),
                 ("说明", "本文件可按原样导入本系统（行政区划→阵地→代表→进站→承办单位→意见建议→办理过程）；"
                        "打码的个人信息不能导入。")):
        about.append(list(item))
    wb.save(path)


def _text_cell(ws, value: str):
    """openpyxl writes a string starting with "=" as a formula; force a text cell."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


__all__ = ["ExportFilters", "write_export", "resolve_kinds", "count_rows", "ALL_KINDS", "FORMATS", "Outcome"]
