"""The opinion queue, the opinion page and every step of the loop as a form.
Each step calls one service of tenants/opinions/services; the rules live there."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.platform.province.models import Category
from liaison.search.service import search_opinions
from liaison.search.types import MAX_PAGE_SIZE, SearchFilters
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import selectors
from liaison.tenants.opinions import services
from liaison.tenants.opinions.models import Channel, HandlingUnit, Opinion, Status
from liaison.tenants.positions.models import Position
from liaison.tenants.registry.models import Prefecture

from . import forms as wf
from . import labels, queue, steps
from .access import workbench_view
from .views import divisions_for

PAGE_SIZE = 25


def actor(request):
    return services.Actor.for_user(request.user)


def load_opinion(request, pk: int) -> Opinion:
    try:
        opinion = selectors.get_opinion(pk)
    except ServiceError:
        raise Http404(_("没有这件意见")) from None
    request.access.guard_read_opinion(opinion)
    return opinion


# --- the queue ----------------------------------------------------------------------------------


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@workbench_view
def opinion_queue(request):
    access = request.access
    today = selectors.today()
    get = request.GET
    tab = get.get("tab") if get.get("tab") in queue.TAB_KEYS else "triage"
    qs = queue.base(access)
    filters = {}
    position = _int(get.get("position"))
    if position:
        qs, filters["position"] = qs.filter(position_id=position), position
    division = Division.objects.filter(code=get.get("division")).first() if get.get("division") else None
    if division is not None:
        qs = qs.filter(pk__in=selectors.queue(division=division).values("pk"))
    category = get.get("category") or ""
    if category:
        qs = qs.filter(category__code=category)
    channel = get.get("channel") or ""
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    unit = _int(get.get("unit"))
    if unit:
        qs = qs.filter(handling_unit_id=unit)
    date_from, date_to = _date(get.get("from")), _date(get.get("to"))
    if date_from:
        qs = qs.filter(registered_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(registered_at__date__lte=date_to)
    query = (get.get("q") or "").strip()[:200]
    search_note = ""
    if query:
        try:
            result = search_opinions(access.principal, query, SearchFilters(), first=MAX_PAGE_SIZE, sort="relevance")
            ids = [hit.opinion_id for hit in result.hits]
            qs = qs.filter(pk__in=ids)
            search_note = _("全文检索“%(q)s”：最相关的 %(n)s 件中") % {"q": query, "n": len(ids)}
        except (ServiceError, PermissionDenied):
            qs = qs.none()
    tab_counts = {t.key: qs.filter(queue.tab_filter(t.key, today)).count() for t in queue.TABS}
    qs = qs.filter(queue.tab_filter(tab, today))
    sort = get.get("sort") if get.get("sort") in queue.SORTS else "-registered"
    page = Paginator(qs.order_by(*queue.SORTS[sort]), PAGE_SIZE).get_page(get.get("page"))
    params = get.copy()
    params.pop("page", None)
    context = {
        "tab": tab, "tab_items": [(t, tab_counts[t.key]) for t in queue.TABS], "page": page, "sort": sort, "sorts": queue.SORT_LABELS,
        "query": query, "search_note": search_note, "today": today, "querystring": params.urlencode(),
        "tab_querystring": _without(params, "tab"),
        "positions": access.positions(Position.objects.all()).order_by("name")[:300],
        "categories": Category.objects.filter(active=True), "channels": Channel.choices,
        "units": HandlingUnit.objects.filter(active=True).order_by("level", "name")[:300],
        "filtered": bool(position or division or category or channel or unit or date_from or date_to or sort != "-registered"),
        "f": {"position": position, "division": get.get("division", ""), "category": category, "channel": channel,
              "unit": unit, "from": get.get("from", ""), "to": get.get("to", "")},
    }
    template = "workbench/_queue_results.html" if request.htmx and request.htmx.target == "results" else "workbench/queue.html"
    return render(request, template, context)


def _without(params, key):
    p = params.copy()
    p.pop(key, None)
    return p.urlencode()


# --- the opinion page ---------------------------------------------------------------------------


@workbench_view
def opinion_detail(request, pk: int):
    access = request.access
    opinion = load_opinion(request, pk)
    history = [{"t": t, "label": labels.action_label(t.action), "from": labels.status_label(t.from_status),
                "to": labels.status_label(t.to_status)} for t in selectors.history(opinion)]
    may_handle = access.may_act_on_position(opinion.position_id)
    similar = []
    if may_handle or not access.is_deputy_only:
        similar = [(o, score) for o, score in selectors.similar_opinions(opinion, limit=5)
                   if access.opinions(Opinion.objects.filter(pk=o.pk)).exists()]
    offered = labels.steps_for(opinion.status) if may_handle else ()
    if not may_handle and access.may_act_as_deputy(opinion.deputy_id) and opinion.status == Status.REPLIED:
        offered = ("rate",)
    return render(request, "workbench/opinion.html", {
        "opinion": opinion, "history": history, "citizen": selectors.citizen_of(opinion, personal=access.personal),
        "replies": opinion.replies.select_related("unit").prefetch_related("evaluations").order_by("replied_at", "id"),
        "referrals": opinion.referrals.select_related("unit").order_by("referred_at", "id"),
        "attachments": opinion.attachments.all(), "similar": similar, "may_handle": may_handle,
        "is_overdue": selectors.is_overdue(opinion), "steps": [(s, STEPS[s].title) for s in offered if s in STEPS],
        "progress": selectors.suggestion_progress(opinion),
        "duplicate_form": steps.fresh(wf.DuplicateForm) if may_handle else None,
    })


def guard_posted_position(request) -> None:
    """A form naming a position outside the caller's reach is refused outright (403)."""
    raw = _int(request.POST.get("position"))
    if raw is not None and Position.objects.filter(pk=raw).exists():
        request.access.guard_handle_position(raw)


@workbench_view
def attachment_download(request, pk: int, attachment_id: int):
    """An attachment, to those who may read its opinion (files are never served publicly)."""
    opinion = load_opinion(request, pk)
    attachment = opinion.attachments.filter(pk=attachment_id).first()
    if attachment is None or not attachment.file:
        raise Http404(_("没有这个附件"))
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("附件文件不存在")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type or "application/octet-stream")


# --- register -----------------------------------------------------------------------------------


def _uploads(request, field="attachments") -> list[dict]:
    return [{"name": f.name, "content": f.read(), "content_type": getattr(f, "content_type", "") or ""}
            for f in request.FILES.getlist(field)]


def _register_form(request, data=None, files=None, initial=None):
    access = request.access
    form = wf.RegisterForm(data, files, initial=initial) if data is not None else steps.fresh(wf.RegisterForm, initial=initial)
    positions = access.positions(Position.objects.select_related("division")).order_by("name")
    form.fields["position"].queryset = positions
    # Progressive enhancement: the places offered follow the chosen position (htmx).
    form.fields["position"].widget.attrs.update({"hx-get": reverse("workbench:division-options"), "hx-target": "#id_division",
                                                 "hx-swap": "innerHTML", "hx-trigger": "change"})
    chosen = None
    raw = (data or {}).get("position") or (initial or {}).get("position")
    if raw:
        chosen = positions.filter(pk=_int(raw)).first()
    elif access.position_scope:
        chosen = positions.first()
        form.initial.setdefault("position", chosen.pk if chosen else None)
    form.fields["division"].queryset = Division.objects.filter(pk__in=[d.pk for d in divisions_for(chosen)])
    form.fields["deputy"].queryset = Deputy.objects.filter(active=True).order_by("name")
    return form


@workbench_view
def opinion_register(request):
    access = request.access
    if not access.can_handle:
        raise PermissionDenied(_("无权登记意见"))
    initial = {"channel": Channel.RECEPTION}
    if request.GET.get("position"):
        initial["position"] = _int(request.GET.get("position"))
    if request.method == "POST":
        guard_posted_position(request)
        form = _register_form(request, request.POST, request.FILES)

        def perform(c):
            opinion = services.register(
                channel=c["channel"], title=c["title"], content=c["content"], position=c["position"],
                division=c.get("division"), deputy=c.get("deputy"), citizen_name=c.get("citizen_name") or "",
                citizen_phone=c.get("citizen_phone") or "", category=c.get("category"),
                registered_at=c.get("registered_at"), attachments=_uploads(request),
                idempotency_key="wb-" + request.POST["form_token"], actor=actor(request), note=c.get("note") or "")
            return reverse("workbench:opinion", args=[opinion.pk]) + "?registered=1"

        url = steps.submit(request, form, perform, success=_("已登记"), aliases={"idempotency_key": "__all__"})
        if url:
            return redirect(url)
    else:
        form = _register_form(request, initial=initial)
    return render(request, "workbench/register.html", {"form": form})


# --- steps on one opinion -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    title: str
    form: type
    perform: Callable  # (request, opinion, cleaned) -> None
    prepare: Callable | None = None  # (request, opinion, form) -> dict of extra context
    deputy_may: bool = False  # the deputy who took the opinion may do it (rating)
    aliases: dict | None = None
    help: str = ""


def _prepare_refer(request, opinion, form):
    proposals = services.propose_route(opinion)
    proposed = {p.unit.pk for p in proposals}
    others = HandlingUnit.objects.filter(active=True).exclude(pk__in=proposed).order_by("level", "name")
    choices = [("", _("— 请选择 —"))]
    if proposals:
        choices.append((_("推荐（按匹配度排序）"), [(str(p.unit.pk), f"{p.unit.name}（{'，'.join(p.reasons)}）") for p in proposals]))
    choices.append((_("其他承办单位"), [(str(u.pk), u.name) for u in others]))
    form.fields["unit"].choices = choices
    if proposals and not form.is_bound:
        form.initial["unit"] = str(proposals[0].unit.pk)
    return {"proposals": proposals}


def _prepare_refer_prefecture(request, opinion, form):
    here = request.tenant.schema_name
    form.fields["prefecture"].choices = [("", _("— 请选择 —"))] + [
        (p.slug, p.name) for p in Prefecture.objects.exclude(schema_name=here).order_by("code")]
    return {}


def _prepare_reply(request, opinion, form):
    form.fields["unit"].queryset = HandlingUnit.objects.filter(active=True).order_by("level", "name")
    return {}


def _prepare_convert(request, opinion, form):
    deputies = Deputy.objects.filter(active=True).order_by("name")
    form.fields["lead_deputy"].queryset = deputies
    form.fields["co_signers"].queryset = deputies
    if not form.is_bound:
        form.initial.update({"lead_deputy": opinion.deputy_id, "title": opinion.title, "content": opinion.content})
    return {}


def _prepare_deliver(request, opinion, form):
    if not form.is_bound:
        form.initial.update({"to_citizen": True, "to_deputy": opinion.deputy_id is not None})
    return {}


def _refer(request, op, c):
    services.refer(op, unit=_int(c["unit"]) if c.get("unit") else None, due_on=c.get("due_on"), note=c.get("note") or "",
                   actor=actor(request))


def _reply(request, op, c):
    services.reply(op, content=c.get("content") or "", outcome=c.get("outcome") or None, kind=c["kind"], unit=c.get("unit"),
                   note=c.get("note") or "", actor=actor(request))


def _rate(request, op, c):
    if op.deputy_id is None:
        raise ServiceError.single("satisfaction", _("该意见没有收集代表，群众凭查询码自行评价"), "no_deputy")
    services.rate(opinion=op, deputy=op.deputy_id, satisfaction=c.get("satisfaction") or "", comment=c.get("comment") or "")


def _duplicate(request, op, c):
    code = (c.get("primary") or "").strip().upper()
    primary = Opinion.objects.filter(tracking_code=code).first()
    if primary is None or not request.access.opinions(Opinion.objects.filter(pk=primary.pk)).exists():
        raise ServiceError.single("primary", _("没有查询码为 %(code)s 的意见") % {"code": code or "—"}, "not_found")
    services.link_duplicate(op, primary=primary, note=c.get("note") or "", actor=actor(request))


def _convert(request, op, c):
    services.convert_to_suggestion([op], lead_deputy=c.get("lead_deputy"), co_signers=list(c.get("co_signers") or []),
                                   title=c.get("title") or "", content=c.get("content") or "", note=c.get("note") or "",
                                   actor=actor(request))


STEPS: dict[str, Step] = {
    "attach": Step(gettext_lazy("添加附件"), wf.AttachForm,
                   lambda r, op, c: services.add_attachments(op, attachments=_uploads(r), actor=actor(r))),
    "triage": Step(gettext_lazy("梳理研判"), wf.TriageForm,
                   lambda r, op, c: services.triage(op, category=c.get("category"), jurisdiction_level=c.get("jurisdiction_level") or "",
                                                    note=c.get("note") or "", actor=actor(r))),
    "refer": Step(gettext_lazy("交办"), wf.ReferForm, _refer, _prepare_refer),
    "refer_prefecture": Step(gettext_lazy("转办外州市"), wf.ReferPrefectureForm,
                             lambda r, op, c: services.refer_to_prefecture(
                                 op, prefecture=c.get("prefecture") or "", division_code=c.get("division_code") or None,
                                 note=c.get("note") or "", actor=actor(r)), _prepare_refer_prefecture),
    "extend": Step(gettext_lazy("延期"), wf.ExtendForm,
                   lambda r, op, c: services.extend_deadline(op, new_due_on=c.get("new_due_on"), note=c.get("note") or "",
                                                             actor=actor(r)),
                   help=gettext_lazy("延期须经批准：以当前登录人为批准人记录。")),
    "reply": Step(gettext_lazy("答复"), wf.ReplyForm, _reply, _prepare_reply),
    "deliver": Step(gettext_lazy("送达"), wf.DeliverForm,
                    lambda r, op, c: services.deliver(op, to_citizen=c.get("to_citizen"), to_deputy=c.get("to_deputy"),
                                                      note=c.get("note") or "", actor=actor(r)), _prepare_deliver),
    "rate": Step(gettext_lazy("代表评价"), wf.RateForm, _rate, deputy_may=True,
                 help=gettext_lazy("记录收集该意见的代表对答复的评价；群众凭查询码自行评价。")),
    "close": Step(gettext_lazy("办结"), wf.NoteForm,
                  lambda r, op, c: services.close(op, note=c.get("note") or "", actor=actor(r))),
    "reopen": Step(gettext_lazy("重新办理"), wf.ReasonForm,
                   lambda r, op, c: services.reopen(op, note=c.get("note") or "", actor=actor(r))),
    "escalate": Step(gettext_lazy("督办上提"), wf.ReasonForm,
                     lambda r, op, c: services.escalate(op, note=c.get("note") or "", actor=actor(r))),
    "duplicate": Step(gettext_lazy("并案（重复件）"), wf.DuplicateForm, _duplicate),
    "convert": Step(gettext_lazy("转为代表建议"), wf.ConvertForm, _convert, _prepare_convert,
                    aliases={"opinions": "__all__"}),
}


@workbench_view
def opinion_step(request, pk: int, step: str):
    spec = STEPS.get(step)
    if spec is None:
        raise Http404(_("没有这一步"))
    access = request.access
    opinion = load_opinion(request, pk)
    if not access.may_act_on_position(opinion.position_id):
        if not (spec.deputy_may and access.may_act_as_deputy(opinion.deputy_id)):
            raise PermissionDenied(_("无权办理此意见"))
    if request.method == "POST":
        form = spec.form(request.POST, request.FILES)
        extra = spec.prepare(request, opinion, form) if spec.prepare else {}

        def perform(cleaned):
            spec.perform(request, opinion, cleaned)
            return reverse("workbench:opinion", args=[opinion.pk])

        url = steps.submit(request, form, perform, aliases=spec.aliases, success=_("已%(step)s") % {"step": spec.title})
        if url:
            return redirect(url)
    else:
        form = steps.fresh(spec.form)
        extra = spec.prepare(request, opinion, form) if spec.prepare else {}
    return render(request, "workbench/step.html", {"opinion": opinion, "step": step, "spec": spec, "form": form,
                                                   "multipart": step == "attach", **extra})


def today_local() -> dt.date:
    return timezone.localdate()
