"""Service errors onto form fields, in Chinese.

Services raise ServiceError with field-named FieldErrors (tenants/common/errors.py).
Messages already in Chinese are shown as they are; the opinion services still write
some in English, so those are shown by their code (the service's own classification,
not a rule of ours) until the rulebook gives them Chinese text.
"""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.tenants.common.errors import ServiceError

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}")  # an English phrase (place names in it may be Chinese)

BY_CODE = {
    "required": _("此项必填"),
    "too_long": _("内容过长"),
    "invalid": _("填写有误"),
    "not_found": _("找不到所选的对象"),
    "inactive": _("已停用，不能再选"),
    "mismatch": _("与所选阵地的区划不一致"),
    "in_future": _("不能晚于现在"),
    "in_past": _("日期已过"),
    "illegal_transition": _("当前状态下不能执行这一步"),
    "duplicate": _("已并案到另一件意见，请在主件上办理"),
    "conflict": _("该表单已用于另一份提交"),
    "unchanged": _("与现在相同，没有变化"),
    "cross_referral": _("已转往其他州市办理，由对方答复"),
    "not_acceptable": _("不属受理范围：请以“依法疏导”答复"),
    "not_later": _("须晚于当前期限"),
    "too_late": _("超过最长可延期限"),
    "before_registration": _("不能早于登记时间"),
    "no_deadline": _("该意见没有正在计算的办理期限"),
    "already_delivered": _("已经送达过"),
    "no_deputy": _("该意见没有收集代表"),
    "before_reply": _("送达不能早于答复"),
    "not_delivered": _("答复尚未送达"),
    "already_rated": _("已经评价过"),
    "not_concerned": _("不是该意见的评价人"),
    "awaiting_rating": _("仍在等待评价，评价期满后才能按未评价办结"),
    "top_level": _("已上提到本州市最高一级"),
    "same_opinion": _("不能与自身并案"),
    "not_open": _("主件已答复或办结，请直接答复本件"),
    "incompatible": _("办理方式不同的意见不能并案"),
    "same_prefecture": _("这是本州市：请交办本州市的承办单位"),
    "too_many": _("附件过多"),
    "too_large": _("文件过大"),
    "ambiguous": _("评价人不明确"),
    "forbidden": _("无权操作"),
}


def message_of(error) -> str:
    if CJK.search(error.message or "") and not ENGLISH.search(error.message):
        return error.message
    return str(BY_CODE.get(error.code, _("填写有误")))


def apply(form: forms.Form, exc: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Put each service error next to the form field it names (or above the form).

    `aliases` maps a service field name to the form's field name where they differ."""
    aliases = aliases or {}
    for error in exc.errors:
        name = aliases.get(error.field, error.field)
        base = name.split(".")[0]
        target = name if name in form.fields else (aliases.get(base, base) if aliases.get(base, base) in form.fields else None)
        message = message_of(error)
        if target is None:
            label = FIELD_LABELS.get(base)
            form.add_error(None, f"{label}：{message}" if label else message)
        else:
            form.add_error(target, message)


FIELD_LABELS = {
    "status": _("状态"), "opinion": _("意见"), "at": _("时间"), "rater": _("评价人"), "reply": _("答复"),
    "evaluation": _("评价"), "jurisdiction_level": _("管辖层级"), "due_on": _("办理期限"), "event": _("活动"),
    "signed_at": _("签到时间"), "starts_at": _("开始时间"), "position": _("阵地"), "deputy": _("代表"),
    "suggestion": _("代表建议"), "idempotency_key": _("表单"), "attachments": _("附件"),
}
