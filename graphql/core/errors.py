"""Errors of the API.

Top-level errors (`errors[].extensions.code`) refuse a whole field or request: the caller
may not (UNAUTHENTICATED, FORBIDDEN), the thing is not there (NOT_FOUND), the request is
malformed. User errors of a mutation's input come back in its payload instead:
`errors { field message code }` (FieldErrorType), with nothing written.
"""
from __future__ import annotations

import logging

import graphene
from graphql import GraphQLError

from liaison.tenants.common.errors import FieldError

log = logging.getLogger("liaison.graphql")

# Every code the API reports, in payload errors (`FieldError.code`) and in top-level errors
# (`extensions.code`, and `extensions.fields[].code`): the ErrorCode enum of the schema.
# Services raise lower-case codes (`not_found`); the API reports them upper-cased.
# tests/graphql/test_gql_schema_lint.py fails when a service raises a code missing here.
REQUEST_CODES = {
    "UNAUTHENTICATED": "需要登录或 API 密钥 (no or invalid credentials; HTTP 401 with WWW-Authenticate).",
    "FORBIDDEN": "无权操作 (the caller may not do this here: the permission matrix, another station's object, "
                 "another prefecture's host). Always a top-level error, never a payload error.",
    "CSRF_FAILED": "CSRF 校验失败 (a session POST without the CSRF token).",
    "WRONG_HOST": "站点不对 (a prefecture field asked on the province host).",
    "GRAPHQL_PARSE_FAILED": "语法错误 (the document does not parse).",
    "GRAPHQL_VALIDATION_FAILED": "不符合接口 (the document does not validate against the schema).",
    "DEPTH_LIMIT_EXCEEDED": "嵌套过深 (query depth over the limit).",
    "COMPLEXITY_LIMIT_EXCEEDED": "查询过于复杂 (complexity over the limit).",
    "ALIAS_LIMIT_EXCEEDED": "别名过多 (too many aliases).",
    "PAGE_SIZE_LIMIT_EXCEEDED": "每页条数超限 (first/last over the page-size limit).",
    "BATCH_LIMIT_EXCEEDED": "批量过多 (too many operations in one batch).",
    "QUERY_TOO_LARGE": "查询过长 (query text over the limit).",
    "BAD_REQUEST": "请求有误 (malformed request, unknown operation, missing argument, wrong host for the operation).",
    "BAD_USER_INPUT": "参数有误 (a query argument was refused; `extensions.fields` names them).",
    "METHOD_NOT_ALLOWED": "方法不允许 (a mutation over GET, or a method other than GET/POST).",
    "RATE_LIMITED": "请求过于频繁 (a rate limit; HTTP 429 with Retry-After).",
    "INTERNAL_SERVER_ERROR": "服务器内部错误 (a bug: logged and reported).",
    "PERSISTED_QUERY_NOT_FOUND": "未知的持久化查询 (the hash is unknown: send the query text with it).",
    "PERSISTED_QUERY_HASH_MISMATCH": "哈希与查询不符 (sha256Hash does not match the query).",
    "TRUSTED_DOCUMENT_REQUIRED": "须为可信文档 (this API key runs only its registered documents).",
}
FIELD_CODES = {
    "REQUIRED": "必填 (a value is required).",
    "INVALID": "无效 (the value is not valid; the message says why).",
    "INVALID_PHONE": "电话号码无效 (not a valid phone number).",
    "NOT_FOUND": "未找到 (no such object here: also an ID of another prefecture).",
    "DUPLICATE": "重复 (it exists already).",
    "EXISTS": "已存在 (an object with this key exists).",
    "CONFLICT": "冲突 (conflicts with an earlier request, e.g. an idempotency key reused for different content).",
    "MISMATCH": "不一致 (does not match a related value).",
    "INCONSISTENT": "前后矛盾 (contradicts other input).",
    "INCOMPATIBLE": "不兼容 (cannot be combined with another value).",
    "AMBIGUOUS": "不明确 (matches more than one object).",
    "UNCHANGED": "没有变化 (nothing to change).",
    "HIERARCHY": "层级不符 (breaks the hierarchy of 家、站、室 or of divisions).",
    "OVERLAP": "时间重叠 (overlaps an existing period).",
    "OUT_OF_ORDER": "顺序不对 (dates or steps out of order).",
    "OUT_OF_RANGE": "超出范围 (outside the allowed range).",
    "TOO_LONG": "过长 (longer than allowed).",
    "TOO_MANY": "过多 (more than allowed).",
    "TOO_LARGE": "过大 (a file or value too large).",
    "TOO_LATE": "为时已晚 (past the time this was possible).",
    "NOT_LATER": "须晚于 (must be later than the current value).",
    "IN_FUTURE": "不能是将来 (may not be in the future).",
    "IN_PAST": "不能是过去 (may not be in the past).",
    "BEFORE_REGISTRATION": "早于登记 (before the opinion was registered).",
    "BEFORE_REPLY": "早于答复 (before the reply).",
    "BEFORE_DELIVERY": "早于送达 (before the reply was delivered).",
    "NO_DEADLINE": "没有期限 (there is no running deadline).",
    "INACTIVE": "已停用 (the object is inactive).",
    "CLOSED": "已关闭 (closed: no more changes).",
    "CANCELLED": "已取消 (the event was cancelled).",
    "HELD": "已举行 (the event was held: no more changes).",
    "LOCKED": "已锁定 (locked while another step runs).",
    "NOT_OPEN": "未在办理中 (not open).",
    "NOT_STARTED": "尚未开始 (has not started yet).",
    "ILLEGAL_TRANSITION": "不允许的办理步骤 (this step is not allowed from the current status: see the rulebook).",
    "INVALID_TRANSITION": "不允许的状态变更 (this status change is not allowed).",
    "USE_CHANGE_STATUS": "请用 changePositionStatus (status changes go through that mutation).",
    "DERIVED": "由系统推定 (derived by a rule; cannot be set by hand).",
    "STATUS_CHANGE": "状态变更须单独进行 (change the status with its own step).",
    "FIRST_STEP": "须先完成前一步 (the previous step is missing).",
    "BROKEN_CHAIN": "链条断开 (a referral chain is broken).",
    "AWAITING_RATING": "等待评价 (the rating window is still open).",
    "ALREADY_RATED": "已评价 (rated already).",
    "ALREADY_DELIVERED": "已送达 (delivered already).",
    "ALREADY_ANNOUNCED": "已发布 (announced already).",
    "ALREADY_ENDED": "已结束 (ended already).",
    "ALREADY_SENT": "已发送 (sent already).",
    "ALREADY_SIGNED_IN": "已签到 (signed in already).",
    "SIGNED_IN": "已有签到 (has sign-ins: cannot be removed).",
    "LATE_ANNOUNCEMENT": "发布过晚 (a reception day announced less than 3 days ahead).",
    "NOT_RECEPTION_DAY": "不是接待日 (only a reception day allows this).",
    "NOT_SCHEDULED": "未安排 (the deputy is not scheduled for this event).",
    "NOT_DELIVERED": "未送达 (the reply was not delivered yet).",
    "NOT_CONCERNED": "无关 (the person is not concerned by this object).",
    "NOT_ACCEPTABLE": "不可接受 (not acceptable here).",
    "NOT_APPLICABLE": "不适用 (does not apply to this object).",
    "NOT_CHECKED": "尚未检查 (the import was not checked yet).",
    "NOT_STAGED": "未暂存 (no staged file with this ID).",
    "NO_DEPUTY": "没有代表 (a deputy is required and none is given).",
    "NO_ADMIN": "不能使用管理后台 (this account may not use the admin: station staff and deputies use the workbench).",
    "SAME_OPINION": "同一意见 (an opinion cannot refer to itself).",
    "SAME_PREFECTURE": "同一州市 (cannot refer to the own prefecture).",
    "CROSS_REFERRAL": "跨州市转办 (not allowed on a copy referred from another prefecture).",
    "PROVINCE_WIDE": "全省范围 (not allowed for province-wide objects).",
    "TOP_LEVEL": "顶层区划 (not allowed for the top division).",
    "RESERVED": "保留值 (a reserved value).",
    "CONFIRMATION_REQUIRED": "须确认 (repeat the request with the confirmation).",
    "EMPTY_FILE": "空文件 (the file has no rows).",
    "UNSUPPORTED_TYPE": "不支持的文件类型 (unsupported file type).",
    "UNKNOWN_FIELD": "未知字段 (an unknown column or field).",
    "UNKNOWN_KIND": "未知类型 (an unknown ledger kind).",
    "INVALID_CURSOR": "无效游标 (a cursor that was not issued for this query).",
    "UNKNOWN": "未知设置项 (no such setting).",
    "BEFORE_START": "早于开始 (an end before its start).",
    "PUBLISHED": "已公示 (published: no more changes).",
    "PERSONAL_DATA": "含个人信息 (public text may not carry citizens' names, phones or ID numbers).",
    "ALREADY_ADVISED": "已劝辞 (the deputy already has an open resignation advice).",
    "TALK_FIRST": "须先约谈 (talk to the deputy before advising resignation).",
    "ALREADY_CLAIMED": "已被接单 (another deputy claimed this request).",
    "NOT_CLAIMER": "非接单代表 (only the deputy who claimed it may do this).",
    "NOT_IN_AREA": "不在片区 (only deputies stationed in the grid's positions may claim).",
    "NOT_PARTICIPANT": "未参加活动 (the deputy did not take part in this campaign).",
    "NO_SHOWCASE": "没有展示记录 (no showcase: cannot be rated best).",
    "OUTSIDE_DIVISION": "不在区划内 (outside the opinion's division).",
}
ERROR_CODES = {**REQUEST_CODES, **{k: v for k, v in FIELD_CODES.items() if k not in REQUEST_CODES}}

ErrorCode = graphene.Enum("ErrorCode", [(code, code) for code in ERROR_CODES],
                          description="错误代码 (error codes: payload `errors[].code` and top-level `extensions.code`; "
                                      "the reference is in docs/API.md).")


def error_code_reference() -> str:
    """The error-code reference of docs/API.md (Markdown), generated from ERROR_CODES."""
    lines = ["| code | where | meaning |", "|---|---|---|"]
    for code, text in ERROR_CODES.items():
        where = "top-level `extensions.code`" if code in REQUEST_CODES else "payload `errors[].code`"
        if code in REQUEST_CODES and code in FIELD_CODES:
            where = "both"
        lines.append(f"| `{code}` | {where} | {text} |")
    return "\n".join(lines)


def error_code(code: str | None) -> str:
    """The ErrorCode of a service's code (`not_found` → `NOT_FOUND`); an unknown one is
    reported as INVALID (and logged: add it to ERROR_CODES)."""
    upper = (code or "invalid").upper()
    if upper in ERROR_CODES:
        return upper
    log.warning("error code %r is not in ErrorCode; reported as INVALID", code)
    return "INVALID"


def gql_error(message: str, code: str, node=None, **extensions) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code, **extensions})


def unauthenticated(message: str = "需要登录或 API 密钥 (authentication required: log in, or send "
                                    "`Authorization: Bearer <key>`)") -> GraphQLError:
    return gql_error(message, "UNAUTHENTICATED")


def forbidden(message: str, node=None) -> GraphQLError:
    return gql_error(message, "FORBIDDEN", node)


class NotFound(GraphQLError):
    def __init__(self, what: str = "对象"):
        super().__init__(f"未找到{what} (not found)", extensions={"code": "NOT_FOUND"})


def bad_request(errors: list[FieldError]) -> GraphQLError:
    """A top-level BAD_REQUEST naming the offending arguments (queries have no payload)."""
    return GraphQLError("; ".join(str(e) for e in errors), extensions={
        "code": "BAD_REQUEST", "fields": [{"field": e.field, "message": e.message, "code": error_code(e.code)}
                                          for e in errors]})


# --- errors in mutation payloads ---------------------------------------------------------------

def camel(name: str) -> str:
    """`starts_at` → `startsAt`; dotted paths keep their indices (`visitors.0.name`)."""
    def one(part: str) -> str:
        head, *rest = part.split("_")
        return head + "".join(p[:1].upper() + p[1:] for p in rest)
    return ".".join(one(p) for p in name.split("."))


class FieldErrorType(graphene.ObjectType):
    class Meta:
        name = "FieldError"
        description = "A problem with one input field (user error): fix the input and retry."

    field = graphene.String(required=True, description="The input field (camelCase; nested as `visitors.0.name`).")
    message = graphene.String(required=True)
    code = graphene.Field(ErrorCode, required=True, description="错误代码 (machine-readable: REQUIRED, INVALID, NOT_FOUND, …).")


def field_errors(errors: list[FieldError], rename: dict[str, str] | None = None) -> list[FieldErrorType]:
    rename = rename or {}
    return [FieldErrorType(field=rename.get(e.field, camel(e.field)), message=e.message, code=error_code(e.code))
            for e in errors]
