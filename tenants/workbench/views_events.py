"""Reception days (接待日) at the user's positions: plan, announce, today's deputies with
sign-in, people received and their opinions registered on the spot. Calls
tenants/activities/services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.tenants.activities import selectors as activity_selectors
from liaison.tenants.activities import services as activity_services
from liaison.tenants.activities.models import AnnualPlan, Event, EventKind, SignIn
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.positions.models import Position

from . import errors, steps
from . import forms as wf
from .access import workbench_view
from .views_opinions import _int, guard_posted_position


def load_event(request, pk: int) -> Event:
    event = Event.objects.select_related("position").filter(pk=pk).first()
    if event is None:
        raise Http404(_("没有这个活动"))
    request.access.guard_read_event(event)
    return event


@workbench_view
def event_list(request):
    access = request.access
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    qs = access.events(activity_selectors.events(kind=EventKind.RECEPTION_DAY))
    today = qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)).order_by("starts_at")
    upcoming = qs.filter(starts_at__gte=start + dt.timedelta(days=1)).order_by("starts_at")[:30]
    recent = qs.filter(starts_at__lt=start).order_by("-starts_at")[:20]
    plans = AnnualPlan.objects.filter(position__in=access.positions(Position.objects.all()),
                                      year=timezone.localdate().year).select_related("position")[:50]
    return render(request, "workbench/events.html", {
        "today": today, "upcoming": upcoming, "recent": recent, "may_plan": access.can_handle,
        "plans": [(p, activity_selectors.plan_progress(p)) for p in plans],
    })


def _event_form(request, data=None):
    form = wf.EventForm(data) if data is not None else steps.fresh(wf.EventForm)
    positions = request.access.positions(Position.objects.all()).order_by("name")
    form.fields["position"].queryset = positions
    position = positions.filter(pk=_int((data or {}).get("position")) or 0).first() or (positions.first() if request.access.position_scope else None)
    stationed = deputy_selectors.stationed_at(position) if position is not None else Deputy.objects.none()
    form.fields["deputies"].queryset = Deputy.objects.filter(active=True).order_by("name")
    if data is None:
        local = timezone.localtime() + dt.timedelta(days=7)
        form.initial.update({"position": position.pk if position else None,
                             "starts_at": local.replace(hour=9, minute=0, second=0, microsecond=0),
                             "ends_at": local.replace(hour=12, minute=0, second=0, microsecond=0),
                             "title": _("代表接待日"), "deputies": list(stationed.values_list("pk", flat=True))})
    return form


@workbench_view
def event_new(request):
    access = request.access
    if not access.can_handle:
        raise PermissionDenied(_("无权安排接待日"))
    if request.method == "POST":
        guard_posted_position(request)
        form = _event_form(request, request.POST)

        def perform(c):
            event = activity_services.schedule_reception_day(
                c.get("position"), starts_at=c.get("starts_at"), ends_at=c.get("ends_at"),
                deputies=list(c.get("deputies") or []), title=c.get("title") or "", place=c.get("place") or "",
                description=c.get("description") or "")
            return reverse("workbench:event", args=[event.pk])

        url = steps.submit(request, form, perform, success=_("已安排接待日"))
        if url:
            return redirect(url)
    else:
        form = _event_form(request)
    return render(request, "workbench/event_new.html", {"form": form})


@workbench_view
def plan_edit(request):
    access = request.access
    if not access.can_handle:
        raise PermissionDenied(_("无权编制计划"))
    form = wf.PlanForm(request.POST) if request.method == "POST" else steps.fresh(wf.PlanForm)
    form.fields["position"].queryset = access.positions(Position.objects.all()).order_by("name")
    if request.method == "POST":
        guard_posted_position(request)

        def perform(c):
            activity_services.save_plan(c.get("position"), c.get("year"), title=c.get("title") or "",
                                        content=c.get("content") or "",
                                        reception_days_planned=c.get("reception_days_planned") or 0,
                                        other_activities_planned=c.get("other_activities_planned") or 0)
            return reverse("workbench:events")

        url = steps.submit(request, form, perform, success=_("已保存年度计划"))
        if url:
            return redirect(url)
    return render(request, "workbench/plan.html", {"form": form})


def _event_context(request, event, **forms):
    access = request.access
    signed = {s.deputy_id: s for s in event.sign_ins.all()}
    scheduled = [(d, signed.get(d.pk)) for d in event.deputies.order_by("name")]
    may_handle = access.may_act_on_position(event.position_id)
    sign_in_form = forms.get("sign_in_form") or steps.fresh(wf.SignInForm)
    sign_in_form.fields["deputy"].queryset = event.deputies.exclude(pk__in=signed.keys()).order_by("name")
    reception_form = forms.get("reception_form") or steps.fresh(wf.ReceptionForm)
    reception_form.fields["deputy"].queryset = event.deputies.order_by("name")
    return {
        "event": event, "scheduled": scheduled, "attendance": activity_selectors.attendance(event), "may_handle": may_handle,
        "receptions": event.receptions.select_related("deputy").prefetch_related("visitors"),
        "personal": access.personal, "sign_in_form": sign_in_form, "reception_form": reception_form,
        "announce_form": forms.get("announce_form") or steps.fresh(wf.StepForm),
        "is_reception_day": event.kind == EventKind.RECEPTION_DAY,
    }


@workbench_view
def event_detail(request, pk: int):
    event = load_event(request, pk)
    return render(request, "workbench/event.html", _event_context(request, event))


def _handle_event_post(request, pk, form_class, key, perform_fn, success):
    access = request.access
    event = load_event(request, pk)
    if not access.may_act_on_position(event.position_id):
        raise PermissionDenied(_("无权在此阵地办理"))
    form = form_class(request.POST)
    if key == "sign_in_form":
        form.fields["deputy"].queryset = event.deputies.all()
    if key == "reception_form":
        form.fields["deputy"].queryset = event.deputies.all()

    def perform(c):
        perform_fn(event, c)
        return reverse("workbench:event", args=[event.pk])

    url = steps.submit(request, form, perform, success=success)
    if url:
        return redirect(url)
    event.refresh_from_db()
    return render(request, "workbench/event.html", _event_context(request, event, **{key: form}))


@require_POST
@workbench_view
def event_announce(request, pk: int):
    def perform(event, c):
        result = activity_services.announce_event(event)
        for warning in result.warnings:
            messages.warning(request, errors.message_of(warning))

    return _handle_event_post(request, pk, wf.StepForm, "announce_form", perform, _("已公告"))


@require_POST
@workbench_view
def event_sign_in(request, pk: int):
    def perform(event, c):
        if c.get("deputy") is None:
            raise ServiceError.single("deputy", _("请选择签到的代表"), "required")
        activity_services.sign_in(event, c["deputy"], method=SignIn.Method.STAFF)

    return _handle_event_post(request, pk, wf.SignInForm, "sign_in_form", perform, _("已签到"))


@require_POST
@workbench_view
def event_reception(request, pk: int):
    def perform(event, c):
        people = c.get("people_received")
        if people is None:
            raise ServiceError.single("people_received", _("请填写接待群众人次"), "required")
        activity_services.record_reception(event, people_received=people, deputy=c.get("deputy"),
                                           summary=c.get("summary") or "", visitors=c.get("visitors") or [])

    return _handle_event_post(request, pk, wf.ReceptionForm, "reception_form", perform, _("已登记接待记录"))


@require_POST
@workbench_view
def event_self_sign_in(request, pk: int):
    """A deputy signs themselves in (within the window the service enforces)."""
    access = request.access
    event = Event.objects.filter(pk=pk).first()
    if event is None:
        raise Http404(_("没有这个活动"))
    deputy_id = access.deputy_id
    if deputy_id is None or not access.may_act_as_deputy(deputy_id):
        raise PermissionDenied(_("只有代表本人可以自助签到"))
    form = wf.StepForm(request.POST)

    def perform(c):
        activity_services.sign_in(event, deputy_id, method=SignIn.Method.SELF)
        return reverse("workbench:me")

    url = steps.submit(request, form, perform, success=_("签到成功"))
    if url:
        return redirect(url)
    for message in form.non_field_errors():
        messages.error(request, message)
    for field_errors in form.errors.values():
        for message in field_errors:
            if message not in form.non_field_errors():
                messages.error(request, message)
    return redirect("workbench:me")
