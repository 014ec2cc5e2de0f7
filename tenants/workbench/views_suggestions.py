"""Formal deputy suggestions (代表建议): list, page, assignment, extension, answer, rating."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.tenants.opinions import selectors, services
from liaison.tenants.opinions.models import HandlingUnit, Suggestion, SuggestionStatus

from . import forms as wf
from . import labels, steps
from .access import workbench_view
from .views_opinions import actor


def load_suggestion(request, pk: int) -> Suggestion:
    qs = request.access.suggestions(Suggestion.objects.select_related("lead_deputy", "lead_unit"))
    suggestion = qs.filter(pk=pk).first()
    if suggestion is None:
        if Suggestion.objects.filter(pk=pk).exists():
            raise PermissionDenied(_("无权查看此代表建议"))
        raise Http404(_("没有这件代表建议"))
    return suggestion


@workbench_view
def suggestion_list(request):
    qs = request.access.suggestions(Suggestion.objects.select_related("lead_deputy", "lead_unit"))
    status = request.GET.get("status") or ""
    if status in SuggestionStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-filed_at", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "workbench/suggestions.html", {"page": page, "status": status,
                                                          "statuses": SuggestionStatus.choices, "today": selectors.today()})


@workbench_view
def suggestion_detail(request, pk: int):
    access = request.access
    s = load_suggestion(request, pk)
    history = [{"t": t, "label": labels.action_label(t.action), "from": labels.status_label(t.from_status),
                "to": labels.status_label(t.to_status)} for t in selectors.suggestion_history(s)]
    offered = []
    if access.can_handle and _may_handle(access, s):
        offered = {SuggestionStatus.FILED: ["assign"], SuggestionStatus.ASSIGNED: ["answer", "extend"],
                   SuggestionStatus.REHANDLING: ["answer", "extend"]}.get(s.status, [])
    if s.status == SuggestionStatus.ANSWERED and access.may_act_as_deputy(s.lead_deputy_id):
        offered = ["rate"]
    return render(request, "workbench/suggestion.html", {
        "s": s, "history": history, "opinions": access.opinions(s.opinions.all()), "co_signers": s.co_signers.all(),
        "co_units": s.co_units.all(), "steps": [(k, SUGGESTION_STEPS[k].title) for k in offered],
        "overdue": s.status in (SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING) and s.due_on and s.due_on < selectors.today(),
    })


def _may_handle(access, s: Suggestion) -> bool:
    """Station staff handle a suggestion raised from an opinion of one of their positions."""
    if access.can_manage:
        return True
    return any(access.may_act_on_position(pid) for pid in s.opinions.values_list("position_id", flat=True))


@dataclass(frozen=True)
class SuggestionStep:
    title: str
    form: type
    perform: Callable
    prepare: Callable | None = None
    deputy_may: bool = False


def _prepare_assign(request, s, form):
    units = HandlingUnit.objects.filter(active=True).order_by("level", "name")
    form.fields["lead_unit"].queryset = units
    form.fields["co_units"].queryset = units
    return {}


def _rate(request, s, c):
    services.rate_suggestion(s, deputy=s.lead_deputy_id, satisfaction=c.get("satisfaction") or "", comment=c.get("comment") or "")


SUGGESTION_STEPS = {
    "assign": SuggestionStep(gettext_lazy("交办"), wf.AssignSuggestionForm,
                             lambda r, s, c: services.assign_suggestion(s, lead_unit=c.get("lead_unit"), co_units=list(c.get("co_units") or []),
                                                                        note=c.get("note") or "", actor=actor(r)), _prepare_assign),
    "extend": SuggestionStep(gettext_lazy("延期"), wf.ExtendForm,
                             lambda r, s, c: services.extend_suggestion_deadline(s, new_due_on=c.get("new_due_on"),
                                                                                 note=c.get("note") or "", actor=actor(r))),
    "answer": SuggestionStep(gettext_lazy("答复"), wf.AnswerSuggestionForm,
                             lambda r, s, c: services.answer_suggestion(s, content=c.get("content") or "", outcome=c.get("outcome") or "",
                                                                        note=c.get("note") or "", actor=actor(r))),
    "rate": SuggestionStep(gettext_lazy("领衔代表评价"), wf.RateForm, _rate, deputy_may=True),
}


@workbench_view
def suggestion_step(request, pk: int, step: str):
    spec = SUGGESTION_STEPS.get(step)
    if spec is None:
        raise Http404(_("没有这一步"))
    access = request.access
    s = load_suggestion(request, pk)
    allowed = access.can_handle and _may_handle(access, s)
    if spec.deputy_may:
        allowed = allowed or access.may_act_as_deputy(s.lead_deputy_id)
    if not allowed:
        raise PermissionDenied(_("无权办理此代表建议"))
    if request.method == "POST":
        form = spec.form(request.POST)
        if spec.prepare:
            spec.prepare(request, s, form)

        def perform(cleaned):
            spec.perform(request, s, cleaned)
            return reverse("workbench:suggestion", args=[s.pk])

        url = steps.submit(request, form, perform, success=_("已%(step)s") % {"step": spec.title},
                           aliases={"rater": "__all__", "deputy": "__all__"})
        if url:
            return redirect(url)
    else:
        form = steps.fresh(spec.form)
        if spec.prepare:
            spec.prepare(request, s, form)
    return render(request, "workbench/suggestion_step.html", {"s": s, "spec": spec, "form": form})
