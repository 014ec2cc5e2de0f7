"""Descriptions for the parts of the schema their code leaves undescribed.

A front end codes against the schema, so every type, field, argument and enum value has
a description (tests/graphql/test_gql_schema_lint.py). A description written next to the
field always wins; `describe(schema)` fills the rest, in this order:

1. conventions of the layout: Relay connections, edges, payloads and inputs of
   mutations, `clientMutationId`, pagination arguments, `…Label` fields, global IDs,
   filter inputs and order enums;
2. the Django model behind a node type: the model field's verbose name and help text
   (the same words the admin and the exports use);
3. enum values from the TextChoices they come from: their Chinese label;
4. GLOSSARY: one meaning per field or argument name across the whole API (`note`,
   `dueOn`, `within`…). A new name without a description fails the lint test: describe
   it where it is defined, or add it here when it means the same everywhere.
"""
from __future__ import annotations

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

GLOSSARY: dict[str, str] = {
    # identity and references (global IDs carry their prefecture; another host's are not found)
    "id": "全局 ID (global ID; names its prefecture, resolve it with `node(id:)` on that prefecture's host).",
    "position": "阵地 (a position: 家、站、室; its global ID in inputs).",
    "positions": "阵地 (positions).",
    "deputy": "代表 (a deputy; their global ID in inputs).",
    "deputies": "代表 (deputies; their global IDs in inputs).",
    "division": "区划 (an administrative division; its global ID in inputs).",
    "constituency": "选区所在区划 (the division the deputy was elected in; its global ID in inputs).",
    "parent": "上级 (the parent one; its global ID in inputs).",
    "counterpart": "对应实体阵地 (online positions: the physical position they pair with; its global ID in inputs).",
    "unit": "承办单位 (the handling unit; its global ID in inputs).",
    "leadUnit": "主办单位 (the lead handling unit; its global ID in inputs).",
    "coUnits": "协办单位 (co-handling units; their global IDs in inputs).",
    "handlingUnit": "承办单位 (the handling unit the opinion is with).",
    "leadDeputy": "领衔代表 (the lead deputy; their global ID in inputs).",
    "coSigners": "附议代表 (co-signing deputies; their global IDs in inputs).",
    "opinion": "意见 (an opinion; its global ID in inputs).",
    "opinions": "意见 (opinions; their global IDs in inputs).",
    "suggestion": "代表建议 (a deputy suggestion; its global ID in inputs).",
    "event": "活动 (an event; its global ID in inputs).",
    "plan": "年度活动计划 (an annual plan; its global ID in inputs).",
    "primary": "主意见 (the primary opinion this one duplicates; its global ID).",
    "item": "标准项 (a checklist item).",
    "stationing": "进站记录 (a deputy stationed at a position).",
    "staff": "工作人员 (staff of the position).",
    "referral": "交办记录 (the referral made).",
    "reply": "答复 (the reply).",
    "rule": "积分规则 (the points rule saved).",
    "signIn": "签到记录 (the sign-in recorded).",
    "reception": "接待记录 (the reception recorded).",
    "tracking": "群众看到的办理情况 (what the citizen sees with the tracking code).",
    "ledgerImport": "台账导入批次 (the ledger import batch).",
    "ledgerExport": "台账导出任务 (the ledger export job).",
    "prefecture": "州市 (a prefecture: its slug in inputs and results).",
    "prefectures": "州市 (prefectures: their slugs).",
    # names and texts
    "code": "编码 (code).",
    "name": "名称或姓名 (name).",
    "nameEn": "英文名称 (English name).",
    "title": "标题 (title).",
    "content": "内容 (content).",
    "description": "说明 (description).",
    "note": "备注 (note; recorded with the step, shown in the history).",
    "comment": "评价意见 (comment given with the rating).",
    "summary": "摘要 (summary).",
    "reason": "原因 (reason).",
    "label": "中文名称 (Chinese label, for display).",
    "value": "取值 (value).",
    "message": "说明 (message for people, in Chinese).",
    "key": "标识 (machine-readable key).",
    "address": "地址 (address).",
    "place": "地点 (place).",
    "phone": "电话 (phone; masked without the personal-data permission).",
    "email": "电子邮箱 (e-mail; masked without the personal-data permission).",
    "idNumber": "身份证号 (ID number; masked without the personal-data permission).",
    "citizenName": "群众姓名 (citizen's name; masked without the personal-data permission).",
    "citizenPhone": "群众电话 (citizen's phone; masked without the personal-data permission).",
    "trackingCode": "查询码 (tracking code: lets its holder follow and rate the opinion).",
    "idempotencyKey": "幂等键 (idempotency key: a retry with the same key never creates a second record).",
    "gender": "性别 (gender).",
    "ethnicity": "民族 (ethnicity).",
    "occupation": "职业 (occupation).",
    "bio": "简介 (public biography).",
    "rollNumber": "代表编号 (roll number on this prefecture's roll).",
    "matter": "反映事项 (the matter raised).",
    "answer": "答复内容 (the answer).",
    "number": "编号 (number).",
    "field": "专业领域 (field of a professional station: 旅游、生态…).",
    "openingHours": "开放时间 (opening hours).",
    "onlineUrl": "网上阵地地址 (address of an online position).",
    "latitude": "纬度 (latitude, WGS-84).",
    "longitude": "经度 (longitude, WGS-84).",
    "evidenceNote": "佐证说明 (evidence note).",
    "routeNote": "路由说明 (why this unit: the rule that matched).",
    "reasons": "理由 (reasons for the proposal).",
    "summaryNote": "说明 (note).",
    "filename": "文件名 (file name).",
    "contentType": "文件类型 (MIME type).",
    "size": "大小 (bytes).",
    "sheet": "工作表 (sheet name).",
    "message_": "说明 (message).",
    # classifications (each is an enum: its values are described there)
    "kind": "类型 (kind; see the enum's values).",
    "level": "级别 (level; see the enum's values).",
    "status": "状态 (status; see the enum's values).",
    "tier": "阵地层级 (tier: 家、站、室…).",
    "specialKind": "特色阵地类型 (kind of a special position).",
    "channel": "渠道 (channel the opinion came through).",
    "outcome": "办理结果 (outcome: A solved, B being solved, C planned, D explained).",
    "satisfaction": "满意度 (satisfaction).",
    "jurisdictionLevel": "事权层级 (the level whose matter it is).",
    "role": "岗位 (role).",
    "basis": "进站依据 (basis: by area or by field).",
    "method": "签到方式 (how the sign-in was made).",
    "metric": "计分项目 (the metric points are given for).",
    "rater": "评价人 (who rated: the citizen or the deputy).",
    "state": "状态 (state; see the enum's values).",
    "category": "类别 (opinion category; its code in inputs).",
    "format": "文件格式 (file format).",
    "toStatus": "目标状态 (the status to move to).",
    "fromStatus": "原状态 (the status before).",
    "action": "操作 (the step taken).",
    "actorKind": "操作人类型 (who acted: user, deputy, citizen, system).",
    "actorLabel": "操作人 (who acted, for display).",
    "data": "附加数据 (details of the step, JSON).",
    "active": "启用 (active; inactive ones are kept for history).",
    "supervises": "督办单位 (supervises other units).",
    "isCommunity": "社区 (a community rather than a village).",
    "fromTemplate": "来自全省模板 (the province's template item, not yet edited here).",
    "onRoll": "在本州市名册 (on this prefecture's roll; false: a provincial/national deputy stationed here).",
    "met": "已达标 (the position meets this item).",
    "derived": "系统推定 (set by the checklist rule, not by hand).",
    "round": "办理轮次 (round: 1, then 2 after a reopening…).",
    # dates and times (times are ISO 8601 with offset; days are Asia/Shanghai)
    "at": "时间 (when).",
    "on": "日期 (the day it takes effect; default today).",
    "year": "年度 (year).",
    "since": "起始月份 (cumulative figures count from this month).",
    "asOf": "统计时间 (when these figures were computed).",
    "startOn": "开始日期 (start day).",
    "endOn": "结束日期 (end day; null: ongoing).",
    "startsAt": "开始时间 (starts at).",
    "endsAt": "结束时间 (ends at).",
    "dueOn": "办理期限 (reply due by this day).",
    "newDueOn": "新的期限 (the new due day).",
    "originalDueOn": "原定期限 (the due day before any extension).",
    "maxDueOn": "最长期限 (the latest a deadline may be extended to).",
    "statusSince": "状态起始日期 (in this status since).",
    "statusOn": "状态日期 (the day of the initial status).",
    "changedOn": "变更日期 (day of the change).",
    "checkedOn": "核查日期 (day checked).",
    "establishedOn": "建成日期 (day established).",
    "registeredAt": "登记时间 (registered at).",
    "triagedAt": "研判时间 (triaged at).",
    "referredAt": "交办时间 (referred at).",
    "repliedAt": "答复时间 (replied at).",
    "closedAt": "办结时间 (closed at).",
    "ratedAt": "评价时间 (rated at).",
    "filedAt": "提出时间 (filed at).",
    "assignedAt": "交办时间 (assigned at).",
    "answeredAt": "答复时间 (answered at).",
    "extendedAt": "延期时间 (extended at).",
    "announcedAt": "发布时间 (announced at).",
    "signedAt": "签到时间 (signed in at).",
    "recordedAt": "记录时间 (recorded at).",
    "uploadedAt": "上传时间 (uploaded at).",
    "createdAt": "创建时间 (created at).",
    "checkedAt": "检查时间 (checked at).",
    "appliedAt": "导入时间 (applied at).",
    "finishedAt": "完成时间 (finished at).",
    "deliveredToCitizenAt": "送达群众时间 (delivered to the citizen at).",
    "deliveredToDeputyAt": "送达代表时间 (delivered to the deputy at).",
    "registeredAfter": "登记时间不早于 (registered at or after).",
    "registeredBefore": "登记时间早于 (registered before).",
    "startsAfter": "开始时间不早于 (starts at or after).",
    "startsBefore": "开始时间早于 (starts before).",
    "dateFrom": "起始日期 (from this day).",
    "dateTo": "截止日期 (up to this day).",
    # counts and figures
    "count": "数量 (count).",
    "rows": "行数 (rows).",
    "created": "新增 (created).",
    "updated": "更新 (updated).",
    "unchanged": "未变 (unchanged).",
    "errors": "错误 (errors).",
    "points": "积分 (points).",
    "capPerYear": "年度上限 (yearly cap; null: none).",
    "score": "得分 (score; higher is a better match).",
    "peopleReceived": "接待人数 (people received).",
    "receptionDaysPlanned": "计划接待日次数 (reception days planned).",
    "otherActivitiesPlanned": "计划其他活动次数 (other activities planned).",
    "order": "排序 (sort order).",
    "rowsDone": "已处理行数 (rows processed so far).",
    "problemCount": "问题数 (problems found).",
    # flags and inputs of steps
    "toCitizen": "已送达群众 (delivered to the citizen).",
    "toDeputy": "已送达代表 (delivered to the deputy).",
    "dryRun": "试运行 (only check and report; write nothing).",
    "personal": "个人信息 (personal data: masked unless allowed).",
    "itemCode": "标准项编码 (code of the checklist item).",
    "divisionCode": "区划代码 (division code, GB/T 2260 and below).",
    "divisionName": "区划名称 (division name).",
    "visitors": "来访群众 (people received; personal data).",
    "warnings": "提醒 (warnings: done, but worth a look).",
    # search and lists
    "within": "区划范围 (this division and everything below it; its global ID).",
    "search": "包含文字 (contains this text).",
    "overdue": "已超期 (awaiting a reply and past its deadline).",
    "filter": "筛选条件 (only items matching every given condition).",
    "orderBy": "排序 (sort keys, first one first).",
    "first": "每页条数 (page size: the first n after `after`; at most 50).",
    "last": "每页条数 (the last n before `before`; at most 50).",
    "after": "游标之后 (cursor: items after this one).",
    "before": "游标之前 (cursor: items before this one).",
    "limit": "最多条数 (at most this many).",
    "sort": "排序方式 (sort order).",
    "facets": "分面统计 (facet counts).",
    "input": "输入 (the mutation's input).",
    "clientMutationId": "客户端标识 (any string; returned unchanged in the payload: Relay).",
    "totalCount": "总数 (items matching the filters, on all pages).",
    "edges": "本页各项 (the items of this page, with their cursors).",
    "node": "对象 (the item).",
    "cursor": "游标 (pass as `after`/`before` to page from here).",
    "pageInfo": "分页信息 (whether there are more pages, and the cursors at both ends).",
}

CONNECTION_RE = re.compile(r"^(?P<node>\w+)Connection$")
EDGE_RE = re.compile(r"^(?P<node>\w+)Edge$")
PAYLOAD_RE = re.compile(r"^(?P<mutation>\w+)Payload$")
INPUT_RE = re.compile(r"^(?P<mutation>\w+)Input$")
FILTER_RE = re.compile(r"^(?P<what>\w+)Filter$")
ORDER_RE = re.compile(r"^(?P<what>\w+)Order$")


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _type_description(name: str, gtype) -> str | None:
    if m := CONNECTION_RE.match(name):
        return f"一页 `{m['node']}` (a page of {m['node']} items: Relay cursor connection)."
    if m := EDGE_RE.match(name):
        return f"一项 `{m['node']}` 及其游标 (one {m['node']} of a page, with its cursor)."
    if m := PAYLOAD_RE.match(name):
        return f"`{_lower_first(m['mutation'])}` 的结果 (result of the mutation; check `errors` first)."
    if isinstance(gtype, GraphQLInputObjectType) and (m := INPUT_RE.match(name)):
        return f"`{_lower_first(m['mutation'])}` 的输入 (input of the mutation)."
    if isinstance(gtype, GraphQLInputObjectType) and (m := FILTER_RE.match(name)):
        return f"{m['what']} 的筛选条件 (conditions on {m['what']}; every one given must hold)."
    if isinstance(gtype, GraphQLEnumType) and (m := ORDER_RE.match(name)):
        return f"{m['what']} 的排序键 (sort keys of {m['what']})."
    return None


def _field_from_model(owner, field_name: str) -> str | None:
    """verbose_name (+ help_text) of the model field behind a node type's field."""
    graphene_type = getattr(owner, "graphene_type", None)
    model = getattr(graphene_type, "model", None)
    if model is None:
        return None
    from graphene.utils.str_converters import to_snake_case

    try:
        field = model._meta.get_field(to_snake_case(field_name))
    except Exception:  # noqa: BLE001 - not a model field: another source describes it
        return None
    text = str(getattr(field, "verbose_name", "") or "")
    if not text or text == field.name.replace("_", " "):
        return None
    help_text = str(getattr(field, "help_text", "") or "")
    return f"{text}（{help_text}）" if help_text else f"{text}。"


def _enum_value_description(name: str, value_name: str, value) -> str:
    if name == "ErrorCode":
        from liaison.graphql.core.errors import ERROR_CODES

        return ERROR_CODES[value_name]
    if ORDER_RE.match(name):
        plain = value_name.removesuffix("_DESC").lower().replace("_", " ")
        return f"按 {plain} {'降序' if value_name.endswith('_DESC') else '升序'} (by {plain}, "\
               f"{'descending' if value_name.endswith('_DESC') else 'ascending'})."
    label = getattr(value.value, "label", None)
    if label:
        return f"{label}"
    return value_name.replace("_", " ").lower()


# graphene's stand-ins, not descriptions
PLACEHOLDERS = {"An enumeration.", "The ID of the object", "The ID of the object."}


def _missing(text: str | None) -> bool:
    return not text or text.strip() in PLACEHOLDERS


def describe(schema: GraphQLSchema) -> None:
    """Fill in missing descriptions (see the module docstring); written ones are kept."""
    for name, gtype in schema.type_map.items():
        if name.startswith("__"):
            continue
        if _missing(gtype.description):
            gtype.description = _type_description(name, gtype)
        if isinstance(gtype, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in gtype.fields.items():
                if _missing(field.description):
                    field.description = _field_description(gtype, field_name, field)
                for arg_name, arg in getattr(field, "args", {}).items():
                    if _missing(arg.description):
                        arg.description = GLOSSARY.get(arg_name)
        if isinstance(gtype, GraphQLEnumType):
            for value_name, value in gtype.values.items():
                if _missing(value.description):
                    value.description = _enum_value_description(name, value_name, value)


def _field_description(owner, field_name: str, field) -> str | None:
    if field_name.endswith("Label") and field_name != "label":
        base = field_name.removesuffix("Label")
        return f"`{base}` 的中文名称 (Chinese label of `{base}`, for display)."
    if isinstance(owner, GraphQLObjectType) and owner.name in ("Query", "Mutation"):
        return None  # root fields are described where they are defined
    return _field_from_model(owner, field_name) or GLOSSARY.get(field_name)
