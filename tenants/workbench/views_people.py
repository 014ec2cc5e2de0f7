"""The supervision board (督办) for prefecture administrators, and 我的履职 for deputies."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.tenants.activities.models import EventKind, EventStatus
from liaison.tenants.activities.services import SIGN_IN_EARLY
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.opinions import selectors
from liaison.tenants.opinions.models import Opinion, Status, Suggestion, SuggestionStatus

from . import board as board_reads
from . import steps
from . import forms as wf
from .access import workbench_view


@workbench_view
def supervision_board(request):
    access = request.access
    if not access.sees_board:
        raise PermissionDenied(_("督办页面仅州市管理员和省级用户可见"))
    return render(request, "workbench/board.html", {"board": board_reads.build(access)})


@workbench_view
def my_duties(request):
    access = request.access
    deputy_id = access.deputy_id
    deputy = Deputy.objects.filter(pk=deputy_id).first() if deputy_id else None
    if deputy is None:
        raise PermissionDenied(_("“我的履职”仅供代表本人使用：您的账号没有关联代表"))
    now = timezone.now()
    year = timezone.localdate().year
    events = (deputy.scheduled_events.exclude(status=EventStatus.CANCELLED).filter(ends_at__gte=now)
              .select_related("position").order_by("starts_at")[:20])
    signed = set(deputy.sign_ins.values_list("event_id", flat=True))
    upcoming = [{"event": e, "signed": e.pk in signed, "window_open": e.starts_at - SIGN_IN_EARLY <= now <= e.ends_at,
                 "opens_at": e.starts_at - SIGN_IN_EARLY, "form": steps.fresh(wf.StepForm)} for e in events]
    opinions = Opinion.objects.filter(deputy=deputy).select_related("handling_unit").order_by("-registered_at")[:50]
    to_rate = [o for o in Opinion.objects.filter(deputy=deputy, status=Status.REPLIED)
               if (r := selectors.latest_reply(o)) and r.delivered_to_deputy_at and not r.evaluations.filter(rater="deputy").exists()]
    suggestions = Suggestion.objects.filter(Q(lead_deputy=deputy) | Q(co_signers=deputy)).distinct().order_by("-filed_at")[:30]
    suggestions_to_rate = Suggestion.objects.filter(lead_deputy=deputy, status=SuggestionStatus.ANSWERED)
    record = deputy_selectors.performance_record(deputy, year)
    return render(request, "workbench/me.html", {
        "deputy": deputy, "upcoming": upcoming, "opinions": opinions, "to_rate": to_rate, "suggestions": suggestions,
        "suggestions_to_rate": suggestions_to_rate, "record": record, "year": year, "today": selectors.today(),
        "reception_day": EventKind.RECEPTION_DAY, "now": now, "horizon": now + dt.timedelta(days=60),
    })
