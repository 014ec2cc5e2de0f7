"""Reads of the opinion loop: queues, overdue (computed, never stored), routing
proposals, similar opinions, public tracking, history and ledger rows, counts.

Everything here reads the current schema only (the prefecture of the request or the
task), except `track_anywhere`, which asks each prefecture in the registry in turn.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django_tenants.utils import schema_context

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.divisions.models import Division

from .models import (
    AWAITING_REPLY,
    LEVEL_ORDER,
    OPEN_STATUSES,
    DeadlinePolicy,
    HandlingUnit,
    JurisdictionLevel,
    Opinion,
    Outcome,
    Rater,
    Reply,
    Satisfaction,
    Status,
    Suggestion,
    SuggestionStatus,
    Transition,
    UnitKind,
    UnitLevel,
    normalise_tracking_code,
)

# --- deadline policy ------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    referral_working_days: int = 15
    referral_extension_max_working_days: int = 15
    suggestion_months: int = 3
    suggestion_max_months: int = 6
    rehandle_months: int = 1
    remind_before_working_days: int = 3
    rating_window_days: int = 15


DEFAULT_POLICY = Policy()
_POLICY_FIELDS = tuple(Policy.__dataclass_fields__)


def policy_for(level: str | None) -> Policy:
    """This prefecture's deadline policy for a level: its own row, else the prefecture's
    default row (blank level), else the built-in defaults (15 working days; 3/6 months; 1 month)."""
    rows = {p.level: p for p in DeadlinePolicy.objects.filter(level__in=[level or "", ""])}
    row = rows.get(level or "") or rows.get("")
    if row is None:
        return DEFAULT_POLICY
    return Policy(**{name: getattr(row, name) for name in _POLICY_FIELDS})


# --- queues and overdue -----------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def with_overdue(qs: QuerySet[Opinion], on: dt.date | None = None) -> QuerySet[Opinion]:
    """Annotate `is_overdue`: awaiting a reply and past its deadline on `on` (default today)."""
    on = on or today()
    return qs.annotate(is_overdue=Case(
        When(status__in=AWAITING_REPLY, due_on__lt=on, then=Value(True)),
        default=Value(False), output_field=BooleanField(),
    ))


def overdue(on: dt.date | None = None) -> QuerySet[Opinion]:
    return with_overdue(Opinion.objects.all(), on).filter(is_overdue=True)


def is_overdue(opinion: Opinion, on: dt.date | None = None) -> bool:
    on = on or today()
    return opinion.status in AWAITING_REPLY and opinion.due_on is not None and opinion.due_on < on


def queue(*, status: str | None = None, unit: HandlingUnit | int | None = None, division: Division | None = None,
          open_only: bool = False, received_from_other_prefectures: bool | None = None, on: dt.date | None = None) -> QuerySet[Opinion]:
    """The opinions staff work through, with `is_overdue` annotated."""
    qs = Opinion.objects.select_related("category", "division", "position", "handling_unit", "suggestion")
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if unit is not None:
        qs = qs.filter(handling_unit=unit)
    if division is not None:
        qs = qs.filter(Q(division=division) | Q(division__path__startswith=division.path + "/"))
    if received_from_other_prefectures is not None:
        qs = qs.exclude(origin_schema="") if received_from_other_prefectures else qs.filter(origin_schema="")
    return with_overdue(qs, on)


def get_opinion(opinion_id: int) -> Opinion:
    try:
        return Opinion.objects.select_related("category", "division", "position", "deputy", "handling_unit", "suggestion").get(pk=opinion_id)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise ServiceError.single("opinion", f"no opinion with id {opinion_id} in this prefecture", "not_found") from None


# --- personal data ----------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张三丰 → 张**; a reader without the personal-data right sees only the surname."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def citizen_of(opinion: Opinion, *, personal: bool) -> dict:
    """The citizen's name and phone, masked unless the reader may see personal data."""
    if personal:
        return {"name": opinion.citizen_name, "phone": opinion.citizen_phone}
    return {"name": mask_name(opinion.citizen_name), "phone": mask_phone(opinion.citizen_phone)}


# --- routing ------------------------------------------------------------------------------------

ROUTE_NOTES = {
    UnitLevel.TOWNSHIP: "乡镇事项：交乡镇人大主席团、乡镇人民政府办理",
    UnitLevel.COUNTY: "县级事项：由县级人大代表以闭会期间代表建议报县人大常委会，交有关单位办理",
    UnitLevel.PREFECTURE: "州市事项：由州市人大代表以代表建议或网上平台反映，交州市有关单位办理",
    UnitLevel.PROVINCE: "省级事项：由省人大代表以代表建议反映，本州市可先交州市有关单位协调",
}

LEVEL_TO_DIVISION = {UnitLevel.TOWNSHIP: Division.Level.TOWNSHIP, UnitLevel.COUNTY: Division.Level.COUNTY,
                     UnitLevel.PREFECTURE: Division.Level.PREFECTURE, UnitLevel.PROVINCE: Division.Level.PREFECTURE}


@dataclass(frozen=True)
class RouteProposal:
    unit: HandlingUnit
    score: int
    reasons: tuple[str, ...]
    route_note: str
    suggest_conversion: bool  # prefecture/province matters are carried up as a deputy suggestion


def _division_at(division: Division, level: str) -> Division | None:
    """The division itself or its ancestor at a division level (prefecture/county/township)."""
    if division.level == level:
        return division
    codes = division.path.split("/")
    return Division.objects.filter(code__in=codes, level=level).first()


def propose_route(opinion: Opinion, limit: int = 5) -> list[RouteProposal]:
    """Handling units for this opinion, best first: level decides the tier, then place
    (the unit sits in the opinion's township/county/prefecture), then category.
    Not-acceptable matters get no unit: they are explained (依法疏导)."""
    level = opinion.jurisdiction_level
    if not level or level == JurisdictionLevel.NOT_ACCEPTABLE:
        return []
    place = _division_at(opinion.division, LEVEL_TO_DIVISION[level])
    units = (HandlingUnit.objects.filter(active=True, level=level).select_related("division")
             .prefetch_related("categories"))
    proposals = []
    for unit in units:
        score, reasons = 0, []
        if place is not None and unit.division_id == place.pk:
            score += 10
            reasons.append(f"属地：{place.name}")
        elif place is not None and unit.division.path.startswith(place.path):
            score += 5
            reasons.append(f"辖区内：{unit.division.name}")
        elif level in (UnitLevel.TOWNSHIP, UnitLevel.COUNTY):
            continue  # a township or county matter goes to that township or county only
        cats = {c.pk for c in unit.categories.all()}
        if opinion.category_id and opinion.category_id in cats:
            score += 4
            reasons.append(f"类别：{opinion.category.name}")
        elif not cats:
            score += 1
            reasons.append("综合承办")
        else:
            continue  # a specialised unit for other categories
        if unit.kind in (UnitKind.TOWNSHIP_GOVERNMENT, UnitKind.COUNTY_DEPARTMENT, UnitKind.PREFECTURE_DEPARTMENT):
            score += 1
        proposals.append(RouteProposal(unit, score, tuple(reasons), ROUTE_NOTES[level],
                                       level in (UnitLevel.PREFECTURE, UnitLevel.PROVINCE)))
    proposals.sort(key=lambda p: (-p.score, p.unit.name))
    return proposals[:limit]


def level_above(level: str) -> str | None:
    index = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1
    return LEVEL_ORDER[index + 1] if 0 <= index < len(LEVEL_ORDER) - 1 else None


def supervisor_for(level: str, division: Division) -> HandlingUnit | None:
    """The supervising unit (督办机关) at `level` over `division`, e.g. the county standing committee."""
    place = _division_at(division, LEVEL_TO_DIVISION[level])
    qs = HandlingUnit.objects.filter(active=True, supervises=True, level=level)
    if place is not None:
        found = qs.filter(division=place).first()
        if found:
            return found
    return qs.filter(division__path__in=division.path.split("/")).order_by("-division__path").first()


# --- similar opinions ---------------------------------------------------------------------------

SIMILAR_CANDIDATES = 400


def _grams(text: str) -> set[str]:
    chars = [ch for ch in (text or "").lower() if ch.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])} or set(chars)


def text_similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams (works for Chinese without a tokenizer)."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def similar_opinions(opinion: Opinion | None = None, *, text: str | None = None, division: Division | None = None,
                     threshold: float = 0.3, limit: int = 10) -> list[tuple[Opinion, float]]:
    """Open opinions in the same division whose title and content look alike, best first.

    Candidates are the most recent SIMILAR_CANDIDATES open opinions of the division
    (an indexed query), scored in Python by character-bigram overlap, so this needs no
    PostgreSQL extension."""
    if opinion is not None:
        text = f"{opinion.title} {opinion.content}"
        division = opinion.division
    if not text or division is None:
        return []
    qs = Opinion.objects.filter(division=division, status__in=OPEN_STATUSES).exclude(status=Status.REPLIED)
    if opinion is not None:
        qs = qs.exclude(pk=opinion.pk)
    scored = []
    for other in qs.order_by("-registered_at")[:SIMILAR_CANDIDATES]:
        score = text_similarity(text, f"{other.title} {other.content}")
        if score >= threshold:
            scored.append((other, round(score, 3)))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:limit]


# --- public tracking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackedReply:
    content: str
    outcome: str
    outcome_label: str
    replied_at: dt.datetime
    explained: bool


@dataclass(frozen=True)
class TrackingView:
    """What a citizen sees with the tracking code alone: status, dates and the reply.
    No names, phones, units, deputies, categories, internal notes or ids."""

    tracking_code: str
    status: str
    status_label: str
    registered_at: dt.datetime
    referred_at: dt.datetime | None
    due_on: dt.date | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    reply: TrackedReply | None
    can_rate: bool
    suggestion_status: str | None = None
    suggestion_status_label: str | None = None


PUBLIC_REPLY_STATUSES = (Status.REPLIED, Status.CLOSED, Status.REOPENED)


def track(code: str) -> TrackingView:
    """The public view of one opinion of this prefecture by its tracking code."""
    normalised = normalise_tracking_code(code)
    if not normalised:
        raise ServiceError.single("tracking_code", "enter the tracking code printed on your receipt", "required")
    opinion = (Opinion.objects.filter(tracking_code=normalised, origin_schema="")
               .select_related("suggestion").first())
    if opinion is None:
        raise ServiceError.single("tracking_code", f"no opinion with tracking code {normalised}; check the code and the prefecture", "not_found")
    reply = None
    latest = latest_reply(opinion)
    delivered_to_citizen = bool(latest and latest.delivered_to_citizen_at)
    if latest is not None and delivered_to_citizen:
        reply = TrackedReply(latest.content, latest.outcome, latest.get_outcome_display(), latest.replied_at,
                             latest.kind == "explanation")
    can_rate = (opinion.status == Status.REPLIED and delivered_to_citizen
                and not latest.evaluations.filter(rater=Rater.CITIZEN).exists())
    suggestion = opinion.suggestion
    return TrackingView(
        tracking_code=opinion.tracking_code,
        status=opinion.status,
        status_label=opinion.get_status_display(),
        registered_at=opinion.registered_at,
        referred_at=opinion.referred_at,
        due_on=opinion.due_on if opinion.status in AWAITING_REPLY else None,
        replied_at=opinion.replied_at if reply else None,
        closed_at=opinion.closed_at,
        reply=reply,
        can_rate=can_rate,
        suggestion_status=suggestion.status if suggestion else None,
        suggestion_status_label=suggestion.get_status_display() if suggestion else None,
    )


def track_anywhere(code: str) -> tuple[str, TrackingView]:
    """Province host: find the code in whichever prefecture holds it (registry order)."""
    from liaison.tenants.registry.models import Prefecture

    last_error = None
    for schema in Prefecture.objects.values_list("schema_name", flat=True):
        with schema_context(schema):
            try:
                return schema, track(code)
            except ServiceError as exc:
                last_error = exc
                if exc.errors[0].code == "required":
                    raise
    raise last_error or ServiceError.single("tracking_code", "no opinion with this tracking code", "not_found")


# --- replies, history, ledger ---------------------------------------------------------------------


def latest_reply(opinion: Opinion) -> Reply | None:
    return opinion.replies.order_by("-replied_at", "-id").first()


def history(opinion: Opinion | int) -> QuerySet[Transition]:
    """Every step of one opinion, oldest first (the ledger of one case)."""
    opinion_id = opinion.pk if isinstance(opinion, Opinion) else opinion
    return Transition.objects.filter(opinion_id=opinion_id).order_by("at", "id")


def suggestion_history(suggestion: Suggestion | int) -> QuerySet[Transition]:
    suggestion_id = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    return Transition.objects.filter(suggestion_id=suggestion_id).order_by("at", "id")


@dataclass(frozen=True)
class SuggestionProgress:
    number: str
    title: str
    status: str
    status_label: str
    lead_deputy: str
    lead_unit: str | None
    assigned_at: dt.datetime | None
    due_on: dt.date | None
    answered_at: dt.datetime | None
    deputy_satisfaction: str
    overdue: bool


def suggestion_progress(opinion: Opinion) -> SuggestionProgress | None:
    s = opinion.suggestion
    if s is None:
        return None
    overdue_now = s.status in (SuggestionStatus.ASSIGNED, SuggestionStatus.REHANDLING) and s.due_on is not None and s.due_on < today()
    return SuggestionProgress(s.number, s.title, s.status, s.get_status_display(), s.lead_deputy.name,
                              s.lead_unit.name if s.lead_unit else None, s.assigned_at, s.due_on, s.answered_at,
                              s.deputy_satisfaction, overdue_now)


LEDGER_COLUMNS = [
    ("tracking_code", "查询码"), ("registered_at", "登记时间"), ("channel", "来源渠道"), ("position", "阵地"),
    ("division", "所属区划"), ("deputy", "收集代表"), ("citizen_name", "群众姓名"), ("citizen_phone", "联系电话"),
    ("title", "标题"), ("content", "内容"), ("category", "类别"), ("jurisdiction_level", "管辖层级"),
    ("status", "状态"), ("handling_unit", "承办单位"), ("referred_at", "交办时间"), ("due_on", "办理期限"),
    ("replied_at", "答复时间"), ("reply", "答复内容"), ("outcome", "办理结果"), ("on_time", "按期答复"),
    ("citizen_satisfaction", "群众满意度"), ("deputy_satisfaction", "代表满意度"), ("closed_at", "办结时间"),
    ("closed_reason", "办结方式"), ("suggestion", "代表建议"), ("steps", "办理过程"),
]


def ledger_rows(qs: QuerySet[Opinion] | None = None, *, personal: bool = True) -> list[dict]:
    """The opinion ledger (台账): one row per opinion, reconstructed from the stored
    steps; `steps` lists every transition as "time action from→to (who): note"."""
    qs = (qs if qs is not None else Opinion.objects.all()).select_related(
        "position", "division", "deputy", "category", "handling_unit", "suggestion"
    ).prefetch_related("replies__evaluations", "transitions")
    rows = []
    for op in qs.order_by("registered_at", "id"):
        replies = sorted(op.replies.all(), key=lambda r: (r.replied_at, r.id))
        last = replies[-1] if replies else None
        evals = {e.rater: e.get_satisfaction_display() for e in (last.evaluations.all() if last else [])}
        citizen = citizen_of(op, personal=personal)
        rows.append({
            "tracking_code": op.tracking_code, "registered_at": op.registered_at, "channel": op.get_channel_display(),
            "position": op.position.name if op.position else "", "division": op.division.name,
            "deputy": op.deputy.name if op.deputy else "", "citizen_name": citizen["name"], "citizen_phone": citizen["phone"],
            "title": op.title, "content": op.content, "category": op.category.name if op.category else "",
            "jurisdiction_level": op.get_jurisdiction_level_display(), "status": op.get_status_display(),
            "handling_unit": op.handling_unit.name if op.handling_unit else (op.origin_schema and f"转自{op.origin_schema}") or "",
            "referred_at": op.referred_at, "due_on": op.due_on, "replied_at": op.replied_at,
            "reply": last.content if last else "", "outcome": last.get_outcome_display() if last else "",
            "on_time": ("是" if last.due_on is None or timezone.localdate(last.replied_at) <= last.due_on else "否") if last else "",
            "citizen_satisfaction": evals.get(Rater.CITIZEN, ""), "deputy_satisfaction": evals.get(Rater.DEPUTY, ""),
            "closed_at": op.closed_at, "closed_reason": op.get_closed_reason_display(),
            "suggestion": op.suggestion.number if op.suggestion else "",
            "steps": "\n".join(
                f"{timezone.localtime(t.at):%Y-%m-%d %H:%M} {t.action} {t.from_status or '-'}→{t.to_status or '-'}"
                f" ({t.actor_label or t.get_actor_kind_display()})" + (f": {t.note}" if t.note else "")
                for t in sorted(op.transitions.all(), key=lambda t: (t.at, t.id))
            ),
        })
    return rows


# --- counts for statistics -------------------------------------------------------------------------


@dataclass
class OpinionCounts:
    collected: int = 0
    by_category: dict = field(default_factory=dict)
    by_channel: dict = field(default_factory=dict)
    referred: int = 0
    replied: int = 0
    resolved: int = 0  # latest reply outcome A
    replied_on_time: int = 0
    overdue_now: int = 0
    converted: int = 0
    citizen_satisfaction: dict = field(default_factory=dict)
    deputy_satisfaction: dict = field(default_factory=dict)
    received_from_other_prefectures: int = 0


def counts(*, on: dt.date | None = None) -> OpinionCounts:
    """The opinion figures of this prefecture, with the definitions the dashboard states:
    collected = registered here (copies received from another prefecture counted apart);
    referred = ever referred; replied = has a reply; resolved = latest reply outcome A;
    replied_on_time = first reply of the first round on or before its deadline;
    overdue_now = awaiting a reply past its deadline; converted = raised as a deputy suggestion;
    satisfaction = each rater's latest rating per opinion."""
    on = on or today()
    own = Opinion.objects.filter(origin_schema="")
    result = OpinionCounts()
    result.collected = own.count()
    result.received_from_other_prefectures = Opinion.objects.exclude(origin_schema="").count()
    result.by_category = dict(own.values_list("category__code").annotate(n=Count("id")).order_by())
    result.by_channel = dict(own.values_list("channel").annotate(n=Count("id")).order_by())
    result.referred = own.filter(referrals__isnull=False).distinct().count()
    result.replied = own.filter(replies__isnull=False).distinct().count()
    result.converted = own.filter(suggestion__isnull=False).count()
    result.overdue_now = overdue(on).filter(origin_schema="").count()
    latest_outcome: dict[int, str] = {}
    on_time = set()
    for opinion_id, outcome, replied_at, due_on, rnd in (Reply.objects.filter(opinion__origin_schema="")
                                                         .order_by("replied_at", "id")
                                                         .values_list("opinion_id", "outcome", "replied_at", "due_on", "round")):
        if opinion_id not in latest_outcome and rnd == 1 and (due_on is None or timezone.localdate(replied_at) <= due_on):
            on_time.add(opinion_id)
        latest_outcome[opinion_id] = outcome
    result.resolved = sum(1 for o in latest_outcome.values() if o == Outcome.A)
    result.replied_on_time = len(on_time)
    for rater, target in ((Rater.CITIZEN, result.citizen_satisfaction), (Rater.DEPUTY, result.deputy_satisfaction)):
        latest: dict[int, str] = {}
        for opinion_id, value in (Reply.objects.filter(opinion__origin_schema="", evaluations__rater=rater)
                                  .order_by("evaluations__rated_at").values_list("opinion_id", "evaluations__satisfaction")):
            latest[opinion_id] = value
        target.update(Counter(latest.values()))
        for value in Satisfaction.values:
            target.setdefault(value, 0)
    return result


def schema_name() -> str:
    return connection.schema_name

