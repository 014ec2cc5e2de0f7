"""Opinions (意见建议台账), their handling so far, and the units they go to.

Three sheets:
- 承办单位 (handling units), referenced by name from the opinions;
- 意见建议: one row per opinion: registration, current status, current referral,
  latest reply, delivery, the citizen's and the deputy's satisfaction, closing;
- 办理过程: one row per step of an opinion (the opinions app's Transition rows: who,
  when, from, to, what) — an export carries the complete history of every opinion.

The opinions app has no bulk entry point: `services.register` draws a new tracking code
(an imported opinion keeps the one citizens already hold) and every step notifies units
and deputies (an import must not send 2019's referrals again). So opinions are written
in bulk after the checks `register` makes (channel, title, content, time not in the
future, phone, position/division agreement, the deputy of a deputy-collected opinion,
active category), the state rules of the loop (a reply exists for replied/closed, a
closed opinion was delivered and carries its closing time, only a delivered reply is
rated …) and, for the 办理过程 sheet, the guards of each service step (which status each
action may start from and which it leads to). Every opinion written is recorded as a
change of the import's transaction (`tenants/common/changes.py`), as the services do, so
search and statistics follow once it commits.
"""
from __future__ import annotations

import json

from django.utils import timezone

from liaison.platform.accounts.masking import is_masked_tracking_code
from liaison.platform.province.models import Category
from liaison.tenants.common import changes
from liaison.tenants.common.errors import FieldError
from liaison.tenants.opinions import services as opinion_services
from liaison.tenants.opinions.models import (
    AWAITING_REPLY,
    Channel,
    CloseReason,
    Evaluation,
    HandlingUnit,
    JurisdictionLevel,
    Opinion,
    Outcome,
    Rater,
    Referral,
    Reply,
    ReplyKind,
    Satisfaction,
    Status,
    Suggestion,
    Transition,
    UnitKind,
    UnitLevel,
    new_tracking_code,
    normalise_tracking_code,
)
from liaison.tenants.opinions import workflow

from ..parsing import (
    CellError,
    choice_lookup,
    parse_bool,
    parse_choice,
    parse_code,
    parse_date,
    parse_datetime,
    parse_int,
    parse_phone,
    parse_text,
)
from ..spec import Column, LedgerKind, register
from .base import Row, SheetImporter, same
from .deputies import deputy_index, load_deputies
from .divisions import division_columns, resolve_division
from .positions import position_index




def _labels(enum) -> tuple[str, ...]:
    return tuple(str(label) for _, label in enum.choices)


def _choices(enum, aliases=None):
    table = choice_lookup(enum.choices, aliases)
    labels = [label for _, label in enum.choices]
    return lambda text: parse_choice(text, table, labels)


def _text(n):
    return lambda t: parse_text(t, max_length=n)


_channel = _choices(Channel, {"接待": "reception", "接待日接待": "reception", "代表": "deputy", "代表走访": "deputy",
                              "观察员": "observer", "信箱": "box", "意见箱（信箱）": "box", "网络": "online", "线上": "online",
                              "小程序": "online", "网站": "online"})
_status = _choices(Status, {"登记": "registered", "待研判": "registered", "研判": "triaged", "交办": "referred", "转办": "referred",
                            "办理中": "referred", "督办": "escalated", "转代表建议": "converted", "答复": "replied",
                            "已回复": "replied", "重办": "reopened", "办结": "closed", "已结": "closed"})
_jurisdiction = _choices(JurisdictionLevel, {"乡镇级": "township", "县": "county", "县（市、区）": "county", "州": "prefecture",
                                             "市": "prefecture", "州市级": "prefecture", "省": "province", "不予受理": "not_acceptable",
                                             "依法疏导": "not_acceptable"})
_outcome = _choices(Outcome, {"A类": "A", "B类": "B", "C类": "C", "D类": "D", "已解决": "A", "正在解决": "B",
                              "列入计划解决": "C", "留作参考": "D", "解释说明": "D"})
_satisfaction = _choices(Satisfaction)
_reply_kind = _choices(ReplyKind, {"答复": "answer", "解释": "explanation", "依法疏导": "explanation"})
_close_reason = _choices(CloseReason)
_unit_kind = _choices(UnitKind)
_unit_level = _choices(UnitLevel, {"乡镇级": "township", "县": "county", "州": "prefecture", "市": "prefecture", "省": "province"})
_actor_kind = _choices(Transition.ActorKind)


def _tracking(text: str) -> str:
    if is_masked_tracking_code(text):
        raise CellError(f"查询码已打码，不能导入：{text}（请使用含个人信息的导出文件）", "masked")
    code = normalise_tracking_code(text)
    if not code or len(code) > 16:
        raise CellError(f"不是有效的查询码：{text}", "bad_tracking_code")
    return code


def _citizen_phone(text: str) -> str:
    value = parse_phone(text)
    if not opinion_services.PHONE_RE.match(value):
        raise CellError(f"不是有效的电话号码：{text}", "bad_phone")
    return value


def _citizen_name(text: str) -> str:
    value = parse_text(text, max_length=64)
    if "*" in value:
        raise CellError(f"姓名已打码，不能导入：{text}（请使用含个人信息的导出文件）", "masked")
    return value


def _json(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        raise CellError("不是有效的 JSON", "bad_json") from None
    if not isinstance(value, dict):
        raise CellError("应为 JSON 对象（{…}）", "bad_json")
    return value


# --- handling units ---------------------------------------------------------------------------

UNIT_COLUMNS = [
    Column("name", "承办单位", "单位全称；同一区划内唯一，意见建议表按名称引用", "盘龙区住房和城乡建设局", required=True,
           aliases=("单位名称", "名称", "unit", "unit name", "name"), parse=_text(128), width=26),
    Column("kind", "单位类型", "乡镇人民政府（街道办事处）、乡镇人大主席团（街道人大工委）、县级部门、县级人大常委会、州市级部门、"
           "州市人大常委会、省级部门、其他单位之一", "县级部门", required=True, aliases=("类型", "kind"), parse=_unit_kind, width=20,
           choices=_labels(UnitKind)),
    Column("level", "单位层级", "乡镇、县级、州市、省级之一", "县级", required=True, aliases=("层级", "level"), parse=_unit_level, choices=_labels(UnitLevel)),
    *division_columns("division", code_header="所在区划代码", path_header="所在区划", level_prefix="所在", place="单位所在地",
                      code_aliases=("区划代码",)),
    Column("categories", "承办类别", "可承办的意见类别，多个用“、”分隔；留空表示综合承办", "城乡建设、交通运输",
           aliases=("类别", "categories"), parse=_text(500), width=20),
    Column("supervises", "督办机关", "是否接收下级逾期督办通知（是/否）", "否", aliases=("supervises",), parse=parse_bool, choices=("是", "否")),
    Column("contact_name", "联系人", "", "李明", aliases=("contact",), parse=_text(64)),
    Column("notify_channel", "通知渠道", "console、email、sms、wechat 之一", "console", aliases=("channel", "notify channel"),
           parse=_text(12)),
    Column("notify_address", "通知地址", "邮箱、手机号或微信 openid", "", aliases=("notify address",), parse=_text(255)),
    Column("active", "启用", "是或否（默认是）", "是", aliases=("active",), parse=parse_bool, choices=("是", "否")),
]


def unit_key(division_code: str, name: str) -> str:
    return f"{division_code}|{name}"


class UnitImporter(SheetImporter):
    field_columns = {"name": "name", "kind": "kind", "level": "level", "division": ("division_code", "division_path", "division_county"),
                     "categories": "categories"}

    def natural_keys(self, row: Row) -> list[tuple[str, str]]:
        division = row.values.get("_division")
        if division is not None and row.values.get("name"):
            return [("name", unit_key(division.code, row.values["name"]))]
        return []

    def check_keys(self, chunk: list[Row]) -> None:
        for row in chunk:
            row.values["_division"] = resolve_division(self, row, "division", required=True) if not row.failed else None
        super().check_keys(chunk)

    def prepare(self, rows: list[Row]) -> None:
        categories = categories_index(self.session)
        names = {r.values.get("name") for r in rows if r.values.get("name")}
        stored = {(u.division_id, u.name): u for u in HandlingUnit.objects.filter(name__in=names).prefetch_related("categories")}
        for row in rows:
            division = row.values.get("_division")
            if division is not None:
                row.existing = stored.get((division.pk, row.values.get("name")))
        self.categories = categories

    def validate(self, row: Row) -> None:
        if row.failed:
            return
        v = row.values
        cats = []
        for name in (v.get("categories") or "").replace("，", "、").replace(",", "、").replace("；", "、").split("、"):
            if name.strip():
                cat = self.categories.get(name.strip())
                if cat is None:
                    self.error(row, "categories", f"未知的意见类别：{name.strip()}", "unknown_category")
                    return
                cats.append(cat.pk)
        channel = v.get("notify_channel") or "console"
        if channel not in ("console", "email", "sms", "wechat"):
            self.error(row, "notify_channel", "应为 console、email、sms、wechat 之一", "bad_choice")
            return
        row.fields = {"name": v["name"], "kind": v["kind"], "level": v["level"], "division_id": v["_division"].pk}
        for key in ("supervises", "active"):
            if self.given(row, key) and v.get(key) is not None:
                row.fields[key] = v[key]
        for key in ("contact_name", "notify_address"):
            if self.given(row, key):
                row.fields[key] = v.get(key) or ""
        if self.given(row, "notify_channel"):
            row.fields["notify_channel"] = channel
        row.values["_categories"] = sorted(cats) if self.given(row, "categories") else None

    def decide(self, row: Row) -> None:
        super().decide(row)
        if row.existing is not None and row.values.get("_categories") is not None:
            if sorted(c.pk for c in row.existing.categories.all()) != row.values["_categories"]:
                row.changed = True

    def write(self, rows: list[Row]) -> None:
        for r in rows:
            if r.created:
                r.obj = HandlingUnit.objects.create(**r.fields)
            elif r.changed:
                for k, val in r.fields.items():
                    setattr(r.existing, k, val)
                r.existing.save()
            if (r.created or r.changed) and r.values.get("_categories") is not None:
                r.obj.categories.set(r.values["_categories"])
            self.session.cache.setdefault("units", {})[unit_key(r.values["_division"].code, r.obj.name)] = r.obj.pk


def categories_index(session) -> dict[str, Category]:
    if "categories" not in session.cache:
        index = {}
        for cat in Category.objects.all():
            index[cat.name] = cat
            index[cat.code] = cat
            if cat.name_en:
                index[cat.name_en.lower()] = cat
        session.cache["categories"] = index
    return session.cache["categories"]


def units_by_name(session) -> dict[str, list[int]]:
    if "units_by_name" not in session.cache:
        index: dict[str, list[int]] = {}
        for pk, name in HandlingUnit.objects.values_list("pk", "name"):
            index.setdefault(name, []).append(pk)
        session.cache["units_by_name"] = index
    return session.cache["units_by_name"]


# --- opinions -----------------------------------------------------------------------------------

OPINION_COLUMNS = [
    Column("tracking_code", "查询码", "群众凭此查询办理进度；已有查询码的意见按查询码更新，留空则按来源编号更新或新登记并生成查询码",
           "7K3M9QXT2A", aliases=("查询编码", "tracking code", "tracking_code"), parse=_tracking),
    Column("source_reference", "来源编号", "原台账中的编号；再次导入时按来源编号更新（无查询码时必填）", "PL-2023-0012",
           aliases=("原编号", "原台账编号", "台账编号", "source reference", "source_reference"), parse=_text(120)),
    Column("registered_at", "登记时间", "2024-03-05 或 2024-03-05 14:30，不晚于现在", "2024-03-05 10:20", required=True,
           aliases=("登记日期", "收集时间", "registered at", "registered_at"), parse=parse_datetime, width=18),
    Column("channel", "来源渠道", "接待日、代表收集、民情观察员、意见箱、网上之一", "接待日", required=True,
           aliases=("渠道", "来源", "channel"), parse=_channel, choices=_labels(Channel)),
    Column("position_code", "阵地编码", "受理阵地的编码（或填阵地名称）", "530102-Z-001", aliases=("受理阵地编码", "position code"),
           parse=lambda t: parse_code(t, max_length=40)),
    Column("position_name", "阵地名称", "受理阵地名称；与编码都填时须一致", "拓东街道人大代表工作站",
           aliases=("受理阵地", "阵地", "position", "position name"), parse=_text(128), width=26),
    *division_columns("division", code_header="所属区划代码", path_header="所属区划", level_prefix="所属", place="意见所属地",
                      path_aliases=("所属区划名称",)),
    Column("deputy_roll_number", "收集代表证号", "收集该意见的代表（代表收集渠道必填）", "KM-2022-0001",
           aliases=("代表证号", "deputy roll number"), parse=lambda t: parse_code(t, max_length=40)),
    Column("deputy_name", "收集代表", "用于核对：与代表证号不符时报错", "张丽", aliases=("代表姓名", "deputy"), parse=_text(64)),
    Column("citizen_name", "群众姓名", "个人信息：无权限的导出中打码", "王某某", personal=True,
           aliases=("反映人", "群众", "姓名", "citizen name"), parse=_citizen_name),
    Column("citizen_phone", "联系电话", "个人信息：手机 11 位或带区号的固话", "13912345678", personal=True,
           aliases=("群众电话", "电话", "citizen phone"), parse=_citizen_phone),
    Column("title", "标题", "意见建议标题（200 字以内）", "金碧社区路灯损坏", required=True, aliases=("事项", "title"), parse=_text(200), width=26),
    Column("content", "内容", "意见建议的具体内容", "金碧路 3 号至 9 号路灯损坏，夜间出行不便。", required=True,
           aliases=("具体内容", "反映内容", "content"), parse=_text(20000), width=40),
    Column("category", "类别", "意见类别名称或代码，如 城乡建设、交通运输", "城乡建设", aliases=("意见类别", "category"), parse=_text(64)),
    Column("jurisdiction_level", "管辖层级", "乡镇、县级、州市、省级、不予受理（依法疏导）之一", "县级",
           aliases=("管辖", "办理层级", "jurisdiction level"), parse=_jurisdiction,
           choices=_labels(JurisdictionLevel)),
    Column("status", "办理状态", "已登记、已研判、已交办、已督办上提、已转代表建议、已答复、重新办理、已办结之一（默认已登记）",
           "已答复", aliases=("状态", "status"), parse=_status, choices=_labels(Status)),
    Column("triaged_at", "研判时间", "", "2024-03-06 09:00", aliases=("triaged at",), parse=parse_datetime, width=18),
    Column("handling_unit", "承办单位", "交办的承办单位名称（须在承办单位表或系统中）", "盘龙区住房和城乡建设局",
           aliases=("办理单位", "handling unit"), parse=_text(128), width=26),
    Column("referred_at", "交办时间", "", "2024-03-06 10:00", aliases=("referred at",), parse=parse_datetime, width=18),
    Column("due_on", "办理期限", "当前答复期限", "2024-03-27", aliases=("答复期限", "due on"), parse=parse_date),
    Column("round", "办理轮次", "不满意重新办理后加 1（默认 1）", "1", aliases=("轮次", "round"), parse=lambda t: parse_int(t, low=1, high=99)),
    Column("replied_at", "答复时间", "", "2024-03-20 16:00", aliases=("replied at",), parse=parse_datetime, width=18),
    Column("reply_kind", "答复类型", "办理答复或解释说明（依法疏导）", "办理答复", aliases=("reply kind",), parse=_reply_kind,
           choices=_labels(ReplyKind)[:2]),
    Column("reply", "答复内容", "最近一次答复的内容", "已更换路灯 4 盏。", aliases=("答复", "办理结果说明", "reply"), parse=_text(20000), width=40),
    Column("outcome", "办理结果", "A类（已解决）、B类（正在解决）、C类（列入计划解决）、D类（留作参考、解释说明），可只填 A/B/C/D",
           "A", aliases=("结果", "办理结果分类", "outcome"), parse=_outcome, choices=("A", "B", "C", "D")),
    Column("delivered_to_citizen_at", "送达群众时间", "答复送达群众的时间", "2024-03-21 09:00", aliases=("送达时间",),
           parse=parse_datetime, width=18),
    Column("delivered_to_deputy_at", "送达代表时间", "答复送达代表的时间", "", parse=parse_datetime, width=18),
    Column("citizen_satisfaction", "群众满意度", "满意、基本满意、不满意", "满意", aliases=("满意度", "群众评价"), parse=_satisfaction,
           choices=_labels(Satisfaction)),
    Column("citizen_rated_at", "群众评价时间", "", "2024-03-22 10:00", parse=parse_datetime, width=18),
    Column("deputy_satisfaction", "代表满意度", "满意、基本满意、不满意", "", aliases=("代表评价",), parse=_satisfaction, choices=_labels(Satisfaction)),
    Column("deputy_rated_at", "代表评价时间", "", "", parse=parse_datetime, width=18),
    Column("closed_at", "办结时间", "", "2024-03-22 10:00", aliases=("closed at",), parse=parse_datetime, width=18),
    Column("closed_reason", "办结方式", "已评价、逾期未评价、重复件随主件办结", "已评价", aliases=("closed reason",), parse=_close_reason,
           choices=_labels(CloseReason)),
    Column("duplicate_of", "并入查询码", "重复件：所并入主件的查询码", "", aliases=("主件查询码", "duplicate of"), parse=_tracking),
    Column("suggestion_number", "代表建议编号", "转为代表建议的编号（须已在系统中）", "", aliases=("建议编号",), parse=_text(32)),
]

# The steps of the 办理过程 sheet are checked against the opinion loop's rulebook
# (liaison.tenants.opinions.workflow: which action may start from which status and
# which it leads to); this module keeps no copy of it.
_ACTIONS = choice_lookup(workflow.ACTION_CHOICES)


def _action(text: str) -> str:
    return parse_choice(text, _ACTIONS, [str(label) for _code, label in workflow.ACTION_CHOICES])


def _step_status(text: str) -> str:
    if text.strip() in ("", "-", "—"):
        return ""
    return _status(text)


class OpinionImporter(SheetImporter):
    field_columns = {"channel": "channel", "title": "title", "content": "content", "registered_at": "registered_at",
                     "citizen_phone": "citizen_phone", "citizen_name": "citizen_name", "source_reference": "source_reference",
                     "position": ("position_code", "position_name"),
                     "division": ("division_code", "division_path", "division_county", "position_code"),
                     "deputy": "deputy_roll_number", "category": "category", "status": "status", "reply": "reply",
                     "outcome": "outcome", "closed_at": "closed_at", "handling_unit": "handling_unit",
                     "delivered_to_citizen_at": "delivered_to_citizen_at", "citizen_satisfaction": "citizen_satisfaction",
                     "deputy_satisfaction": "deputy_satisfaction", "referred_at": "referred_at", "replied_at": "replied_at",
                     "jurisdiction_level": "jurisdiction_level", "triaged_at": "triaged_at", "closed_reason": "closed_reason"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions = position_index(self.session)
        self.now = timezone.now()
        self.with_steps = "opinion_history" in self.session.kinds_in_file
        self.duplicates: list[tuple[int, int, str]] = []   # (row, opinion pk, primary tracking code)
        if self.with_steps:
            self.session.finalizers.setdefault("opinion_steps", steps_for_unlisted_opinions)

    def natural_keys(self, row: Row) -> list[tuple[str, str]]:
        keys = []
        if row.values.get("tracking_code"):
            keys.append(("tracking_code", "t:" + row.values["tracking_code"]))
        if row.values.get("source_reference"):
            keys.append(("source_reference", "s:" + row.values["source_reference"]))
        return keys

    def remember(self, row: Row) -> None:
        super().remember(row)
        # the history sheet finds opinions by either key; a generated tracking code counts too
        if self.with_steps and row.obj is not None and not row.failed and row.obj.tracking_code:
            seen = self.session.seen(self.kind.key)
            key = "t:" + row.obj.tracking_code
            if key not in seen:
                from .base import SeenKey

                seen[key] = SeenKey(row.number, True, row.obj.pk)

    def prepare(self, rows: list[Row]) -> None:
        codes = [r.values.get("tracking_code") for r in rows if r.values.get("tracking_code")]
        refs = [r.values.get("source_reference") for r in rows if r.values.get("source_reference")]
        by_code = {o.tracking_code: o for o in Opinion.objects.filter(tracking_code__in=codes)} if codes else {}
        by_ref: dict[str, list[Opinion]] = {}
        if refs:
            for o in Opinion.objects.filter(source_reference__in=refs):
                by_ref.setdefault(o.source_reference, []).append(o)
        for row in rows:
            code, ref = row.values.get("tracking_code"), row.values.get("source_reference")
            found = by_code.get(code) if code else None
            ref_matches = by_ref.get(ref, []) if ref else []
            if found is not None and ref and ref_matches and found not in ref_matches:
                self.error(row, "source_reference", f"来源编号 {ref} 已属于查询码为 {ref_matches[0].tracking_code} 的意见", "key_conflict")
            elif found is None and ref_matches:
                if code:
                    self.error(row, "tracking_code", f"来源编号 {ref} 的意见查询码为 {ref_matches[0].tracking_code}，与 {code} 不符",
                               "key_conflict")
                elif len(ref_matches) > 1:
                    self.error(row, "source_reference", f"系统中有 {len(ref_matches)} 条来源编号为 {ref} 的意见", "ambiguous")
                else:
                    found = ref_matches[0]
            if not code and not ref and not row.failed:
                self.error(row, "tracking_code", "须填写查询码或来源编号（再次导入时据此更新，不会重复登记）", "required")
            if found is not None and found.origin_schema:
                self.error(row, "tracking_code", "这是外州市转来的意见副本，不能通过台账导入", "copy")
            row.existing = found
        load_deputies(self.session, [r.values.get("deputy_roll_number") for r in rows])
        self.positions.load([r.values.get("position_code") for r in rows])
        names = {r.values.get("position_name") for r in rows if r.values.get("position_name") and not r.values.get("position_code")}
        self.position_by_name: dict[str, list] = {}
        if names:
            for pk, code, name in _positions_named(names):
                self.position_by_name.setdefault(name, []).append(code)
            self.positions.load([c for codes_ in self.position_by_name.values() for c in codes_])
        stored_ids = [r.existing.pk for r in rows if r.existing is not None]
        self.latest: dict[int, Reply] = {}
        self.active_referral: dict[int, Referral] = {}
        if stored_ids:
            for reply in Reply.objects.filter(opinion_id__in=stored_ids).prefetch_related("evaluations").order_by("replied_at", "id"):
                self.latest[reply.opinion_id] = reply
            for ref in Referral.objects.filter(opinion_id__in=stored_ids, state=Referral.State.ACTIVE):
                self.active_referral[ref.opinion_id] = ref

    # -- checks --------------------------------------------------------------------------------
    def validate(self, row: Row) -> None:
        v = row.values
        existing: Opinion | None = row.existing
        position = self._position(row)
        division = None
        if {"division_code", "division_path", "division_county"} & self.present:
            division = resolve_division(self, row, "division", required=False)
        deputy = None
        if v.get("deputy_roll_number"):
            deputy = deputy_index(self.session).get(v["deputy_roll_number"])
            if deputy is None:
                if self.in_file_reference(row, "deputy_roll_number", "deputies", v["deputy_roll_number"], "代表") is None:
                    self.error(row, "deputy_roll_number", f"未知的代表证号：{v['deputy_roll_number']}", "unknown_deputy")
            elif v.get("deputy_name") and v["deputy_name"] != deputy[1]:
                self.error(row, "deputy_name", f"与代表证号不符：{v['deputy_roll_number']} 是“{deputy[1]}”", "name_mismatch")
        category = None
        if v.get("category"):
            category = categories_index(self.session).get(v["category"]) or categories_index(self.session).get(v["category"].lower())
            if category is None:
                self.error(row, "category", f"未知的意见类别：{v['category']}", "unknown_category")
        unit_pk = None
        if v.get("handling_unit"):
            matches = units_by_name(self.session).get(v["handling_unit"], [])
            if not matches:
                self.error(row, "handling_unit", f"未知的承办单位：{v['handling_unit']}（请先在承办单位表中登记）", "unknown_unit")
            elif len(matches) > 1:
                self.error(row, "handling_unit", f"有 {len(matches)} 个同名承办单位：{v['handling_unit']}", "ambiguous")
            else:
                unit_pk = matches[0]
        suggestion_pk = None
        if v.get("suggestion_number"):
            suggestion_pk = Suggestion.objects.filter(number=v["suggestion_number"]).values_list("pk", flat=True).first()
            if suggestion_pk is None:
                self.warn(row.number, "suggestion_number", f"代表建议 {v['suggestion_number']} 不在系统中，未关联")
        if row.failed:
            return

        errors: list[FieldError] = []
        # --- the checks of opinions.services.register ---
        if v["registered_at"] > self.now + opinion_services.CLOCK_SKEW:
            errors.append(FieldError("registered_at", "登记时间不能晚于现在", "in_future"))
        if category is not None and not category.active and (existing is None or existing.category_id != category.pk):
            errors.append(FieldError("category", f"类别“{category.name}”已停用", "inactive"))
        if position is None and division is None:
            if existing is None:
                errors.append(FieldError("position", "须填写受理阵地（或至少所属区划）", "required"))
            else:
                division = self.session.divisions.by_id.get(existing.division_id)
        if position is not None and division is not None:
            pdiv = position.division
            if not (division.pk == pdiv.pk or pdiv.path.startswith(division.path + "/")):
                errors.append(FieldError("division", f"“{division.name}”不是阵地“{position.name}”所在地", "mismatch"))
        if v["channel"] == Channel.DEPUTY and deputy is None:
            errors.append(FieldError("deputy", "代表收集的意见须填写收集代表证号", "required"))
        # --- the state of the loop ---
        status = v.get("status") or (existing.status if existing else Status.REGISTERED)
        errors += self._state_errors(row, status, unit_pk)
        if existing is not None and status != existing.status and not self.with_steps:
            errors.append(FieldError("status", f"系统中该意见为“{existing.get_status_display()}”：状态变化须在平台中办理，"
                                               "或随“办理过程”表一并导入", "status_change"))
        if errors:
            self.service_errors(row, errors)
            return
        if position is not None and division is None:
            division = position.division
        fields = {"channel": v["channel"], "title": v["title"], "content": v["content"], "registered_at": v["registered_at"],
                  "position_id": position.pk if position else None, "division_id": division.pk,
                  "deputy_id": deputy[0] if deputy else None, "status": status}
        if self.given(row, "source_reference"):
            fields["source_reference"] = v.get("source_reference") or ""
        for key in ("citizen_name", "citizen_phone"):
            if self.given(row, key):
                fields[key] = v.get(key) or ""
        if self.given(row, "category"):
            fields["category_id"] = category.pk if category else None
        if self.given(row, "jurisdiction_level"):
            fields["jurisdiction_level"] = v.get("jurisdiction_level") or ""
        if self.given(row, "handling_unit"):
            fields["handling_unit_id"] = unit_pk
        for key in ("triaged_at", "referred_at", "replied_at", "closed_at", "due_on"):
            if self.given(row, key):
                fields[key] = v.get(key)
        if self.given(row, "round") and v.get("round"):
            fields["round"] = v["round"]
        if self.given(row, "closed_reason"):
            fields["closed_reason"] = v.get("closed_reason") or ""
        if status != Status.CLOSED:
            fields["closed_at"], fields["closed_reason"] = None, ""
        if self.given(row, "suggestion_number"):
            fields["suggestion_id"] = suggestion_pk
        if existing is None:
            fields["tracking_code"] = v.get("tracking_code") or ""
        row.fields = fields
        row.values["_unit"] = unit_pk

    def _position(self, row: Row):
        v = row.values
        code, name = v.get("position_code"), v.get("position_name")
        if code:
            found = self.positions.by_code.get(code)
            if found is None:
                if self.in_file_reference(row, "position_code", "positions", code, "阵地") is None:
                    self.error(row, "position_code", f"未知的阵地编码：{code}", "unknown_position")
                return None
            if name and name != found.name:
                self.error(row, "position_name", f"与阵地编码不符：{code} 是“{found.name}”", "name_mismatch")
            return found
        if name:
            codes = self.position_by_name.get(name, [])
            if not codes:
                self.error(row, "position_name", f"未知的阵地：{name}", "unknown_position")
            elif len(codes) > 1:
                self.error(row, "position_name", f"有 {len(codes)} 个名为“{name}”的阵地，请填写阵地编码", "ambiguous")
            else:
                return self.positions.by_code.get(codes[0])
        return None

    def _state_errors(self, row: Row, status: str, unit_pk) -> list[FieldError]:
        v = row.values
        errors: list[FieldError] = []
        reg = v["registered_at"]
        for key in ("triaged_at", "referred_at", "replied_at", "delivered_to_citizen_at", "delivered_to_deputy_at",
                    "citizen_rated_at", "deputy_rated_at", "closed_at"):
            when = v.get(key)
            if when is not None and when < reg:
                errors.append(FieldError(key, "不能早于登记时间", "before_registration"))
            if when is not None and when > self.now + opinion_services.CLOCK_SKEW:
                errors.append(FieldError(key, "不能晚于现在", "in_future"))
        has_reply = bool(v.get("reply"))
        if status in (Status.REPLIED, Status.CLOSED):
            if not has_reply:
                errors.append(FieldError("reply", f"“{Status(status).label}”的意见须有答复内容（登记必复）", "required"))
            if not v.get("replied_at"):
                errors.append(FieldError("replied_at", "须填写答复时间", "required"))
            if v.get("reply_kind") == ReplyKind.EXPLANATION and v.get("outcome") not in (None, Outcome.D):
                errors.append(FieldError("outcome", "解释说明（依法疏导）的办理结果为 D 类", "invalid"))
            elif not v.get("outcome") and v.get("reply_kind") != ReplyKind.EXPLANATION:
                errors.append(FieldError("outcome", "答复须有办理结果（A/B/C/D）", "required"))
        elif has_reply and status not in (Status.REOPENED,):
            errors.append(FieldError("status", f"有答复内容的意见状态不能是“{Status(status).label}”", "invalid"))
        if status in (Status.REFERRED, Status.ESCALATED) and not unit_pk:
            errors.append(FieldError("handling_unit", f"“{Status(status).label}”的意见须填写承办单位", "required"))
        if unit_pk and not v.get("referred_at") and status in AWAITING_REPLY:
            errors.append(FieldError("referred_at", "须填写交办时间", "required"))
        if status == Status.CLOSED:
            if not v.get("closed_at"):
                errors.append(FieldError("closed_at", "已办结的意见须填写办结时间", "required"))
            if not (v.get("delivered_to_citizen_at") or v.get("delivered_to_deputy_at")):
                errors.append(FieldError("delivered_to_citizen_at", "意见须在答复送达后才能办结", "not_delivered"))
        elif v.get("closed_at"):
            errors.append(FieldError("closed_at", "未办结的意见不应有办结时间", "invalid"))
        for who, sat, delivered, at in (("citizen", "citizen_satisfaction", "delivered_to_citizen_at", "citizen_rated_at"),
                                        ("deputy", "deputy_satisfaction", "delivered_to_deputy_at", "deputy_rated_at")):
            if v.get(sat):
                if not has_reply or not v.get(delivered):
                    errors.append(FieldError(sat, "答复送达后才能评价", "not_delivered"))
                elif v.get(at) and v[at] < v[delivered]:
                    errors.append(FieldError(sat, "评价时间早于送达时间", "before_delivery"))
                if who == "deputy" and not v.get("deputy_roll_number"):
                    errors.append(FieldError(sat, "只有收集该意见的代表可以评价", "not_concerned"))
        if v.get("delivered_to_deputy_at") and not v.get("deputy_roll_number"):
            errors.append(FieldError("delivered_to_deputy_at", "没有收集代表，不能送达代表", "no_deputy"))
        for key in ("delivered_to_citizen_at", "delivered_to_deputy_at"):
            if v.get(key) and v.get("replied_at") and v[key] < v["replied_at"]:
                errors.append(FieldError(key, "送达不能早于答复", "before_reply"))
        return errors

    def decide(self, row: Row) -> None:
        super().decide(row)
        if row.existing is not None and not row.changed:
            row.changed = self._handling_differs(row)

    def _handling_differs(self, row: Row) -> bool:
        v, op = row.values, row.existing
        reply = self.latest.get(op.pk)
        if self.given(row, "reply"):
            if (reply.content if reply else "") != (v.get("reply") or ""):
                return True
            if reply is not None:
                for key, attr in (("outcome", "outcome"), ("delivered_to_citizen_at", "delivered_to_citizen_at"),
                                  ("delivered_to_deputy_at", "delivered_to_deputy_at")):
                    if self.given(row, key) and not same(getattr(reply, attr) or None, v.get(key) or None):
                        return True
                rated = {e.rater: e.satisfaction for e in reply.evaluations.all()}
                for key, rater in (("citizen_satisfaction", Rater.CITIZEN), ("deputy_satisfaction", Rater.DEPUTY)):
                    if self.given(row, key) and (v.get(key) or None) != rated.get(rater):
                        return True
        return False

    # -- writing -------------------------------------------------------------------------------
    def write(self, rows: list[Row]) -> None:
        new = [r for r in rows if r.created]
        taken = set()
        wanted = [r.fields["tracking_code"] for r in new if r.fields["tracking_code"]]
        if wanted:
            taken = set(Opinion.objects.filter(tracking_code__in=wanted).values_list("tracking_code", flat=True))
        fresh = self._fresh_codes(sum(1 for r in new if not r.fields["tracking_code"]), taken)
        objs = []
        for r in new:
            fields = dict(r.fields)
            if not fields["tracking_code"]:
                fields["tracking_code"] = fresh.pop()
            elif fields["tracking_code"] in taken:
                self.error(r, "tracking_code", f"查询码 {fields['tracking_code']} 已被使用", "duplicate")
                continue
            obj = Opinion(**fields)
            objs.append(obj)
            r.obj = obj
        Opinion.objects.bulk_create(objs, batch_size=1000)
        changed = [r for r in rows if r.changed and not r.created]
        names: set[str] = set()
        for r in changed:
            for k, val in r.fields.items():
                setattr(r.existing, k, val)
                names.add(k)
        if changed and names:
            Opinion.objects.bulk_update([r.existing for r in changed], sorted(names | {"updated_at"}), batch_size=500)
        ok = [r for r in rows if (r.created or r.changed) and not r.failed and r.obj is not None]
        self._write_handling(ok)
        changes.record(changes.OPINION, [r.obj.pk for r in ok])
        for r in ok:
            if r.values.get("duplicate_of") is not None and self.given(r, "duplicate_of"):
                self.duplicates.append((r.number, r.obj.pk, r.values["duplicate_of"]))

    def _fresh_codes(self, n: int, taken: set[str]) -> list[str]:
        """n unused tracking codes, drawn as the opinions app draws them, checked in one query."""
        codes: set[str] = set()
        while len(codes) < n:
            batch = {new_tracking_code() for _ in range(n - len(codes))} - taken - codes
            used = set(Opinion.objects.filter(tracking_code__in=batch).values_list("tracking_code", flat=True))
            codes |= batch - used
        taken |= codes
        return list(codes)

    def _write_handling(self, rows: list[Row]) -> None:
        """Referral, reply and ratings of the current round, and (without a 办理过程 sheet)
        the steps: registered, then one imported step to the state the ledger gives."""
        referrals, replies, steps = [], [], []
        rated: list[tuple[Reply, Row]] = []
        ids = [r.obj.pk for r in rows if not r.created]
        if ids:
            # the ledger describes the current round: replace what an earlier import wrote for it
            Referral.objects.filter(opinion_id__in=ids, state=Referral.State.ACTIVE).delete()
        for r in rows:
            v, op = r.values, r.obj
            unit = r.values.get("_unit")
            if unit and v.get("referred_at") and (r.created or op.status in AWAITING_REPLY):
                awaiting = op.status in AWAITING_REPLY
                due = v.get("due_on") or timezone.localdate(v["referred_at"])
                if r.created or awaiting:
                    referrals.append(Referral(opinion=op, round=op.round, unit_id=unit, referred_at=v["referred_at"], due_on=due,
                                              original_due_on=due,
                                              state=Referral.State.ACTIVE if awaiting else Referral.State.ANSWERED))
            if v.get("reply") and self.given(r, "reply"):
                current = self.latest.get(op.pk) if not r.created else None
                if current is None or current.content != v["reply"] or current.round != op.round:
                    current = Reply(opinion=op, round=op.round, content=v["reply"], replied_at=v["replied_at"],
                                    kind=v.get("reply_kind") or ReplyKind.ANSWER, outcome=v.get("outcome") or Outcome.D,
                                    unit_id=unit, due_on=v.get("due_on"), replied_by=self.session.actor[:128])
                    replies.append(current)
                current.outcome = v.get("outcome") or current.outcome
                current.delivered_to_citizen_at = v.get("delivered_to_citizen_at")
                current.delivered_to_deputy_at = v.get("delivered_to_deputy_at")
                if current.pk:
                    current.save(update_fields=["outcome", "delivered_to_citizen_at", "delivered_to_deputy_at"])
                rated.append((current, r))
            if r.created and self.with_steps:
                last = max(t for t in (op.registered_at, op.triaged_at, op.referred_at, op.replied_at, op.closed_at,
                                       v.get("delivered_to_citizen_at"), v.get("citizen_rated_at")) if t)
                self.session.cache.setdefault("opinions_created", {})[op.pk] = (op.status, op.registered_at, op.channel, last)
            if r.created and not self.with_steps:
                steps.append(Transition(opinion=op, action="register", from_status="", to_status=Status.REGISTERED,
                                        actor_kind=Transition.ActorKind.SYSTEM, actor_label="台账导入", at=op.registered_at,
                                        note="台账导入", data={"channel": op.channel}))
                if op.status != Status.REGISTERED:
                    last = max(t for t in (op.registered_at, op.triaged_at, op.referred_at, op.replied_at, op.closed_at,
                                           v.get("delivered_to_citizen_at"), v.get("citizen_rated_at")) if t)
                    steps.append(imported_step(op.pk, op.status, last))
        Referral.objects.bulk_create(referrals, batch_size=1000)
        Reply.objects.bulk_create(replies, batch_size=1000)
        evaluations = []
        for reply, r in rated:
            v = r.values
            stored = {e.rater: e for e in reply.evaluations.all()} if not r.created and reply.pk and reply not in replies else {}
            for rater, key, at_key in ((Rater.CITIZEN, "citizen_satisfaction", "citizen_rated_at"),
                                       (Rater.DEPUTY, "deputy_satisfaction", "deputy_rated_at")):
                if not self.given(r, key):
                    continue
                value = v.get(key)
                old = stored.get(rater)
                if old is not None and (not value or old.satisfaction != value):
                    old.delete()
                    old = None
                if value and old is None:
                    at = v.get(at_key) or r.obj.closed_at or v.get("delivered_to_citizen_at") or reply.replied_at
                    evaluations.append(Evaluation(reply=reply, rater=rater, satisfaction=value, rated_at=at,
                                                  deputy_id=r.obj.deputy_id if rater == Rater.DEPUTY else None))
        Evaluation.objects.bulk_create(evaluations, batch_size=1000)
        Transition.objects.bulk_create(steps, batch_size=1000)

    def finish(self) -> None:
        if not self.duplicates:
            return
        codes = {c for *_x, c in self.duplicates}
        primaries = dict(Opinion.objects.filter(tracking_code__in=codes).values_list("tracking_code", "pk"))
        updates = []
        for number, pk, code in self.duplicates:
            primary = primaries.get(code)
            if primary is None:
                self.error(number, "duplicate_of", f"未知的查询码：{code}", "unknown_opinion", value=code)
            elif primary == pk:
                self.error(number, "duplicate_of", "不能并入自身", "same_opinion", value=code)
            else:
                updates.append(Opinion(pk=pk, duplicate_of_id=primary))
        Opinion.objects.bulk_update(updates, ["duplicate_of_id"], batch_size=500)
        changes.record(changes.OPINION, [o.pk for o in updates], fields=["duplicate_of_id"])



def imported_step(opinion_id: int, status: str, at) -> Transition:
    return Transition(opinion_id=opinion_id, action="import", from_status=Status.REGISTERED, to_status=status,
                      actor_kind=Transition.ActorKind.SYSTEM, actor_label="台账导入", at=at,
                      note="台账导入：导入前的办理情况见台账字段")


def steps_for_unlisted_opinions(session) -> None:
    """Opinions created from the 意见建议 sheet that the 办理过程 sheet does not list get
    the two steps an import without history gives them."""
    created = session.cache.get("opinions_created") or {}
    listed = session.cache.get("history_chains") or {}
    steps = []
    for pk, (status, registered_at, channel, last) in created.items():
        if pk in listed:
            continue
        steps.append(Transition(opinion_id=pk, action="register", from_status="", to_status=Status.REGISTERED,
                                actor_kind=Transition.ActorKind.SYSTEM, actor_label="台账导入", at=registered_at, note="台账导入",
                                data={"channel": channel}))
        if status != Status.REGISTERED:
            steps.append(imported_step(pk, status, last))
    Transition.objects.bulk_create(steps, batch_size=1000)


def _positions_named(names):
    from liaison.tenants.positions.models import Position

    return Position.objects.filter(name__in=names).values_list("pk", "code", "name")


# --- the steps of each opinion (办理过程) ----------------------------------------------------------

HISTORY_COLUMNS = [
    Column("tracking_code", "查询码", "所属意见的查询码（或填来源编号）", "7K3M9QXT2A", aliases=("tracking code",), parse=_tracking),
    Column("source_reference", "来源编号", "所属意见在原台账中的编号", "", aliases=("原台账编号", "source reference"), parse=_text(120)),
    Column("at", "时间", "该步骤发生的时间", "2024-03-06 10:00", required=True, aliases=("办理时间", "操作时间", "at", "time"),
           parse=parse_datetime, width=18),
    Column("action", "环节", "登记、研判、交办、改派、答复、解释说明、送达、评价、办结、重新办理、督办上提、转代表建议、延期、并案、台账导入等",
           "交办", required=True, aliases=("操作", "办理环节", "action"), parse=_action),
    Column("from_status", "原状态", "该步骤前的办理状态（登记步骤留空）", "已研判", aliases=("from status", "from"), parse=_step_status),
    Column("to_status", "新状态", "该步骤后的办理状态", "已交办", required=True, aliases=("to status", "to"), parse=_step_status),
    Column("actor_kind", "操作人类型", "平台用户、代表、群众、系统、外州市", "平台用户", aliases=("actor kind",), parse=_actor_kind),
    Column("actor_label", "操作人", "", "盘龙区人大 李明", aliases=("经办人", "actor"), parse=_text(128)),
    Column("note", "说明", "办理意见、理由等", "", aliases=("办理意见", "step note"), parse=_text(20000), width=30),
    Column("data", "详情", "JSON 格式的步骤详情（导出时生成，可不填）", "", aliases=("data", "details"), parse=_json, width=30),
]


class HistoryImporter(SheetImporter):
    field_columns = {"at": "at", "action": "action", "from_status": "from_status", "to_status": "to_status"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # opinion pk → [last status, last time, row number of that step, status in the ledger]
        self.chains: dict[int, list] = self.session.cache.setdefault("history_chains", {})

    def parse(self, row: Row) -> None:
        super().parse(row)
        # Two identical steps in the same second are two steps: number them, so neither
        # is a "duplicate" and a re-import matches each with its stored twin.
        base = self._base_key(row)
        if base:
            counts = self.session.cache.setdefault("history_occurrences", {})
            row.values["_occurrence"] = counts.get(base, 0)
            counts[base] = row.values["_occurrence"] + 1

    def _base_key(self, row: Row) -> str | None:
        v = row.values
        key = v.get("tracking_code") or v.get("source_reference")
        if key and v.get("at") and v.get("action"):
            return f"{key}|{v['at'].replace(microsecond=0).isoformat()}|{v['action']}|{v.get('to_status') or ''}"
        return None

    def natural_keys(self, row: Row) -> list[tuple[str, str]]:
        base = self._base_key(row)
        return [("at", f"{base}|{row.values.get('_occurrence', 0)}")] if base else []

    def check_keys(self, chunk: list[Row]) -> None:
        """Steps are numbered by occurrence (parse), so none is a duplicate of another:
        nothing to check, and nothing to remember per step (memory stays small)."""

    def remember(self, row: Row) -> None:
        pass

    def prepare(self, rows: list[Row]) -> None:
        codes = {r.values.get("tracking_code") for r in rows if r.values.get("tracking_code")}
        refs = {r.values.get("source_reference") for r in rows if r.values.get("source_reference") and not r.values.get("tracking_code")}
        found: dict[str, tuple] = {}
        fields = ("pk", "tracking_code", "source_reference", "registered_at", "status", "origin_schema")
        for values in Opinion.objects.filter(tracking_code__in=codes).values_list(*fields):
            found["t:" + values[1]] = values
        for values in Opinion.objects.filter(source_reference__in=refs).values_list(*fields):
            found.setdefault("s:" + values[2], values)
        pks = {values[0] for values in found.values()}
        self.stored: dict[tuple, int] = {}
        if pks:
            for pk, at, action, to in Transition.objects.filter(opinion_id__in=pks).values_list("opinion_id", "at", "action", "to_status"):
                key = (pk, at.replace(microsecond=0), action, to)    # files carry seconds
                self.stored[key] = self.stored.get(key, 0) + 1
        for row in rows:
            v = row.values
            key = ("t:" + v["tracking_code"]) if v.get("tracking_code") else (("s:" + v["source_reference"]) if v.get("source_reference") else None)
            if key is None:
                if not row.failed:
                    self.error(row, "tracking_code", "须填写所属意见的查询码或来源编号", "required")
                continue
            opinion = found.get(key)
            if opinion is None:
                seen = self.session.seen("opinions").get(key)
                column = "tracking_code" if key.startswith("t:") else "source_reference"
                if seen is not None and not seen.ok:
                    self.error(row, column, f"所属意见（意见建议表第 {seen.row} 行）有错误", "reference_has_errors")
                else:
                    self.error(row, column, f"未知的意见：{key[2:]}", "unknown_opinion")
                continue
            v["_opinion"] = opinion

    def validate(self, row: Row) -> None:
        if row.failed:
            return
        v = row.values
        pk, _code, _ref, registered_at, ledger_status, origin = v["_opinion"]
        action, at, frm, to = v["action"], v["at"], v.get("from_status") or "", v["to_status"]
        chain = self.chains.get(pk)
        previous = chain[0] if chain else ""
        errors: list[FieldError] = []
        if at < registered_at - opinion_services.CLOCK_SKEW and action not in ("register", "receive_from_prefecture"):
            errors.append(FieldError("at", "早于意见的登记时间", "before_registration"))
        if at > timezone.now() + opinion_services.CLOCK_SKEW:
            errors.append(FieldError("at", "不能晚于现在", "in_future"))
        if chain is None and action not in ("register", "receive_from_prefecture"):
            errors.append(FieldError("action", "每条意见的办理过程须从“登记”开始", "first_step"))
        if chain is not None and at < chain[1]:
            errors.append(FieldError("at", f"早于上一步骤（第 {chain[2]} 行，{timezone.localtime(chain[1]):%Y-%m-%d %H:%M}）", "out_of_order"))
        if frm != previous:
            errors.append(FieldError("from_status", f"原状态应为上一步骤后的“{Status(previous).label if previous else '（无）'}”", "broken_chain"))
        errors += [FieldError(*problem) for problem in workflow.check_step(action, frm, to)]
        self.chains[pk] = [to, at, row.number, ledger_status]
        if errors:
            self.service_errors(row, errors)
            return
        stored = self.stored.get((pk, at.replace(microsecond=0), action, to), 0)
        row.existing = object() if stored > v.get("_occurrence", 0) else None
        row.fields = {"opinion_id": pk, "action": action, "from_status": frm, "to_status": to, "at": at,
                      "actor_kind": v.get("actor_kind") or Transition.ActorKind.SYSTEM, "actor_label": v.get("actor_label") or "",
                      "note": v.get("note") or "", "data": v.get("data") or {}}

    def decide(self, row: Row) -> None:
        row.created = row.existing is None

    def write(self, rows: list[Row]) -> None:
        objs = [Transition(**r.fields) for r in rows if r.created]
        Transition.objects.bulk_create(objs, batch_size=1000)
        for r, o in zip([r for r in rows if r.created], objs):
            r.obj = o

    def finish(self) -> None:
        for pk, (last, _at, number, ledger_status) in self.chains.items():
            if last != ledger_status:
                self.error(number, "to_status", f"办理过程的最后状态“{Status(last).label if last else '（无）'}”与意见建议表中的办理状态"
                                               f"“{Status(ledger_status).label}”不一致", "status_mismatch")


register(LedgerKind(
    key="units", title="承办单位", sheet="承办单位", columns=UNIT_COLUMNS, natural_key="name", order=50,
    description="意见建议交办的承办单位；同一区划内按名称识别。",
    aliases=("办理单位", "unit", "units", "handling units"), importer=UnitImporter,
    required_any=[(("division_code", "division_path", "division_county"), "缺少所在区划：须有“所在区划代码”或“所在区划”等列")],
))

register(LedgerKind(
    key="opinions", title="意见建议台账", sheet="意见建议", columns=OPINION_COLUMNS, natural_key="tracking_code", order=60,
    description="群众意见建议及其办理情况：按查询码或来源编号识别，再次导入不会重复登记。",
    aliases=("意见建议台账", "群众意见建议", "opinion", "opinions"), importer=OpinionImporter,
    required_any=[(("tracking_code", "source_reference"), "须有“查询码”或“来源编号”列，再次导入时据此更新而不重复登记"),
                  (("position_code", "position_name", "division_code", "division_path", "division_county"),
                   "须有“阵地编码”或“阵地名称”（或所属区划）列")],
))

register(LedgerKind(
    key="opinion_history", title="办理过程", sheet="办理过程", columns=HISTORY_COLUMNS, natural_key="at", order=70,
    description="每条意见的办理步骤（归档留痕）：登记、研判、交办、答复、送达、评价、办结……须与“意见建议”表中的状态一致。",
    aliases=("办理记录", "办理过程记录", "history", "opinion history", "transitions"), importer=HistoryImporter,
    required_any=[(("tracking_code", "source_reference"), "须有“查询码”或“来源编号”列")],
))

