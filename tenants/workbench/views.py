"""Sign-in, sign-out and the home page of the workbench."""
from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET

from liaison.tenants.activities import selectors as activity_selectors
from liaison.tenants.divisions.models import Division
from liaison.tenants.positions.models import Position

from . import queue
from .access import workbench_view


class LoginView(auth_views.LoginView):
    template_name = "workbench/login.html"
    redirect_authenticated_user = False
    next_page = reverse_lazy("workbench:home")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("workbench:login")


@workbench_view
def home(request):
    access = request.access
    counts = queue.counts(access)
    events = access.events(activity_selectors.upcoming(days=14)).select_related("position")[:10]
    return render(request, "workbench/home.html", {
        "tiles": [(t, counts[t.key]) for t in queue.TABS if t.key != "all"], "events": events, "now": timezone.now(),
    })


@require_GET
@workbench_view
def division_options(request):
    """htmx: the places (a position's own division and everything under it) a new
    opinion at that position may concern."""
    position = request.access.positions(Position.objects.all()).filter(pk=int(request.GET["position"]) if request.GET.get("position", "").isdigit() else 0).first()
    divisions = divisions_for(position)
    html = render(request, "workbench/_division_options.html", {"divisions": divisions}).content
    return HttpResponse(html)


def divisions_for(position) -> list:
    if position is None:
        return []
    root = position.division
    return [root, *Division.objects.filter(path__startswith=root.path + "/").order_by("path")[:500]]
