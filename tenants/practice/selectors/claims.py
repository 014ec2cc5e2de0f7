"""Who may take a request, what is open for a deputy, and how long claiming took."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies.models import Deputy

from ..models import Request, RequestStatus


def eligible_deputies(request: Request, on: dt.date | None = None) -> QuerySet[Deputy]:
    """Deputies stationed now at a position in the request's area: the request's position
    or any position whose division lies in the position's division."""
    div = request.position.division
    area = Q(position__division=div) | Q(position__division__path__startswith=div.path + "/")
    stationed = deputy_selectors.current_stationings(on).filter(area).values("deputy")
    return Deputy.objects.filter(pk__in=stationed, active=True)


def requests(status: str | None = None, position=None) -> QuerySet[Request]:
    qs = Request.objects.select_related("position", "deputy", "unit")
    if status:
        qs = qs.filter(status=status)
    if position is not None:
        qs = qs.filter(position=position)
    return qs


def open_for_deputy(deputy: Deputy, on: dt.date | None = None) -> list[Request]:
    """Unclaimed requests a deputy may take (in the areas of the positions they are stationed at)."""
    out = []
    for r in requests().filter(status__in=(RequestStatus.PUBLISHED, RequestStatus.ESCALATED)):
        if eligible_deputies(r, on).filter(pk=deputy.pk).exists():
            out.append(r)
    return out


def time_to_claim(qs: QuerySet[Request] | None = None) -> dict:
    """Claimed requests and the mean hours from publishing to the deputy's claim."""
    qs = requests() if qs is None else qs
    hours = [(c - p).total_seconds() / 3600 for p, c in qs.filter(claimed_at__isnull=False).values_list("published_at", "claimed_at")]
    return {"claimed": len(hours), "mean_hours": round(sum(hours) / len(hours), 2) if hours else None}
