"""The citizens' pages on a prefecture host, no login: the online position behind a
position's QR code (/p/<code>/: read it, and submit an opinion) and the tracking page
(/t/: the code typed into a form, posted, never in a URL; rate the delivered reply).

They call the same service and selector as the API's submitOpinion / trackOpinion /
rateOpinion, with the same rate-limit counters (liaison.graphql.core.ratelimit, per client
IP) and the same idempotency (a key per form: see form_token).
"""
from __future__ import annotations

from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from graphql import GraphQLError

from liaison.graphql.core import ratelimit
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import selectors as opinion_selectors
from liaison.tenants.opinions import services as opinion_services
from liaison.tenants.opinions.models import Channel, Opinion
from liaison.tenants.positions import public_views

from . import form_token
from .forms import OpinionForm, RateForm, TrackForm, add_service_errors


class RateLimited(Exception):
    pass


def _count(request, operation: str) -> None:
    """One call of `operation` against the caller's limit (the API's counters)."""
    try:
        ratelimit.check(request, operation)
    except GraphQLError as exc:
        minutes = max(1, round((exc.extensions or {}).get("retryAfter", 60) / 60))
        raise RateLimited(_("操作太频繁了，请 %(minutes)s 分钟后再试") % {"minutes": minutes}) from None


@never_cache
@require_http_methods(["GET", "POST"])
def position_page(request, code: str):
    position = public_views.get_position(code)
    context = public_views.position_context(request, position)
    if request.method == "POST":
        form = OpinionForm(request.POST)
        receipt = _submit(request, position, form)
        if receipt is not None:
            return render(request, "public/submitted.html", {**context, "tracking": receipt[0], "created": receipt[1]})
        if getattr(form, "fresh_token", False):  # the page's token was refused: this page gets a new one
            form.data = form.data.copy()
            form.data["token"] = form_token.issue(position.code)
        status = 429 if getattr(form, "rate_limited", False) else 400
    else:
        form, status = OpinionForm(initial={"token": form_token.issue(position.code)}), 200
    return render(request, "public/position.html", {**context, "form": form, "honeypot": form_token.HONEYPOT},
                  status=status)


def _submit(request, position, form: OpinionForm):
    """(tracking view, created) once registered; None with the errors on the form."""
    if request.POST.get(form_token.HONEYPOT):
        form.is_valid()
        form.add_error(None, _("提交未通过校验，请刷新页面后重试"))
        return None
    try:
        nonce = form_token.check(request.POST.get("token", ""), position.code)
    except form_token.TokenRefused as exc:
        form.is_valid()
        form.add_error(None, str(exc))
        form.fresh_token = True
        return None
    if not form.is_valid():
        return None
    key = form_token.idempotency_key(nonce)
    existing = Opinion.objects.filter(idempotency_key=key).exists()
    if not existing:
        try:
            _count(request, "submit_opinion")
        except RateLimited as exc:
            form.add_error(None, str(exc))
            form.rate_limited = True
            return None
    data = form.cleaned_data
    try:
        with transaction.atomic():
            opinion = opinion_services.register(
                channel=Channel.ONLINE, title=data["title"], content=data["content"], position=position.pk,
                citizen_name=data["citizen_name"], citizen_phone=data["citizen_phone"],
                category=data["category"].code if data["category"] else None, idempotency_key=key,
                actor=opinion_services.Actor.citizen())
    except ServiceError as exc:
        add_service_errors(form, exc)
        return None
    return opinion_selectors.track(opinion.tracking_code), not existing


@never_cache
@require_http_methods(["GET", "POST"])
def track_page(request):
    """Look an opinion up by its code (POST only, so codes stay out of URLs and logs) and
    rate the delivered reply."""
    context = {"prefecture": request.tenant, "form": TrackForm(), "view": None, "rate_form": None, "rated": False}
    status = 200
    if request.method == "POST":
        if request.POST.get("satisfaction") is not None or request.POST.get("action") == "rate":
            status = _rate(request, context)
        else:
            status = _track(request, context)
    return render(request, "public/track.html", context, status=status)


def _lookup(request, form, context, field: str = "code") -> int:
    try:
        _count(request, "track_opinion")
        context["view"] = opinion_selectors.track(form.cleaned_data["code"])
    except RateLimited as exc:
        form.add_error(None, str(exc))
        return 429
    except ServiceError as exc:
        add_service_errors(form, _renamed(exc, "tracking_code", field))
        return 404 if any(e.code == "not_found" for e in exc.errors) else 400
    if context["view"].can_rate:
        context["rate_form"] = RateForm(initial={"code": context["view"].tracking_code})
    return 200


def _track(request, context) -> int:
    form = TrackForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return 400
    return _lookup(request, form, context)


def _rate(request, context) -> int:
    rate_form = RateForm(request.POST)
    track_form = TrackForm({"code": request.POST.get("code", "")})
    context["form"] = track_form
    if not track_form.is_valid():
        return 400
    if rate_form.is_valid():
        try:
            _count(request, "rate_opinion")
            opinion_services.rate(satisfaction=rate_form.cleaned_data["satisfaction"],
                                  tracking_code=rate_form.cleaned_data["code"], comment=rate_form.cleaned_data["comment"])
            context["rated"] = True
        except RateLimited as exc:
            rate_form.add_error(None, str(exc))
        except ServiceError as exc:
            add_service_errors(rate_form, _renamed(exc, "tracking_code", "code"))
    status = _lookup(request, track_form, context)
    if not context["rated"] and context["view"] is not None and context["view"].can_rate:
        context["rate_form"] = rate_form
        return 400
    return status


def _renamed(exc: ServiceError, old: str, new: str) -> ServiceError:
    from liaison.tenants.common.errors import FieldError

    return ServiceError([FieldError(new if e.field == old else e.field, e.message, e.code) for e in exc.errors])
