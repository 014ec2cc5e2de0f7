"""Chinese labels of the opinion loop's actions, and the steps offered on an opinion.

The opinion workflow module (tenants/opinions/workflow.py, being written) is the one
source; until it is there, the labels below stand in. Codes like `register` never
reach a user: `action_label` always gives Chinese.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liaison.tenants.opinions.models import Status, SuggestionStatus

try:  # pragma: no cover - depends on whether the workflow module has landed
    from liaison.tenants.opinions import workflow as _workflow
except ImportError:  # pragma: no cover
    _workflow = None

FALLBACK_ACTIONS = {
    "register": _("登记"), "receive_from_prefecture": _("收到外州市转办"), "attach": _("添加附件"), "triage": _("梳理研判"),
    "refer": _("交办"), "reroute": _("改派承办单位"), "refer_to_prefecture": _("转办外州市"), "extend_deadline": _("延期"),
    "reply": _("答复"), "explain": _("依法疏导（解释说明）"), "reply_via_primary": _("随主件答复"),
    "reply_from_prefecture": _("外州市答复"), "deliver": _("送达"), "rate": _("评价"), "close": _("办结"), "reopen": _("重新办理"),
    "escalate": _("督办上提"), "remind": _("到期提醒"), "link_duplicate": _("并案（重复件）"), "duplicate_linked": _("并入重复件"),
    "convert_to_suggestion": _("转为代表建议"), "file_suggestion": _("提出代表建议"), "assign_suggestion": _("代表建议交办"),
    "extend_suggestion_deadline": _("代表建议延期"), "answer_suggestion": _("代表建议答复"), "rate_suggestion": _("代表评价建议答复"),
    "origin_closed": _("转出州市已办结"), "close_unrated": _("逾期未评价办结"),
}


def action_label(code: str) -> str:
    actions = getattr(_workflow, "ACTIONS", None)
    if isinstance(actions, dict) and code in actions:
        return str(actions[code].label)
    return str(FALLBACK_ACTIONS.get(code, _("其他办理步骤")))


def status_label(code: str) -> str:
    return str(dict(Status.choices).get(code) or dict(SuggestionStatus.choices).get(code) or code or "—")


# Steps offered on an opinion, by status. The services check every guard themselves (an
# offered step they refuse shows their error); this only avoids offering what cannot apply.
STEPS_BY_STATUS = {
    Status.REGISTERED: ("triage", "reply", "refer_prefecture", "duplicate", "attach"),
    Status.TRIAGED: ("refer", "refer_prefecture", "reply", "duplicate", "convert", "triage", "attach"),
    Status.REFERRED: ("reply", "extend", "escalate", "refer", "duplicate", "convert", "attach"),
    Status.ESCALATED: ("reply", "extend", "escalate", "refer", "duplicate", "attach"),
    Status.CONVERTED: ("extend", "attach"),
    Status.REOPENED: ("refer", "reply", "extend", "escalate", "triage", "refer_prefecture", "duplicate", "attach"),
    Status.REPLIED: ("deliver", "rate", "close", "reopen", "attach"),
    Status.CLOSED: ("reopen",),
}


def steps_for(status: str) -> tuple[str, ...]:
    offered = STEPS_BY_STATUS.get(status, ())
    actions = getattr(_workflow, "ACTIONS", None)
    if not isinstance(actions, dict):
        return offered

    def starts(step: str) -> bool:
        codes = STEP_ACTIONS.get(step, (step,))
        return any(code in actions and actions[code].starts_from(status) for code in codes)

    return tuple(s for s in offered if starts(s))


# Workbench step → the service action it performs (for the workflow's allowed list).
STEP_ACTIONS = {"refer_prefecture": ("refer_to_prefecture",), "extend": ("extend_deadline", "extend_suggestion_deadline"),
                "duplicate": ("link_duplicate",), "convert": ("convert_to_suggestion",), "reply": ("reply", "explain")}
