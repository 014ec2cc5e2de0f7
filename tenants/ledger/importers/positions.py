"""Positions (阵地台账): homes, stations, offices, online/professional/special stations.

Rules come from the positions app: `positions.rules.hierarchy_errors` (where each tier
may sit, which tier may be its parent, online counterparts, field / special kind) runs
for every row; status changes of existing positions go through
`positions.services.change_status`; "达标" is never imported as such, it is derived by
`refresh_standard_status` from the checklist (as everywhere else).
New positions are bulk-inserted with their first status record, as `create_position`
writes them.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from liaison.tenants.common import changes
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.positions import rules
from liaison.tenants.positions import services as position_services
from liaison.tenants.positions.models import Position, PositionStatusChange, SpecialKind, Status, Tier

from ..parsing import CellError, choice_lookup, parse_choice, parse_code, parse_date, parse_decimal, parse_text
from ..spec import Column, LedgerKind, register
from .base import Row, SheetImporter
from .divisions import DivInfo, division_columns, resolve_division

TIER_ALIASES = {
    "家": Tier.HOME, "之家": Tier.HOME, "代表之家": Tier.HOME, "人大代表之家": Tier.HOME,
    "站": Tier.STATION, "工作站": Tier.STATION, "代表工作站": Tier.STATION, "人大代表工作站": Tier.STATION,
    "室": Tier.OFFICE, "联络室": Tier.OFFICE, "代表联络室": Tier.OFFICE, "人大代表联络室": Tier.OFFICE, "联络点": Tier.OFFICE,
    "网上": Tier.ONLINE, "网上阵地": Tier.ONLINE, "网上代表活动阵地": Tier.ONLINE,
    "专业站": Tier.PROFESSIONAL, "专业代表工作站": Tier.PROFESSIONAL,
    "特色站": Tier.SPECIAL, "特色代表工作站": Tier.SPECIAL,
}
STATUS_ALIASES = {"规划": Status.PLANNED, "在建": Status.BUILDING, "建设": Status.BUILDING, "运行": Status.OPEN,
                  "已建成": Status.OPEN, "运行中": Status.OPEN, "已达标": Status.STANDARD, "关闭": Status.CLOSED, "撤销": Status.CLOSED}
SPECIAL_ALIASES = {"楼宇站": SpecialKind.BUILDING, "商圈站": SpecialKind.BUSINESS_DISTRICT, "校园站": SpecialKind.CAMPUS}
# create_position accepts these for a new position; "达标" is derived, "已关闭" is a later transition.
CREATABLE_STATUSES = (Status.PLANNED, Status.BUILDING, Status.OPEN)

_TIERS = choice_lookup(Tier.choices, TIER_ALIASES)
_STATUSES = choice_lookup(Status.choices, STATUS_ALIASES)
_SPECIALS = choice_lookup(SpecialKind.choices, SPECIAL_ALIASES)


def _tier(t):
    return parse_choice(t, _TIERS, [label for _, label in Tier.choices])


def _status(t):
    return parse_choice(t, _STATUSES, [label for _, label in Status.choices])


def _special(t):
    return parse_choice(t, _SPECIALS, [label for _, label in SpecialKind.choices])


def _url(text: str) -> str:
    value = parse_text(text, max_length=200)
    if not value.startswith(("http://", "https://")):
        raise CellError(f"不是有效网址：{text}（应以 http:// 或 https:// 开头）", "bad_url")
    return value


COLUMNS = [
    Column("code", "阵地编码", "本州市内唯一的阵地编码；再次导入时按编码更新", "530102-Z-001", required=True,
           aliases=("编码", "阵地代码", "position code", "code"), parse=lambda t: parse_code(t, max_length=40)),
    Column("name", "阵地名称", "阵地全称", "华山街道人大代表工作站", required=True, aliases=("名称", "position name", "name"),
           parse=lambda t: parse_text(t, max_length=128), width=28),
    Column("tier", "类型", "代表之家、代表工作站、代表联络室、网上代表活动阵地、专业代表工作站、特色代表工作站之一（可简写为家、站、室）",
           "代表工作站", required=True, aliases=("阵地类型", "阵地层级", "tier", "type"), parse=_tier,
           choices=tuple(str(label) for _, label in Tier.choices)),
    Column("special_kind", "特色类型", "仅特色代表工作站：楼宇、商圈、校园", "", aliases=("special kind", "special_kind"), parse=_special,
           choices=tuple(str(label) for _, label in SpecialKind.choices)),
    Column("field", "专业领域", "仅专业代表工作站：如旅游、生态、卫生", "", aliases=("field", "领域"),
           parse=lambda t: parse_text(t, max_length=32)),
    *division_columns("division", code_header="所在区划代码", path_header="所在区划", level_prefix="所在", place="阵地所在地",
                      code_aliases=("区划代码",), path_aliases=("所在地", "所在区划名称"),
                      level_aliases={"county": ("所在县", "县（市、区）", "县区", "county"),
                                     "township": ("所在乡镇", "所在街道", "乡镇（街道）", "乡镇", "township"),
                                     "village": ("所在村", "所在社区", "村（社区）", "village")}),
    Column("parent_code", "上级阵地编码", "站填所属代表之家、室填所属代表工作站的编码；可在本表中", "530102-J-001",
           aliases=("上级阵地", "上级编码", "parent code", "parent"), parse=lambda t: parse_code(t, max_length=40)),
    Column("counterpart_code", "对应实体阵地编码", "仅网上阵地：所对应实体阵地的编码", "",
           aliases=("对应阵地编码", "counterpart code", "counterpart"), parse=lambda t: parse_code(t, max_length=40)),
    Column("status", "建设状态", "规划中、建设中、已运行、已关闭；“达标”由标准清单自动判定，填写“达标”按已运行导入并提示",
           "已运行", aliases=("状态", "status"), parse=_status,
           choices=tuple(str(label) for _, label in Status.choices)),
    Column("status_since", "状态日期", "当前建设状态的起始日期（新建阵地的建档日期），不晚于今天", "2021-06-30",
           aliases=("状态起始日期", "status since", "status date"), parse=parse_date),
    Column("address", "地址", "详细地址", "五华区华山南路 1 号", aliases=("详细地址", "address"),
           parse=lambda t: parse_text(t, max_length=255), width=30),
    Column("longitude", "经度", "十进制度，如 102.712251；与纬度同时填写", "102.712251", aliases=("longitude", "lng"),
           parse=lambda t: parse_decimal(t, low=-180, high=180, places=6)),
    Column("latitude", "纬度", "十进制度，如 25.040609", "25.040609", aliases=("latitude", "lat"),
           parse=lambda t: parse_decimal(t, low=-90, high=90, places=6)),
    Column("opening_hours", "开放时间", "如：每月 15 日 9:00—12:00", "每周三 9:00-17:00",
           aliases=("opening hours", "开放日"), parse=lambda t: parse_text(t, max_length=255), width=22),
    Column("established_on", "建成日期", "建成投用日期，不晚于今天", "2021-06-30", aliases=("established on", "成立日期", "建成时间"),
           parse=parse_date),
    Column("online_url", "网上阵地地址", "网上阵地的访问地址（小程序/网页），二维码指向它", "",
           aliases=("online url", "网址"), parse=_url, width=24),
]


@dataclass
class PosInfo:
    """What the hierarchy rule needs to know about a position (a stored or an imported one)."""

    pk: int | None
    code: str
    name: str
    tier: str
    division: DivInfo | None
    status: str = ""

    @property
    def division_id(self):
        return self.division.pk if self.division else None


class PositionIndex:
    """Positions by code, loaded on demand per chunk (one query for the codes a chunk names)."""

    def __init__(self, session):
        self.session = session
        self.by_code: dict[str, PosInfo] = {}
        self.missing: set[str] = set()

    def load(self, codes) -> None:
        wanted = [c for c in set(codes) if c and c not in self.by_code and c not in self.missing]
        if not wanted:
            return
        divisions = self.session.divisions
        for pk, code, name, tier, division_id, status in Position.objects.filter(code__in=wanted).values_list(
                "pk", "code", "name", "tier", "division_id", "status"):
            self.by_code[code] = PosInfo(pk, code, name, tier, divisions.by_id.get(division_id), status)
        self.missing.update(c for c in wanted if c not in self.by_code)

    def get(self, code: str) -> PosInfo | None:
        self.load([code])
        return self.by_code.get(code)

    def put(self, info: PosInfo) -> None:
        self.by_code[info.code] = info
        self.missing.discard(info.code)


def position_index(session) -> PositionIndex:
    if "positions" not in session.cache:
        session.cache["positions"] = PositionIndex(session)
    return session.cache["positions"]


class PositionImporter(SheetImporter):
    field_columns = {"code": "code", "name": "name", "tier": "tier", "special_kind": "special_kind", "field": "field",
                     "division": ("division_code", "division_path", "division_county", "division_township", "division_village"), "parent": "parent_code", "counterpart": "counterpart_code",
                     "status": "status", "to_status": "status", "on": "status_since", "status_on": "status_since",
                     "address": "address", "latitude": "latitude", "longitude": "longitude", "opening_hours": "opening_hours",
                     "established_on": "established_on", "online_url": "online_url"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions = position_index(self.session)
        self.deferred: list[tuple[int, str, str, str]] = []   # (row, code, link field, target code) resolved at the end
        self.counterparts_in_file: dict[str, int] = {}
        self.today = timezone.localdate()
        self.code_by_pk: dict[int, str] = {}
        self.session.finalizers.setdefault("refresh_positions", refresh_statuses)

    def prepare(self, rows: list[Row]) -> None:
        codes = []
        for row in rows:
            codes += [row.values.get("code"), row.values.get("parent_code"), row.values.get("counterpart_code")]
        self.positions.load(codes)
        existing_codes = [r.values["code"] for r in rows if r.values.get("code") and r.values["code"] in self.positions.by_code]
        self.code_by_pk: dict[int, str] = {}
        if existing_codes:
            stored = {p.code: p for p in Position.objects.filter(code__in=existing_codes)}
            for row in rows:
                row.existing = stored.get(row.values.get("code"))
            linked = {pk for p in stored.values() for pk in (p.parent_id, p.counterpart_id) if pk}
            if linked:
                self.code_by_pk = dict(Position.objects.filter(pk__in=linked).values_list("pk", "code"))
                self.positions.load(self.code_by_pk.values())

    def validate(self, row: Row) -> None:
        v = row.values
        existing: Position | None = row.existing
        division = resolve_division(self, row, "division", required=existing is None)
        parent = self._link(row, "parent_code", existing, "parent_id")
        counterpart = self._link(row, "counterpart_code", existing, "counterpart_id")
        if row.failed:
            self.deferred = [d for d in self.deferred if d[0] != row.number]
            return
        if division is None and existing is not None:
            division = self.session.divisions.by_id.get(existing.division_id)
        tier = v.get("tier") if self.given(row, "tier") else existing.tier
        field_text = (v.get("field") or "") if self.given(row, "field") else (existing.field if existing else "")
        special = (v.get("special_kind") or "") if self.given(row, "special_kind") else (existing.special_kind if existing else "")
        errors = rules.hierarchy_errors(tier=tier, division=division, parent=parent if isinstance(parent, PosInfo) else None,
                                        counterpart=counterpart if isinstance(counterpart, PosInfo) else None,
                                        field=field_text, special_kind=special)
        if counterpart is not None and tier != Tier.ONLINE and not isinstance(counterpart, PosInfo):
            errors.append(FieldError("counterpart", "只有网上阵地可以对应实体阵地", "invalid"))
        # Field checks of positions.services._clean_position_data that need no query:
        lat = v.get("latitude") if self.given(row, "latitude") else (existing.latitude if existing else None)
        lng = v.get("longitude") if self.given(row, "longitude") else (existing.longitude if existing else None)
        if (lat is None) != (lng is None):
            errors.append(FieldError("longitude" if lat is not None else "latitude", "经纬度须同时填写", "required"))
        if v.get("established_on") and v["established_on"] > self.today:
            errors.append(FieldError("established_on", "建成日期不能晚于今天", "in_future"))
        if v.get("status_since") and v["status_since"] > self.today:
            errors.append(FieldError("status_on", "状态日期不能晚于今天", "in_future"))
        if errors:
            self.service_errors(row, errors)
            return
        if counterpart is not None and isinstance(counterpart, PosInfo):
            taken = self.counterparts_in_file.get(counterpart.code)
            if taken is not None:
                self.error(row, "counterpart_code", f"“{counterpart.name}”已在第 {taken} 行对应了网上阵地", "duplicate")
                return
            self.counterparts_in_file[counterpart.code] = row.number

        fields = {"code": v["code"], "tier": tier, "field": field_text, "special_kind": special,
                  "division_id": division.pk if division else None}
        for key in ("name", "address", "opening_hours", "online_url"):
            if self.given(row, key):
                fields[key] = v.get(key) or ""
        for key in ("latitude", "longitude", "established_on"):
            if self.given(row, key):
                fields[key] = v.get(key)
        for key, column in (("parent_id", "parent_code"), ("counterpart_id", "counterpart_code")):
            if self.given(row, column):
                link = parent if key == "parent_id" else counterpart
                fields[key] = link.pk if isinstance(link, PosInfo) else None
        if existing is not None and (existing.tier != tier or existing.division_id != fields["division_id"]):
            moved = Position(pk=existing.pk, tier=tier, division=_division_obj(division), name=v.get("name") or existing.name)
            children = list(Position.objects.filter(parent=existing).select_related("division"))
            errs = rules.child_errors(moved, children)
            if errs:
                self.service_errors(row, errs, "tier")
                return
        row.fields = fields
        self._plan_status(row, existing)

    def _link(self, row: Row, column: str, existing: Position | None, attr: str):
        """Resolve parent/counterpart: a PosInfo, None, or "later" (defined later in this file)."""
        if not self.given(row, column):
            if existing is not None and getattr(existing, attr):
                stored = self.code_by_pk.get(getattr(existing, attr))
                return self.positions.get(stored) if stored else None
            return None
        code = row.values.get(column)
        if not code:
            return None
        if code == row.values.get("code"):
            self.error(row, column, "不能指向阵地自身", "hierarchy")
            return None
        found = self.positions.get(code)
        if found is not None:
            return found
        seen = self.in_file_reference(row, column, "positions", code, "阵地")
        if row.failed:
            return None
        if seen is None and row.values.get("code"):
            # Not stored and not earlier in this file: it may come further down.
            self.deferred.append((row.number, row.values["code"], column, code))
        return "later"

    def _plan_status(self, row: Row, existing: Position | None) -> None:
        v = row.values
        wanted = v.get("status") if self.given(row, "status") else None
        on = v.get("status_since") or None
        if existing is None:
            initial = wanted if wanted in CREATABLE_STATUSES else (Status.OPEN if wanted == Status.STANDARD else Status.PLANNED)
            if wanted is None:
                initial = Status.PLANNED
            row.fields["status"] = initial
            row.fields["status_since"] = on or v.get("established_on") or self.today
            if initial == Status.OPEN and not row.fields.get("established_on"):
                row.fields["established_on"] = row.fields["status_since"]
            row.values["_then_status"] = Status.CLOSED if wanted == Status.CLOSED else None
            if wanted == Status.STANDARD:
                row.values["_refresh"] = True
            return
        if wanted is None or wanted == existing.status:
            return
        if wanted == Status.STANDARD or (existing.status == Status.STANDARD and wanted == Status.OPEN):
            # derived from the checklist: re-derived after the import instead of typed in
            row.values["_refresh"] = True
            return
        allowed = position_services.MANUAL_TRANSITIONS.get(existing.status, set())
        if wanted not in allowed:
            self.error(row, "status", f"不能从“{Status(existing.status).label}”变更为“{Status(wanted).label}”", "invalid_transition")
            return
        row.values["_then_status"] = wanted

    def decide(self, row: Row) -> None:
        super().decide(row)
        if row.values.get("_then_status"):
            row.changed = True

    def write(self, rows: list[Row]) -> None:
        created = [r for r in rows if r.created]
        objs = []
        for r in created:
            obj = Position(**r.fields)
            objs.append(obj)
            r.obj = obj
        Position.objects.bulk_create(objs, batch_size=1000)
        PositionStatusChange.objects.bulk_create(
            [PositionStatusChange(position=o, from_status="", to_status=o.status, changed_on=o.status_since, note="台账导入")
             for o in objs], batch_size=1000)
        changed = [r for r in rows if r.changed and not r.created]
        update_fields: set[str] = set()
        for r in changed:
            for k, val in r.fields.items():
                setattr(r.existing, k, val)
                update_fields.add(k)
        if changed and update_fields:
            Position.objects.bulk_update([r.existing for r in changed], sorted(update_fields), batch_size=500)
            changes.record(changes.POSITION, [r.existing.pk for r in changed], fields=update_fields)
        changes.record(changes.POSITION, [o.pk for o in objs])
        for r in rows:
            obj = r.obj
            self.positions.put(PosInfo(obj.pk, obj.code, obj.name, obj.tier, self.session.divisions.by_id.get(obj.division_id), obj.status))
            then = r.values.get("_then_status")
            if then:
                on = r.values.get("status_since") or self.today
                try:
                    position_services.change_status(obj.pk, then, on=on, note="台账导入")
                except ServiceError as exc:
                    self.service_errors(r, exc.errors, "status")
            if r.values.get("_refresh") or (r.changed and not r.created):
                self.session.cache.setdefault("refresh_positions", set()).add(obj.pk)

    def finish(self) -> None:
        """Links to positions further down the file, now that every row is in."""
        if not self.deferred:
            return
        self.positions.load([target for *_x, target in self.deferred] + [code for _r, code, _c, _t in self.deferred])
        updates: dict[int, dict] = {}
        for number, code, column, target in self.deferred:
            me = self.positions.by_code.get(code)
            other = self.positions.by_code.get(target)
            if other is None:
                seen = self.session.seen("positions").get(target)
                reason = f"阵地“{target}”所在的第 {seen.row} 行有错误" if seen and not seen.ok else f"未知的阵地编码：{target}"
                self.error(number, column, reason, "unknown_position", value=target)
                continue
            if me is None:
                continue    # the row itself failed
            errors = rules.hierarchy_errors(tier=me.tier, division=me.division, parent=other if column == "parent_code" else None,
                                            counterpart=other if column == "counterpart_code" else None,
                                            field="x" if me.tier == Tier.PROFESSIONAL else "",
                                            special_kind="building" if me.tier == Tier.SPECIAL else "")
            errors = [e for e in errors if e.field in ("parent", "counterpart")]
            if errors:
                for e in errors:
                    self.error(number, column, e.message, e.code, value=target)
                continue
            updates.setdefault(me.pk, {})["parent_id" if column == "parent_code" else "counterpart_id"] = other.pk
        if updates:
            objs = list(Position.objects.filter(pk__in=updates))
            for o in objs:
                for k, val in updates[o.pk].items():
                    setattr(o, k, val)
            Position.objects.bulk_update(objs, ["parent_id", "counterpart_id"], batch_size=500)
            changes.record(changes.POSITION, [o.pk for o in objs], fields=["parent_id", "counterpart_id"])


def _division_obj(info: DivInfo | None):
    if info is None:
        return None
    from liaison.tenants.divisions.models import Division

    return Division(pk=info.pk, code=info.code, name=info.name, level=info.level, path=info.path)


def refresh_statuses(session) -> None:
    """Re-derive 达标 for positions touched by the import (checklist, stationing)."""
    ids = session.cache.get("refresh_positions") or set()
    for pk in sorted(ids):
        position_services.refresh_standard_status(pk)


KIND = register(LedgerKind(
    key="positions", title="阵地台账", sheet="阵地", columns=COLUMNS, natural_key="code", order=20,
    description="代表之家、代表工作站、代表联络室及网上、专业、特色阵地。上级阵地可以在本表中任意位置。",
    aliases=("阵地台账", "代表活动阵地", "position", "positions"), importer=PositionImporter,
    required_any=[(("division_code", "division_path", "division_county"), "缺少所在区划：须有“所在区划代码”或“所在区划”或“所在县（市、区）”等列")],
))
