"""Deputies (代表名册) and their stationing at positions (代表进站).

Rules come from the deputies app: every roll row is checked by
`deputies.services.validate_deputy` (required fields, levels, constituency, roll number
uniqueness, province-wide identity rules); provincial and national deputies are written
through `create_deputy` / `update_deputy` (they carry a province-wide identity in the
public roster) and guests from other prefectures through `bring_in_province_deputy`;
the other levels are bulk-written after the same validation.
Stationing rows follow `station_deputy`'s rules (physical positions only, field basis
only at professional stations, no overlapping periods for one deputy at one position)
using its own overlap test, and are bulk-written; positions' 达标 status is re-derived
afterwards (at least 3 stationed deputies per station).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from liaison.tenants.common import changes
from liaison.platform.roster.models import ProvinceDeputy
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies import services as deputy_services
from liaison.tenants.deputies.models import Deputy, Level, Stationing, StationingBasis
from liaison.tenants.positions.models import PHYSICAL_TIERS, Status, Tier

from ..parsing import (
    CellError,
    choice_lookup,
    parse_bool,
    parse_choice,
    parse_code,
    parse_date,
    parse_id_number,
    parse_phone,
    parse_text,
)
from ..spec import Column, LedgerKind, register
from .base import Row, SheetImporter
from .divisions import division_columns, resolve_division
from .positions import position_index

LEVEL_ALIASES = {
    "全国": Level.NATIONAL, "全国人大": Level.NATIONAL, "全国人大代表": Level.NATIONAL,
    "省": Level.PROVINCIAL, "省级": Level.PROVINCIAL, "省人大": Level.PROVINCIAL, "省人大代表": Level.PROVINCIAL,
    "州": Level.PREFECTURE, "市": Level.PREFECTURE, "州市": Level.PREFECTURE, "州级": Level.PREFECTURE, "市级": Level.PREFECTURE,
    "州人大代表": Level.PREFECTURE, "市人大代表": Level.PREFECTURE, "州（市）人大代表": Level.PREFECTURE,
    "县": Level.COUNTY, "县级": Level.COUNTY, "区": Level.COUNTY, "县人大代表": Level.COUNTY, "区人大代表": Level.COUNTY,
    "县（市、区）": Level.COUNTY,
    "乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP, "乡镇": Level.TOWNSHIP, "乡级": Level.TOWNSHIP, "乡镇人大代表": Level.TOWNSHIP,
    "乡人大代表": Level.TOWNSHIP, "镇人大代表": Level.TOWNSHIP,
}
_LEVELS = choice_lookup(Level.choices, LEVEL_ALIASES)
_BASES = choice_lookup(StationingBasis.choices, {"区域": "area", "按区域进站": "area", "领域": "field", "专业": "field",
                                                  "按领域": "field", "按专业": "field", "按专业领域进站": "field"})
_GENDERS = {"男": "男", "女": "女", "m": "男", "f": "女", "male": "男", "female": "女"}


def _level(text: str) -> str:
    return parse_choice(text, _LEVELS, [label for _, label in Level.choices])


def _basis(text: str) -> str:
    return parse_choice(text, _BASES, [label for _, label in StationingBasis.choices])


def _gender(text: str) -> str:
    value = _GENDERS.get(text.strip().lower())
    if value is None:
        raise CellError(f"性别应为“男”或“女”：{text}", "bad_choice")
    return value


def _email(text: str) -> str:
    value = parse_text(text, max_length=254)
    if "*" in value:
        raise CellError(f"邮箱已打码，不能导入：{text}", "masked")
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(f"不是有效的电子邮箱：{text}", "bad_email") from None
    return value


def _name(max_length: int):
    def parse(text: str) -> str:
        return parse_text(text, max_length=max_length)
    return parse


DEPUTY_COLUMNS = [
    Column("roll_number", "代表证号", "本州市代表名册上的编号（唯一）；再次导入时按代表证号更新", "KM-2022-0001", required=True,
           aliases=("代表编号", "代表证编号", "名册编号", "roll number", "roll_number"), parse=lambda t: parse_code(t, max_length=40)),
    Column("name", "姓名", "代表姓名", "张丽", required=True, aliases=("代表姓名", "name"), parse=_name(64)),
    Column("level", "代表层级", "全国人大代表、省人大代表、州市人大代表、县（市、区）人大代表、乡镇人大代表之一（可简写为全国、省、州市、县、乡镇）",
           "县（市、区）人大代表", required=True, aliases=("层级", "代表级别", "级别", "level"), parse=_level, width=20,
           choices=tuple(str(label) for _, label in Level.choices)),
    *division_columns("constituency", code_header="选区代码", path_header="选区", level_prefix="选区", place="代表选区",
                      code_aliases=("选区区划代码",), path_aliases=("选区名称", "所在选区")),
    Column("gender", "性别", "男或女", "女", aliases=("gender",), parse=_gender, width=8, choices=("男", "女")),
    Column("ethnicity", "民族", "如汉族、彝族、白族", "彝族", aliases=("ethnicity",), parse=_name(16), width=10),
    Column("occupation", "职业/单位", "工作单位及职务", "盘龙区拓东街道金碧社区党委书记",
           aliases=("职业", "工作单位", "单位及职务", "工作单位及职务", "occupation"), parse=_name(128), width=28),
    Column("phone", "联系电话", "手机 11 位或带区号的固话；个人信息，无权限的导出中打码", "13887654321", personal=True,
           aliases=("电话", "手机", "手机号码", "phone"), parse=parse_phone),
    Column("id_number", "身份证号", "18 位公民身份号码（校验位会核对）；个人信息", "", personal=True,
           aliases=("身份证号码", "公民身份号码", "id number", "id_number"), parse=parse_id_number, width=20),
    Column("email", "电子邮箱", "用于接收提醒；个人信息", "", personal=True, aliases=("邮箱", "email"), parse=_email, width=20),
    Column("bio", "简介", "公开展示的简介", "", aliases=("个人简介", "bio"), parse=_name(2000), width=30),
    Column("active", "在任", "是或否（默认是）", "是", aliases=("是否在任", "active"), parse=parse_bool, width=8, choices=("是", "否")),
    Column("on_roll", "本州市名册", "是：本州市名册上的代表（默认）；否：外州市的省级及以上代表，仅在本州市进站", "是",
           aliases=("本州市代表", "on roll", "on_roll"), parse=parse_bool, width=10, choices=("是", "否")),
    Column("identity_code", "全省代表编号", "省级及以上代表在全省名册中的编号；外州市进站代表必填", "",
           aliases=("全省编号", "identity code", "identity"), parse=lambda t: parse_code(t, max_length=40)),
]

# service field → column
DEPUTY_FIELD_COLUMNS = {"roll_number": "roll_number", "name": "name", "level": "level", "gender": "gender",
                        "constituency": ("constituency_code", "constituency_path", "constituency_county", "constituency_township",
                                         "constituency_village"),
                        "ethnicity": "ethnicity", "occupation": "occupation", "phone": "phone", "id_number": "id_number",
                        "email": "email", "bio": "bio", "active": "active", "identity": "identity_code"}
TEXT_FIELDS = ("name", "gender", "ethnicity", "occupation", "phone", "id_number", "email", "bio")


def deputy_index(session) -> dict[str, tuple[int, str, bool]]:
    """roll number → (pk, name, active), filled per chunk."""
    return session.cache.setdefault("deputies", {})


def load_deputies(session, rolls) -> None:
    index = deputy_index(session)
    wanted = [r for r in set(rolls) if r and r not in index]
    if wanted:
        for pk, roll, name, active in Deputy.objects.filter(roll_number__in=wanted).values_list("pk", "roll_number", "name", "active"):
            index[roll] = (pk, name, active)


class DeputyImporter(SheetImporter):
    field_columns = DEPUTY_FIELD_COLUMNS

    def prepare(self, rows: list[Row]) -> None:
        rolls = [r.values.get("roll_number") for r in rows if r.values.get("roll_number")]
        stored = {d.roll_number: d for d in Deputy.objects.filter(roll_number__in=rolls)}
        for row in rows:
            row.existing = stored.get(row.values.get("roll_number"))
        codes = [r.values.get("identity_code") for r in rows if r.values.get("identity_code")]
        self.identities = {i.code: i for i in ProvinceDeputy.objects.filter(code__in=codes)} if codes else {}

    def validate(self, row: Row) -> None:
        v = row.values
        existing: Deputy | None = row.existing
        on_roll = v.get("on_roll") if self.given(row, "on_roll") and v.get("on_roll") is not None else (
            existing.on_roll if existing is not None else True)
        constituency = None
        if {"constituency_code", "constituency_path", "constituency_county"} & self.present:
            constituency = resolve_division(self, row, "constituency", required=False)
        identity = None
        if v.get("identity_code"):
            identity = self.identities.get(v["identity_code"])
            if identity is None:
                self.error(row, "identity_code", f"全省名册中没有编号 {v['identity_code']}", "unknown_identity")
        if row.failed:
            return
        if existing is not None and existing.on_roll != on_roll:
            self.error(row, "on_roll", "导入不能改变代表是否在本州市名册上", "invalid")
            return
        if not on_roll:
            self._validate_guest(row, existing, identity)
            return
        data = {"roll_number": v["roll_number"]}
        for key in ("name", "level", "gender", "ethnicity", "occupation", "phone", "id_number", "email", "bio"):
            if self.given(row, key):
                data[key] = v.get(key) or ""
        if self.given(row, "active"):
            data["active"] = True if v.get("active") is None else v["active"]
        if constituency is not None:
            data["constituency"] = constituency.pk
        elif existing is None:
            data["constituency"] = None
        errors = deputy_services.validate_deputy(data, existing)
        level = data.get("level", existing.level if existing else None)
        if identity is not None and level not in deputy_services.PROVINCE_WIDE:
            errors.append(FieldError("identity", "只有省级及以上代表有全省代表编号", "invalid"))
        if errors:
            self.service_errors(row, errors)
            return
        row.values["_data"] = data
        row.values["_identity"] = identity
        row.values["_service"] = level in deputy_services.PROVINCE_WIDE
        fields = {k: val for k, val in data.items() if k != "constituency"}
        if "constituency" in data:
            fields["constituency_id"] = data["constituency"]
        row.fields = fields

    def _validate_guest(self, row: Row, existing: Deputy | None, identity) -> None:
        if identity is None:
            self.error(row, "identity_code", "外州市进站的代表须填写全省代表编号", "required")
            return
        if existing is None and row.values["roll_number"] != identity.code:
            self.error(row, "roll_number", f"外州市进站代表的代表证号即全省代表编号 {identity.code}", "invalid")
            return
        row.values["_guest"] = identity
        row.fields = {}

    def write(self, rows: list[Row]) -> None:
        bulk_new = [r for r in rows if r.created and not r.values.get("_service") and not r.values.get("_guest")]
        objs = [Deputy(on_roll=True, **r.fields) for r in bulk_new]
        Deputy.objects.bulk_create(objs, batch_size=1000)
        for r, o in zip(bulk_new, objs):
            r.obj = o
        bulk_changed = [r for r in rows if r.changed and not r.values.get("_service") and not r.values.get("_guest")]
        names: set[str] = set()
        for r in bulk_changed:
            for k, val in r.fields.items():
                setattr(r.existing, k, val)
                names.add(k)
        if bulk_changed:
            Deputy.objects.bulk_update([r.existing for r in bulk_changed], sorted(names), batch_size=500)
        changes.record(changes.DEPUTY, [o.pk for o in objs] + [r.existing.pk for r in bulk_changed])
        for r in rows:
            try:
                if r.values.get("_guest") is not None and r.created:
                    r.obj = deputy_services.bring_in_province_deputy(r.values["_guest"].pk)
                elif r.values.get("_service") and r.created:
                    r.obj = deputy_services.create_deputy(identity=getattr(r.values.get("_identity"), "pk", None), **r.values["_data"])
                elif r.values.get("_service") and r.changed:
                    data = {k: val for k, val in r.values["_data"].items() if k != "roll_number"}
                    r.obj = deputy_services.update_deputy(r.existing.pk, **data)
            except ServiceError as exc:
                self.service_errors(r, exc.errors)
        index = deputy_index(self.session)
        for r in rows:
            if r.obj is not None and not r.failed:
                index[r.obj.roll_number] = (r.obj.pk, r.obj.name, r.obj.active)


def stationing_key(roll: str, code: str, start: dt.date) -> str:
    return f"{roll}|{code}|{start.isoformat()}"


STATIONING_COLUMNS = [
    Column("roll_number", "代表证号", "进站代表的代表证号（须在代表名册中或本文件“代表”表中）", "KM-2022-0001", required=True,
           aliases=("代表编号", "roll number", "roll_number"), parse=lambda t: parse_code(t, max_length=40)),
    Column("deputy_name", "代表姓名", "用于核对：与名册不符时报错", "张丽", aliases=("姓名", "deputy name"), parse=_name(64)),
    Column("position_code", "阵地编码", "所进驻阵地的编码", "530102-Z-001", required=True,
           aliases=("进站阵地编码", "position code", "position"), parse=lambda t: parse_code(t, max_length=40)),
    Column("position_name", "阵地名称", "用于核对：与阵地台账不符时报错", "拓东街道人大代表工作站",
           aliases=("进站阵地", "position name"), parse=_name(128), width=28),
    Column("basis", "进站方式", "按区域（默认）或按专业领域（仅专业代表工作站）", "按区域", aliases=("basis", "方式"), parse=_basis,
           choices=tuple(str(label) for _, label in StationingBasis.choices)),
    Column("start_on", "进站日期", "开始进站的日期", "2022-01-10", required=True, aliases=("start on", "start", "开始日期"),
           parse=parse_date),
    Column("end_on", "离站日期", "结束日期；仍在进站则留空", "", aliases=("end on", "end", "结束日期"), parse=parse_date),
    Column("note", "进站备注", "", "", aliases=("stationing note",), parse=_name(255), width=20),
]


class StationingImporter(SheetImporter):
    field_columns = {"deputy": "roll_number", "position": "position_code", "basis": "basis", "start_on": "start_on",
                     "end_on": "end_on", "note": "note"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions = position_index(self.session)
        # (deputy pk, position pk) → periods imported from this file, for the overlap rule
        self.periods: dict[tuple[int, int], list[tuple[dt.date, dt.date | None, int]]] = {}
        from .positions import refresh_statuses

        self.session.finalizers.setdefault("refresh_positions", refresh_statuses)

    def natural_keys(self, row: Row) -> list[tuple[str, str]]:
        v = row.values
        if v.get("roll_number") and v.get("position_code") and v.get("start_on"):
            return [("start_on", stationing_key(v["roll_number"], v["position_code"], v["start_on"]))]
        return []

    def prepare(self, rows: list[Row]) -> None:
        load_deputies(self.session, [r.values.get("roll_number") for r in rows])
        self.positions.load([r.values.get("position_code") for r in rows])
        deputies = deputy_index(self.session)
        pairs = set()
        for r in rows:
            d = deputies.get(r.values.get("roll_number"))
            p = self.positions.by_code.get(r.values.get("position_code"))
            if d and p:
                pairs.add((d[0], p.pk))
        self.stored: dict[tuple[int, int], list[Stationing]] = {}
        if pairs:
            qs = Stationing.objects.filter(deputy_id__in={d for d, _ in pairs}, position_id__in={p for _, p in pairs})
            for s in qs:
                if (s.deputy_id, s.position_id) in pairs:
                    self.stored.setdefault((s.deputy_id, s.position_id), []).append(s)

    def validate(self, row: Row) -> None:
        v = row.values
        deputy = position = None
        if v.get("roll_number"):
            deputy = deputy_index(self.session).get(v["roll_number"])
            if deputy is None:
                if self.in_file_reference(row, "roll_number", "deputies", v["roll_number"], "代表") is None:
                    self.error(row, "roll_number", f"未知的代表证号：{v['roll_number']}", "unknown_deputy")
            elif v.get("deputy_name") and v["deputy_name"] != deputy[1]:
                self.error(row, "deputy_name", f"姓名与代表证号不符：名册中 {v['roll_number']} 是“{deputy[1]}”", "name_mismatch")
        if v.get("position_code"):
            position = self.positions.by_code.get(v["position_code"])
            if position is None:
                if self.in_file_reference(row, "position_code", "positions", v["position_code"], "阵地") is None:
                    self.error(row, "position_code", f"未知的阵地编码：{v['position_code']}", "unknown_position")
            elif v.get("position_name") and v["position_name"] != position.name:
                self.error(row, "position_name", f"阵地名称与编码不符：{v['position_code']} 是“{position.name}”", "name_mismatch")
        if row.failed:
            return
        start, end = v["start_on"], v.get("end_on")
        basis = v.get("basis") or StationingBasis.AREA
        errors: list[FieldError] = []
        # station_deputy's rules; "in office" and "not closed" bind open-ended (current) stationing,
        # a finished period of a deputy who has since left office is history and is kept.
        if end is not None and end < start:
            errors.append(FieldError("end_on", "离站日期不能早于进站日期", "out_of_order"))
        if end is None and not deputy[2]:
            errors.append(FieldError("deputy", f"“{deputy[1]}”已不在任", "inactive"))
        if position.tier not in PHYSICAL_TIERS:
            errors.append(FieldError("position", "代表只能进驻实体阵地（网上阵地不设进站代表）", "not_applicable"))
        if end is None and position.status == Status.CLOSED:
            errors.append(FieldError("position", f"“{position.name}”已关闭", "closed"))
        if basis == StationingBasis.FIELD and position.tier != Tier.PROFESSIONAL:
            errors.append(FieldError("basis", "按专业领域进站只适用于专业代表工作站", "invalid"))
        pair = (deputy[0], position.pk)
        same = None
        if not errors:
            for other in self.stored.get(pair, []):
                if other.start_on == start:
                    same = other
                    continue
                if deputy_services._overlaps(start, end, other.start_on, other.end_on):
                    until = other.end_on or "至今"
                    errors.append(FieldError("start_on", f"“{deputy[1]}”在{other.start_on}—{until}已进驻“{position.name}”，时间段重叠", "overlap"))
                    break
            for o_start, o_end, o_row in self.periods.get(pair, []):
                if not errors and deputy_services._overlaps(start, end, o_start, o_end):
                    errors.append(FieldError("start_on", f"与第 {o_row} 行的进站时间段重叠", "overlap"))
        if errors:
            self.service_errors(row, errors)
            return
        self.periods.setdefault(pair, []).append((start, end, row.number))
        row.existing = same
        row.fields = {"deputy_id": deputy[0], "position_id": position.pk, "start_on": start}
        if self.given(row, "end_on"):
            row.fields["end_on"] = end
        if self.given(row, "basis"):
            row.fields["basis"] = basis
        if self.given(row, "note"):
            row.fields["note"] = v.get("note") or ""

    def write(self, rows: list[Row]) -> None:
        new = [r for r in rows if r.created]
        objs = [Stationing(**r.fields) for r in new]
        Stationing.objects.bulk_create(objs, batch_size=1000)
        for r, o in zip(new, objs):
            r.obj = o
        changed = [r for r in rows if r.changed]
        names: set[str] = set()
        for r in changed:
            for k, val in r.fields.items():
                setattr(r.existing, k, val)
                names.add(k)
        if changed:
            Stationing.objects.bulk_update([r.existing for r in changed], sorted(names), batch_size=500)
        changes.record("deputies.stationing", [o.pk for o in objs] + [r.existing.pk for r in changed])
        refresh = self.session.cache.setdefault("refresh_positions", set())
        refresh.update(r.fields["position_id"] for r in rows if r.created or r.changed)


register(LedgerKind(
    key="deputies", title="代表名册", sheet="代表", columns=DEPUTY_COLUMNS, natural_key="roll_number", order=30,
    description="本州市名册上的五级人大代表，以及在本州市进站的外州市省级、全国人大代表（本州市名册填“否”）。进站情况见“代表进站”。",
    aliases=("代表名册", "人大代表", "deputy", "deputies"), importer=DeputyImporter,
))

register(LedgerKind(
    key="stationing", title="代表进站", sheet="代表进站", columns=STATIONING_COLUMNS, natural_key="start_on", order=40,
    description="代表进驻阵地的记录：同一代表在同一阵地的时间段不能重叠；再次导入时按“代表证号+阵地编码+进站日期”更新。",
    aliases=("进站代表", "进站", "stationing", "stationings"), importer=StationingImporter,
))

