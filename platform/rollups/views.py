"""The statistics dashboard (/dashboard/) and its exports, on the province host and on
every prefecture host. Same data as the GraphQL API: liaison.platform.rollups.selectors."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.utils import timezone

from liaison.platform.accounts.principal import principal_for
from liaison.tenants.registry import yunnan
from liaison.tenants.registry.provisioning import host_for
from liaison.tenants.stats.catalogue import FIGURES_BY_KEY, TIERS

from . import exports, selectors
from .staticfinders import STATIC_PATH

LOGIN_URL = "/admin/login/"

HEADLINES = ["positions_total", "homes", "stations", "offices", "deputy_visits", "people_received", "opinions", "opinions_to_suggestions",
             "resolution_rate"]
PUBLISHED = {
    "positions_total": lambda p: p["positions_total"], "homes": lambda p: p["homes"], "stations": lambda p: p["stations"],
    "offices": lambda p: p["offices"], "deputy_visits": lambda p: p["since_2019"]["deputy_visits_person_times"],
    "people_received": lambda p: p["since_2019"]["people_received"], "opinions": lambda p: p["since_2019"]["opinions_collected"],
    "opinions_to_suggestions": lambda p: p["since_2019"]["converted_to_deputy_suggestions"],
}
TABLE_COLUMNS = ["positions_total", "homes", "stations", "offices", "positions_standard", "standard_rate", "two_musts_coverage",
                 "deputies", "stationed_share", "duty_attendance", "activities", "deputy_visits", "people_received", "opinions",
                 "opinions_replied", "reply_rate", "opinions_resolved", "resolution_rate", "on_time_rate", "opinions_overdue", "citizen_satisfaction",
                 "deputy_satisfaction", "opinions_to_suggestions"]


class Refusal(Exception):
    def __init__(self, response):
        self.response = response


def _parse_since(request) -> dt.date | None:
    raw = (request.GET.get("since") or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw + "-01" if len(raw) == 7 else raw)
    except ValueError:
        raise Refusal(HttpResponseBadRequest(f"since: expected YYYY-MM or YYYY-MM-DD, got {raw!r}".encode())) from None


def statistics_for(request) -> selectors.Statistics:
    """The figures this host shows, if the caller may see them (else a Refusal)."""
    principal = principal_for(request)
    if principal.is_anonymous:
        raise Refusal(redirect_to_login(request.get_full_path(), LOGIN_URL))
    schema = connection.schema_name
    since = _parse_since(request)
    if schema == "public":
        if not principal.is_province_wide:
            raise Refusal(HttpResponseForbidden("无权查看全省统计 (province-wide statistics need a province role)".encode()))
        return selectors.province_statistics(since)
    if not principal.can_read(schema):
        raise Refusal(HttpResponseForbidden("无权查看本州市统计 (no access to this prefecture)".encode()))
    return selectors.prefecture_statistics(request.tenant, since)


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _fmt(key: str, value) -> str:
    if FIGURES_BY_KEY[key].kind == "rate":
        return _pct(value)
    return f"{value:,}" if value is not None else "—"


def _as_of(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "尚未统计"


def _prefecture_links(request, slug: str | None) -> dict | None:
    """The prefecture's dashboard and workbench on its own host, same scheme and port as
    this request: with the province-wide session cookie (settings.SESSION_COOKIE_DOMAIN)
    a province user follows them without signing in again."""
    if not slug:
        return None
    port = request.get_host().rpartition(":")[2] if ":" in request.get_host() else ""
    base = f"{request.scheme}://{host_for(slug)}{':' + port if port else ''}"
    return {"dashboard": f"{base}/dashboard/", "workbench": f"{base}/workbench/"}


def dashboard(request):
    try:
        stats = statistics_for(request)
    except Refusal as refusal:
        return refusal.response
    province = stats.scope == "province"
    published = yunnan.published_figures()
    headlines = []
    for key in HEADLINES:
        fig = FIGURES_BY_KEY[key]
        value = stats.totals.figures[key]
        headlines.append({
            "key": key, "label": fig.label, "value": value, "text": _fmt(key, value), "basis": fig.basis,
            "published": f"{PUBLISHED[key](published):,}" if province and key in PUBLISHED else None,
        })
    rows = stats.rows
    names = [r.name for r in rows]
    tier_series = [{"name": label, "values": [sum(v for d, v in r.raw.by_dimension("positions").items()
                                                  if d.startswith(code + "/") and not d.endswith("/closed")) for r in rows]}
                   for code, label in TIERS]
    chart_data = {
        "names": names,
        "tiers": [s for s in tier_series if any(s["values"])] or tier_series[:3],
        "coverage": [{"name": FIGURES_BY_KEY[k].label, "values": [r.figures[k] for r in rows]}
                     for k in ("township_coverage", "village_coverage", "two_musts_coverage", "standard_rate")],
        "rates": [{"name": FIGURES_BY_KEY[k].label, "values": [r.figures[k] for r in rows]}
                  for k in ("reply_rate", "resolution_rate", "on_time_rate", "citizen_satisfaction", "deputy_satisfaction")],
        "months": [p.month.strftime("%Y-%m") for p in stats.trend],
        "trend": [{"name": label, "values": [p.figures[key] for p in stats.trend]}
                  for key, label in (("opinions", "收集意见建议"), ("opinions_replied", "已答复"), ("opinions_resolved", "已解决（A类）"))],
    }
    columns = [{"key": k, "label": FIGURES_BY_KEY[k].label, "rate": FIGURES_BY_KEY[k].kind == "rate"} for k in TABLE_COLUMNS]
    table = [{"name": r.name, "code": r.code, "slug": r.slug, "as_of": _as_of(r.as_of), "stale": r.stale,
              "links": _prefecture_links(request, r.slug) if province else None,
              "cells": [{"value": r.figures[k], "text": _fmt(k, r.figures[k])} for k in TABLE_COLUMNS]} for r in rows]
    total = {"name": "全省合计" if province else f"{stats.totals.name}合计",
             "cells": [{"value": stats.totals.figures[k], "text": _fmt(k, stats.totals.figures[k])} for k in TABLE_COLUMNS]}
    context = {
        "stats": stats, "province": province, "scope_name": "云南省" if province else stats.totals.name,
        "as_of": _as_of(stats.as_of), "stale": stats.totals.stale, "since": stats.since,
        "headlines": headlines, "chart_data": chart_data, "columns": columns, "table": table, "total": total,
        "row_label": "州（市）" if province else "县（市、区）", "plotly_js": STATIC_PATH,
        "never_computed": stats.never_computed,
        "since_param": stats.since.strftime("%Y-%m"),
    }
    return render(request, "rollups/dashboard.html", context)


def export_csv(request):
    try:
        stats = statistics_for(request)
    except Refusal as refusal:
        return refusal.response
    key = request.GET.get("table", "summary")
    if key not in exports.TABLES:
        return HttpResponseBadRequest(f"table: one of {', '.join(exports.TABLES)}".encode())
    response = HttpResponse(exports.to_csv(stats, key), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stats, "csv", key)}"'
    return response


def export_xlsx(request):
    try:
        stats = statistics_for(request)
    except Refusal as refusal:
        return refusal.response
    response = HttpResponse(exports.to_xlsx(stats), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stats, "xlsx")}"'
    return response
