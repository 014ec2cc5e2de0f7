"""The rulebook of the opinion loop: statuses, actions and which action may go from
which status to which — the only copy.

The services guard every step with `guard`; the ledger importer checks each row of a
办理过程 sheet against `check_step`; the exporter, the admin and the workbench show
`label(action)`; docs/OPINIONS.md's table is `markdown_table()` (a test compares them).
Models take their status choices from here.

An action's target is a status, `SAME` (the status does not change: delivery, rating,
an extension …) or `ANY` (a ledger imported without its steps jumps to the state it
had). Its sources are the statuses it may start from (`""` = a new record); `None`
means any status.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SAME = "="
ANY = "*"
OPINION = "opinion"
SUGGESTION = "suggestion"


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    TRIAGED = "triaged", _("已研判")
    REFERRED = "referred", _("已交办")
    ESCALATED = "escalated", _("已督办上提")
    CONVERTED = "converted", _("已转代表建议")
    REPLIED = "replied", _("已答复")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("已办结")


class SuggestionStatus(models.TextChoices):
    FILED = "filed", _("已提出")
    ASSIGNED = "assigned", _("已交办")
    ANSWERED = "answered", _("已答复")
    REHANDLING = "rehandling", _("二次交办")
    CLOSED = "closed", _("已办结")


# Statuses in which an answer is awaited and a deadline runs.
AWAITING_REPLY = (Status.REFERRED, Status.ESCALATED, Status.CONVERTED, Status.REOPENED)
OPEN_STATUSES = (Status.REGISTERED, Status.TRIAGED, *AWAITING_REPLY, Status.REPLIED)
# Not yet answered and not raised as a suggestion: may be linked as a duplicate, explained …
UNANSWERED = (Status.REGISTERED, Status.TRIAGED, Status.REFERRED, Status.ESCALATED, Status.REOPENED)


@dataclass(frozen=True)
class Action:
    code: str
    label: str            # lazy: shown to people, never the code
    subject: str          # OPINION or SUGGESTION
    sources: tuple[str, ...] | None
    targets: tuple[str, ...]

    def starts_from(self, status: str) -> bool:
        return self.sources is None or status in self.sources

    def leads_to(self, from_status: str, to_status: str) -> bool:
        if ANY in self.targets:
            return True
        if SAME in self.targets and to_status == from_status:
            return True
        return to_status in self.targets


def _a(code, label, sources, targets, subject=OPINION) -> Action:
    targets = (targets,) if isinstance(targets, str) else tuple(targets)
    return Action(code, label, subject, None if sources is None else tuple(sources), targets)


S = Status
SS = SuggestionStatus
ACTIONS: dict[str, Action] = {a.code: a for a in (
    _a("register", _("登记"), ("",), S.REGISTERED),
    _a("receive_from_prefecture", _("外州市转来"), ("",), S.REGISTERED),
    _a("attach", _("补充附件"), (*OPEN_STATUSES,), SAME),
    _a("triage", _("研判"), (S.REGISTERED, S.TRIAGED, S.REOPENED), S.TRIAGED),
    _a("refer", _("交办"), (S.TRIAGED, S.REOPENED, S.REFERRED, S.ESCALATED), S.REFERRED),
    _a("reroute", _("改派"), (S.TRIAGED, S.REOPENED, S.REFERRED, S.ESCALATED), S.REFERRED),
    _a("refer_to_prefecture", _("转办外州市"), (S.REGISTERED, S.TRIAGED, S.REOPENED), S.REFERRED),
    _a("extend_deadline", _("延期"), (S.REFERRED, S.ESCALATED, S.REOPENED), SAME),
    _a("escalate", _("督办上提"), (S.REFERRED, S.REOPENED, S.ESCALATED), S.ESCALATED),
    # A converted opinion receives the suggestion's answer as its reply (kind suggestion_answer).
    _a("reply", _("答复"), (S.REFERRED, S.ESCALATED, S.REOPENED, S.CONVERTED), S.REPLIED),
    _a("explain", _("解释说明"), UNANSWERED, S.REPLIED),
    _a("reply_via_primary", _("随主件答复"), (S.REGISTERED, S.TRIAGED, *AWAITING_REPLY), S.REPLIED),
    _a("reply_from_prefecture", _("外州市答复"), AWAITING_REPLY, S.REPLIED),
    _a("deliver", _("送达"), (S.REPLIED,), SAME),
    _a("rate", _("评价"), (S.REPLIED,), SAME),
    _a("close", _("办结"), (S.REPLIED,), S.CLOSED),
    _a("reopen", _("重新办理"), (S.REPLIED, S.CLOSED), S.REOPENED),
    _a("link_duplicate", _("并案"), UNANSWERED, SAME),
    _a("duplicate_linked", _("并入重复件"), (*UNANSWERED, S.CONVERTED), SAME),
    _a("convert_to_suggestion", _("转代表建议"), (S.TRIAGED, S.REFERRED, S.ESCALATED, S.REOPENED), S.CONVERTED),
    _a("import", _("台账导入"), None, ANY),
    # Steps of a formal deputy suggestion (Transition rows with a suggestion, no opinion).
    _a("file_suggestion", _("提出代表建议"), ("",), SS.FILED, SUGGESTION),
    _a("assign_suggestion", _("代表建议交办"), (SS.FILED,), SS.ASSIGNED, SUGGESTION),
    _a("extend_suggestion_deadline", _("代表建议延期"), (SS.ASSIGNED, SS.REHANDLING), SAME, SUGGESTION),
    _a("answer_suggestion", _("代表建议答复"), (SS.ASSIGNED, SS.REHANDLING), SS.ANSWERED, SUGGESTION),
    _a("rate_suggestion", _("代表评价建议答复"), (SS.ANSWERED,), (SS.CLOSED, SS.REHANDLING), SUGGESTION),
)}
del S, SS

ACTION_CHOICES = [(a.code, a.label) for a in ACTIONS.values()]


def action(code: str) -> Action:
    return ACTIONS[code]


def label(code: str) -> str:
    """The Chinese label of an action (its code never reaches a user); unknown codes as they are."""
    found = ACTIONS.get(code)
    return str(found.label) if found else code


def status_label(value: str, subject: str = OPINION) -> str:
    if not value:
        return gettext("（无）")
    enum = Status if subject == OPINION else SuggestionStatus
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def _labels(statuses, subject: str) -> str:
    return "、".join(status_label(s, subject) for s in statuses)


def guard(obj, code: str, *, status: str | None = None) -> None:
    """Refuse `code` on an opinion (or suggestion) whose status it may not start from:
    ServiceError on the field `status`, code `illegal_transition`."""
    from liaison.tenants.common.errors import ServiceError

    act = ACTIONS[code]
    current = obj.status if status is None else status
    if act.starts_from(current):
        return
    what = gettext("意见") if act.subject == OPINION else gettext("代表建议")
    raise ServiceError.single("status", gettext("%(what)s当前为“%(status)s”，不能%(action)s（只能在%(allowed)s时进行）") % {
        "what": what, "status": status_label(current, act.subject), "action": act.label,
        "allowed": _labels(act.sources, act.subject)}, "illegal_transition")


def check_step(code: str, from_status: str, to_status: str) -> list[tuple[str, str, str]]:
    """A recorded step (ledger row) against the table: [(field, message, error code)]."""
    act = ACTIONS.get(code)
    if act is None:
        return [("action", gettext("未知的环节：%(action)s") % {"action": code}, "bad_choice")]
    problems = []
    if not act.leads_to(from_status, to_status):
        if act.targets == (SAME,):
            message = gettext("“%(action)s”不改变办理状态") % {"action": act.label}
        else:
            message = gettext("“%(action)s”之后应为“%(status)s”") % {
                "action": act.label, "status": "”或“".join(status_label(t, act.subject) for t in act.targets if t != SAME)}
        problems.append(("to_status", message, "invalid_transition"))
    if not act.starts_from(from_status):
        problems.append(("from_status", gettext("“%(action)s”只能在%(allowed)s时进行") % {
            "action": act.label, "allowed": _labels(act.sources, act.subject)}, "illegal_transition"))
    return problems


def markdown_table() -> str:
    """The transition table as docs/OPINIONS.md shows it (generated from ACTIONS)."""
    def statuses(values, subject):
        if values is None:
            return "any"
        return ", ".join(f"`{v}`" if v else "(new)" for v in values)

    def targets(act):
        return ", ".join({SAME: "(unchanged)", ANY: "(as in the ledger)"}.get(t, f"`{t}`") for t in act.targets)

    lines = ["| action | label | subject | from | to |", "|---|---|---|---|---|"]
    for act in ACTIONS.values():
        lines.append(f"| `{act.code}` | {act.label} | {act.subject} | {statuses(act.sources, act.subject)} | {targets(act)} |")
    return "\n".join(lines)
