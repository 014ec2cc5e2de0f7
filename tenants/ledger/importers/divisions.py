"""Administrative divisions (行政区划): the tree every other ledger hangs on.

Divisions are also how other ledgers point at places: by code (530102001) or by a
name path below the prefecture (五华区/华山街道/翠湖社区); `DivisionIndex` resolves
both from one in-memory index of the prefecture's tree (a prefecture has at most some
tens of thousands of divisions).
"""
from __future__ import annotations

from dataclasses import dataclass

from liaison.tenants.common import changes
from liaison.tenants.divisions.models import Division

from ..parsing import choice_lookup, parse_bool, parse_choice, parse_code, parse_text
from ..spec import Column, LedgerKind, register
from .base import Row, SheetImporter

LEVEL_ALIASES = {
    "州": "prefecture", "市": "prefecture", "州市": "prefecture", "地级": "prefecture",
    "县": "county", "区": "county", "县级": "county", "县区": "county", "县市区": "county", "县(市、区)": "county",
    "乡": "township", "镇": "township", "街道": "township", "乡镇": "township", "乡镇街道": "township", "乡镇(街道)": "township",
    "村": "village", "社区": "village", "村社区": "village", "村(社区)": "village", "村居": "village",
}
_LEVELS = choice_lookup(Division.Level.choices, LEVEL_ALIASES)
_LEVEL_LABELS = [label for _, label in Division.Level.choices]
PARENT_LEVEL = {"county": "prefecture", "township": "county", "village": "township"}


def parse_level(text: str) -> str:
    return parse_choice(text, _LEVELS, _LEVEL_LABELS)


@dataclass
class DivInfo:
    id: int | None
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    is_community: bool = False

    @property
    def pk(self) -> int | None:
        return self.id


class DivisionIndex:
    """Every division of the current schema by code, by id and by (parent, name)."""

    def __init__(self, infos: list[DivInfo]):
        self.by_code: dict[str, DivInfo] = {}
        self.by_id: dict[int, DivInfo] = {}
        self.children: dict[tuple[int | None, str], list[DivInfo]] = {}
        self.root: DivInfo | None = None
        self.aliases: dict[str, DivInfo] = {}    # another prefecture's root code → this root (see importer)
        for info in infos:
            self.add(info)

    @classmethod
    def load(cls) -> "DivisionIndex":
        rows = Division.objects.order_by("path").values_list("id", "code", "name", "level", "parent_id", "path", "is_community")
        return cls([DivInfo(*r) for r in rows])

    def add(self, info: DivInfo) -> None:
        old = self.by_code.get(info.code)
        if old is not None:
            bucket = self.children.get((old.parent_id, old.name), [])
            if old in bucket:
                bucket.remove(old)
        self.by_code[info.code] = info
        if info.id is not None:
            self.by_id[info.id] = info
        self.children.setdefault((info.parent_id, info.name), []).append(info)
        if info.level == Division.Level.PREFECTURE and (self.root is None or self.root.code == info.code):
            self.root = info

    def get(self, code: str) -> DivInfo | None:
        return self.by_code.get(code) or self.aliases.get(code)

    def names_below_root(self, info: DivInfo) -> list[str]:
        names = []
        current = info
        while current is not None and current.level != Division.Level.PREFECTURE:
            names.append(current.name)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return list(reversed(names))

    def resolve_names(self, names: list[str]) -> tuple[DivInfo | None, str | None]:
        """Walk from the prefecture down a name path; (division, None) or (None, reason)."""
        found, reason, _index = self.walk(names)
        return found, reason

    def walk(self, names: list[str]) -> tuple[DivInfo | None, str | None, int]:
        """Like resolve_names, plus the index (in `names`) of the name that did not resolve."""
        names = [n.strip() for n in names if n and n.strip()]
        if not names:
            return None, "区划为空", 0
        if self.root is None:
            return None, "本州市尚无区划", 0
        offset = 0
        if names[0] == self.root.name:
            names, offset = names[1:], 1
            if not names:
                return self.root, None, 0
        current = self.root
        for i, name in enumerate(names):
            found = self.children.get((current.id, name), [])
            if not found:
                where = "/".join(self.names_below_root(current)) or current.name
                return None, f"在“{where}”下找不到“{name}”", i + offset
            if len(found) > 1:
                return None, f"“{name}”在“{current.name}”下有 {len(found)} 个同名区划，请改用区划代码", i + offset
            current = found[0]
        return current, None, 0


def division_columns(prefix: str, *, code_header: str, path_header: str, level_prefix: str, place: str,
                     code_aliases: tuple[str, ...] = (), path_aliases: tuple[str, ...] = (),
                     level_aliases: dict[str, tuple[str, ...]] | None = None) -> list[Column]:
    """The columns other ledgers use to name a division: its code, or a name path, or names by level."""
    level_aliases = level_aliases or {}
    english = prefix.replace("_", " ")

    def names(level: str, label: str) -> tuple[str, ...]:
        return (f"{english} {level}", f"{prefix}_{level}", *level_aliases.get(level, ()))

    return [
        Column(f"{prefix}_code", code_header, f"{place}的行政区划代码；与名称二选一，都填时须一致", "530102001",
               aliases=(f"{english} code", f"{prefix}_code", *code_aliases), parse=lambda t: parse_code(t, max_length=20)),
        Column(f"{prefix}_path", path_header, f"{place}的名称路径：县（市、区）/乡镇（街道）/村（社区），用“/”分隔",
               "盘龙区/拓东街道/金碧社区", aliases=(f"{english} path", f"{prefix}_path", *path_aliases),
               parse=lambda t: parse_text(t, max_length=255), width=26),
        Column(f"{prefix}_county", f"{level_prefix}县（市、区）", "或分列填写名称：县（市、区）", "盘龙区",
               aliases=names("county", "县"), parse=lambda t: parse_text(t, max_length=64)),
        Column(f"{prefix}_township", f"{level_prefix}乡镇（街道）", "乡镇（街道）名称", "拓东街道",
               aliases=names("township", "乡镇"), parse=lambda t: parse_text(t, max_length=64)),
        Column(f"{prefix}_village", f"{level_prefix}村（社区）", "村（社区）名称", "金碧社区",
               aliases=names("village", "村"), parse=lambda t: parse_text(t, max_length=64)),
    ]


def resolve_division(importer: SheetImporter, row: Row, prefix: str, *, required: bool) -> DivInfo | None:
    """The division a row names by code and/or names; reports unknown or conflicting ones."""
    index: DivisionIndex = importer.session.divisions
    code = row.values.get(f"{prefix}_code")
    path = row.values.get(f"{prefix}_path")
    parts = [row.values.get(f"{prefix}_{level}") for level in ("county", "township", "village")]
    by_code = by_name = None
    if code:
        by_code = index.get(code)
        if by_code is None:
            importer.error(row, f"{prefix}_code", f"未知的区划代码：{code}", "unknown_division")
            return None
    names: list[str] | None = None
    name_column = None
    if path:
        names = path.replace("／", "/").replace("\\", "/").split("/")
        name_column = f"{prefix}_path"
    elif any(parts):
        names = [p for p in parts if p]
        name_column = next(f"{prefix}_{lvl}" for lvl, p in zip(("county", "township", "village"), parts) if p)
        if not parts[0]:
            importer.error(row, f"{prefix}_county", "按名称填写区划时须从县（市、区）填起", "unknown_division")
            return None
    if names is not None:
        by_name, reason, failed = index.walk(names)
        if by_name is None and name_column != f"{prefix}_path":
            levels = [lvl for lvl, p in zip(("county", "township", "village"), parts) if p]
            name_column = f"{prefix}_{levels[min(failed, len(levels) - 1)]}"
        if by_name is None:
            if by_code is None:
                importer.error(row, name_column, f"未知的区划：{reason}", "unknown_division")
                return None
            by_name = by_code   # the code decides; names only cross-check when they resolve
        elif by_code is not None and by_code.code != by_name.code:
            importer.error(row, name_column, f"区划名称与代码不一致：代码 {code} 是“{'/'.join(index.names_below_root(by_code))}”", "division_mismatch")
            return None
    found = by_code or by_name
    # errors about this division (from the owning app's rules) go to the column the row filled
    filled = [f"{prefix}_{lvl}" for lvl, p in zip(("county", "township", "village"), parts) if p]
    used = f"{prefix}_code" if code else (f"{prefix}_path" if path else (filled[-1] if filled else None))
    if used:
        row.values.setdefault("_columns", {})[prefix] = used
    if found is None and required:
        importer.error(row, f"{prefix}_code", "必须填写区划代码或区划名称", "required")
    return found


COLUMNS = [
    Column("code", "区划代码", "国家统计用区划代码；州市 6 位、县 6 位、乡镇 9 位、村 12 位（本系统只要求唯一）", "530102001",
           required=True, aliases=("代码", "行政区划代码", "division code"), parse=lambda t: parse_code(t, max_length=20)),
    Column("name", "区划名称", "规范全称", "华山街道", required=True, aliases=("名称", "行政区划名称", "division name"),
           parse=lambda t: parse_text(t, max_length=64)),
    Column("level", "层级", "州市、县（市、区）、乡镇（街道）、村（社区）之一", "乡镇（街道）", required=True,
           aliases=("级别", "区划层级", "division level"), parse=parse_level,
           choices=tuple(_LEVEL_LABELS)),
    Column("parent_code", "上级区划代码", "上一级区划的代码（州市本级不填）；上级须已在系统中或在本表中排在前面", "530102",
           aliases=("上级代码", "parent code", "parent"), parse=lambda t: parse_code(t, max_length=20)),
    Column("is_community", "是否社区", "仅村级：城市社区填“是”，行政村填“否”", "否", aliases=("社区", "community", "is community"),
           parse=parse_bool, choices=("是", "否")),
]


class DivisionImporter(SheetImporter):
    field_columns = {"code": "code", "name": "name", "level": "level", "parent": "parent_code", "is_community": "is_community"}

    def prepare(self, rows: list[Row]) -> None:
        index = self.session.divisions
        for row in rows:
            code = row.values.get("code")
            if code and not row.failed:
                found = index.by_code.get(code)
                if found is not None and found.id is not None:
                    row.existing = found

    def validate(self, row: Row) -> None:
        if row.failed:
            return
        index: DivisionIndex = self.session.divisions
        v = row.values
        level, code = v["level"], v["code"]
        if level == Division.Level.PREFECTURE:
            root = index.root
            if root is None:
                self.error(row, "code", "本州市尚无州市本级区划", "no_root")
                return
            row.existing = root
            if code != root.code:
                # An export of another prefecture (or a copy of this one under a new code):
                # its top rows attach to this prefecture's root; said in the dry-run report.
                index.aliases[code] = root
                self.warn(row.number, "code", f"文件中的州市 {code} {v['name']} 不是本州市（{root.code} {root.name}）："
                                              "其下级区划将挂在本州市下", "other_prefecture")
                row.fields = {}
            else:
                row.fields = {"name": v["name"]}
            return
        parent_code = v.get("parent_code")
        if not parent_code:
            self.error(row, "parent_code", "非州市本级的区划必须填写上级区划代码", "required")
            return
        parent = index.get(parent_code)
        if parent is None:
            seen = self.session.seen("divisions").get(parent_code)
            if seen is not None and not seen.ok:
                self.error(row, "parent_code", f"上级区划“{parent_code}”所在的第 {seen.row} 行有错误", "reference_has_errors")
            else:
                self.error(row, "parent_code", f"未知的上级区划代码：{parent_code}（上级须已在系统中，或在本表中排在前面）", "unknown_division")
            return
        wanted = PARENT_LEVEL[level]
        if parent.level != wanted:
            self.error(row, "parent_code", f"{Division.Level(level).label}的上级应为{Division.Level(wanted).label}，"
                                           f"而“{parent.name}”是{Division.Level(parent.level).label}", "bad_parent")
            return
        community = bool(v.get("is_community"))
        if community and level != Division.Level.VILLAGE:
            self.error(row, "is_community", "只有村级区划可以标为社区", "invalid")
            return
        existing = row.existing
        if existing is not None:
            if existing.level != level:
                self.error(row, "level", f"区划 {code} 已存在且层级为{Division.Level(existing.level).label}，导入不能改变层级", "level_change")
                return
            if existing.parent_id != parent.id:
                old_parent = index.by_id.get(existing.parent_id)
                self.error(row, "parent_code", f"区划 {code} 已存在且上级为 {old_parent.code if old_parent else '无'}，导入不能移动区划",
                           "parent_change")
                return
        row.fields = {"name": v["name"], "level": level, "parent_id": parent.id}
        if self.given(row, "is_community"):
            row.fields["is_community"] = community
        row.values["_parent_code"] = parent.code
        if existing is None:
            # Visible to the rows after it (children in the same chunk); real id after write.
            index.add(DivInfo(None, code, v["name"], level, parent.id, f"{parent.path}/{code}", community))

    def write(self, rows: list[Row]) -> None:
        index: DivisionIndex = self.session.divisions
        created = [r for r in rows if r.created]
        # A chunk may hold a parent and its children: insert level by level.
        for level in ("county", "township", "village"):
            batch = []
            for r in created:
                if r.fields["level"] != level:
                    continue
                parent = index.get(r.values["_parent_code"])
                fields = dict(r.fields, parent_id=parent.id)
                batch.append((r, Division(code=r.values["code"], path=f"{parent.path}/{r.values['code']}", **fields)))
            Division.objects.bulk_create([o for _, o in batch], batch_size=1000)
            changes.record(changes.DIVISION, [o.pk for _, o in batch])
            for r, o in batch:
                r.obj = o
                index.add(DivInfo(o.id, o.code, o.name, o.level, o.parent_id, o.path, o.is_community))
        changed = {r.existing.id: r for r in rows if r.changed}
        if changed:
            objs = list(Division.objects.filter(id__in=changed))
            fields: set[str] = set()
            for o in objs:
                for k, val in changed[o.id].fields.items():
                    setattr(o, k, val)
                    fields.add(k)
            Division.objects.bulk_update(objs, sorted(fields), batch_size=500)
            changes.record(changes.DIVISION, [o.pk for o in objs], fields=fields)
            for o in objs:
                changed[o.id].obj = o
                index.add(DivInfo(o.id, o.code, o.name, o.level, o.parent_id, o.path, o.is_community))


KIND = register(LedgerKind(
    key="divisions", title="行政区划", sheet="行政区划", columns=COLUMNS, natural_key="code", order=10,
    description="州市以下的县（市、区）、乡镇（街道）、村（社区）。新州市导入阵地前先导入区划；上级在前，下级在后。",
    aliases=("区划", "division", "divisions"), importer=DivisionImporter,
))
