"""Public pages the QR codes point to: a position (/p/<code>/, served with its opinion form
by liaison.platform.citizen.views) and a deputy (/d/<roll>/).

Anyone may open them, on the prefecture's own host only (each host serves its own
schema). They show the public profile alone: never phones, e-mails or ID numbers.
"""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from liaison.tenants.activities import selectors as activity_selectors
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies.models import Deputy

from . import selectors
from .models import Position


def get_position(code: str) -> Position:
    position = Position.objects.select_related("division").filter(code=code).first()
    if position is None:
        raise Http404("no such position")
    return position


def _deputy(roll_number: str) -> Deputy:
    deputy = Deputy.objects.select_related("constituency").filter(roll_number=roll_number, active=True).first()
    if deputy is None:
        raise Http404("no such deputy")
    return deputy


def position_context(request, position: Position) -> dict:
    """What the position's public page shows (the opinion form is added by
    liaison.platform.citizen.views, which serves /p/<code>/)."""
    deputies = [deputy_selectors.public_profile(d) for d in deputy_selectors.stationed_at(position).select_related("constituency")]
    return {
        "position": position,
        "events": list(activity_selectors.announced_upcoming(position)[:10]),
        "deputies": deputies,
        "standard": selectors.standard_assessment(position),
        "qr_svg": selectors.qr_svg(position, scale=4),
        "prefecture": request.tenant,
    }


def position_qr(request, code: str):
    position = get_position(code)
    if request.GET.get("format") == "png":
        return HttpResponse(selectors.qr_png(position), content_type="image/png")
    return HttpResponse(selectors.qr_svg(position), content_type="image/svg+xml")


def deputy_page(request, roll_number: str):
    deputy = _deputy(roll_number)
    context = {"profile": deputy_selectors.public_profile(deputy),
               "events": list(activity_selectors.announced_upcoming(deputy=deputy).select_related("position")[:10]), "qr_svg": deputy_selectors.qr_svg(deputy, scale=4),
               "prefecture": request.tenant}
    return render(request, "public/deputy.html", context)


def deputy_qr(request, roll_number: str):
    deputy = _deputy(roll_number)
    if request.GET.get("format") == "png":
        return HttpResponse(deputy_selectors.qr_png(deputy), content_type="image/png")
    return HttpResponse(deputy_selectors.qr_svg(deputy), content_type="image/svg+xml")
