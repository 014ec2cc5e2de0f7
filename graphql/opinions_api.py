"""The opinion loop over liaison.tenants.opinions: opinions with referrals, replies,
evaluations and transitions; handling units; deputy suggestions. Every step is one
mutation calling one service; the service writes the Transition (who, when).

Personal data (citizen name and phone, the tracking code — it lets its holder rate as
the citizen) is masked without the personal-data permission.
"""
from __future__ import annotations

import graphene
from django.db.models import F, Q

from liaison.graphql import loaders, permissions
from liaison.graphql.common import (
    ServiceMutation,
    choice_label,
    enum_from,
    enum_value,
    mutation_permissions,
    personal,
    pk_of,
    pks_of,
    plain,
)
from liaison.graphql.positions_api import DeputyType, DivisionType, PositionType, _within
from liaison.graphql.relay import ModelObjectType, Node, apply_order, connection_args, connection_for, local_pk, paginate
from liaison.platform.accounts.principal import Op
from liaison.platform.province.models import Category
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions import models as om
from liaison.tenants.opinions import selectors as opinion_selectors
from liaison.tenants.opinions import services as opinion_services
from liaison.tenants.positions.models import Position

OpinionChannel = enum_from(om.Channel, "OpinionChannel")
OpinionStatus = enum_from(om.Status, "OpinionStatus")
JurisdictionLevel = enum_from(om.JurisdictionLevel, "JurisdictionLevel")
Outcome = enum_from(om.Outcome, "Outcome", "A solved, B being solved, C planned, D kept for reference / explained.")
Satisfaction = enum_from(om.Satisfaction, "Satisfaction")
ReplyKind = enum_from(om.ReplyKind, "ReplyKind")
UnitLevel = enum_from(om.UnitLevel, "UnitLevel")
UnitKind = enum_from(om.UnitKind, "UnitKind")
SuggestionStatus = enum_from(om.SuggestionStatus, "SuggestionStatus")
Rater = enum_from(om.Rater, "Rater")
ReferralState = enum_from(om.Referral.State, "ReferralState")


class CategoryType(ModelObjectType):
    model = Category

    class Meta:
        name = "Category"
        interfaces = (Node,)
        description = "The province's opinion taxonomy."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    active = graphene.Boolean(required=True)


class HandlingUnitType(ModelObjectType):
    model = om.HandlingUnit

    class Meta:
        name = "HandlingUnit"
        interfaces = (Node,)
        description = "A unit opinions are referred to (承办单位)."

    name = graphene.String(required=True)
    kind = graphene.Field(UnitKind, required=True)
    level = graphene.Field(UnitLevel, required=True)
    division = graphene.Field(DivisionType, required=True)
    supervises = graphene.Boolean(required=True)
    active = graphene.Boolean(required=True)

    def resolve_division(root, info):
        return loaders.related(info, root, "division", Division)


class EvaluationType(graphene.ObjectType):
    class Meta:
        name = "Evaluation"

    rater = graphene.Field(Rater, required=True)
    satisfaction = graphene.Field(Satisfaction, required=True)
    comment = graphene.String(required=True)
    rated_at = graphene.DateTime(required=True)


class ReplyType(ModelObjectType):
    model = om.Reply

    class Meta:
        name = "Reply"
        interfaces = (Node,)

    round = graphene.Int(required=True)
    kind = graphene.Field(ReplyKind, required=True)
    content = graphene.String(required=True)
    outcome = graphene.Field(Outcome, required=True)
    outcome_label = graphene.String(required=True)
    unit = graphene.Field(HandlingUnitType)
    replied_at = graphene.DateTime(required=True)
    replied_by = graphene.String(required=True)
    due_on = graphene.Date()
    on_time = graphene.Boolean(description="Replied by the deadline that ran then (null: no deadline).")
    delivered_to_citizen_at = graphene.DateTime()
    delivered_to_deputy_at = graphene.DateTime()
    evaluations = graphene.List(graphene.NonNull(EvaluationType), required=True)

    def resolve_outcome_label(root, info):
        return choice_label(om.Outcome, root.outcome)

    def resolve_unit(root, info):
        return loaders.related(info, root, "unit", om.HandlingUnit)

    def resolve_on_time(root, info):
        if root.due_on is None:
            return None
        from django.utils import timezone

        return timezone.localdate(root.replied_at) <= root.due_on

    def resolve_evaluations(root, info):
        return loaders.children(info, root, "reply.evaluations",
                                lambda ids: om.Evaluation.objects.filter(reply_id__in=ids).order_by("reply_id", "rated_at"),
                                "reply_id")


class ReferralType(ModelObjectType):
    model = om.Referral

    class Meta:
        name = "Referral"
        interfaces = (Node,)
        description = "One referral (交办/转办) of an opinion with its deadline; a new one per round or re-routing."

    round = graphene.Int(required=True)
    unit = graphene.Field(HandlingUnitType)
    to_prefecture = graphene.String(description="Slug of the prefecture it was referred to (转办), if any.")
    state = graphene.Field(ReferralState, required=True)
    referred_at = graphene.DateTime(required=True)
    due_on = graphene.Date(required=True)
    original_due_on = graphene.Date(required=True)
    extended_at = graphene.DateTime()
    extension_approved_by = graphene.String(required=True)
    note = graphene.String(required=True)

    def resolve_unit(root, info):
        return loaders.related(info, root, "unit", om.HandlingUnit)

    def resolve_to_prefecture(root, info):
        return root.to_schema or None


class TransitionType(graphene.ObjectType):
    class Meta:
        name = "Transition"
        description = "One step in the life of an opinion or suggestion (归档留痕)."

    action = graphene.String(required=True)
    from_status = graphene.String()
    to_status = graphene.String()
    actor_kind = graphene.String(required=True)
    actor_label = graphene.String(required=True)
    note = graphene.String(required=True)
    data = graphene.JSONString(required=True)
    at = graphene.DateTime(required=True)

    def resolve_from_status(root, info):
        return root.from_status or None

    def resolve_to_status(root, info):
        return root.to_status or None


class AttachmentType(graphene.ObjectType):
    class Meta:
        name = "Attachment"

    name = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)
    url = graphene.String(description="External link, when the attachment is one.")
    uploaded_at = graphene.DateTime(required=True)

    def resolve_url(root, info):
        return root.url or None


def _transitions(info, root, key: str, attr: str):
    return loaders.children(info, root, key, lambda ids: om.Transition.objects.filter(**{f"{attr}__in": ids})
                            .order_by(attr, "at", "id"), attr)


class OpinionType(ModelObjectType):
    model = om.Opinion

    class Meta:
        name = "Opinion"
        interfaces = (Node,)
        description = "A citizen's opinion or suggestion (群众意见建议) and its handling."

    tracking_code = graphene.String(required=True, description="Masked without the personal-data permission (it lets its holder rate as the citizen).")
    channel = graphene.Field(OpinionChannel, required=True)
    channel_label = graphene.String(required=True)
    title = graphene.String(required=True)
    content = graphene.String(required=True)
    citizen_name = graphene.String(required=True, description="Masked (张**) without the personal-data permission.")
    citizen_phone = graphene.String(required=True, description="Masked (138****1234) without the personal-data permission.")
    category = graphene.Field(CategoryType)
    jurisdiction_level = graphene.Field(JurisdictionLevel)
    status = graphene.Field(OpinionStatus, required=True)
    status_label = graphene.String(required=True)
    round = graphene.Int(required=True)
    registered_at = graphene.DateTime(required=True)
    triaged_at = graphene.DateTime()
    referred_at = graphene.DateTime()
    replied_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    due_on = graphene.Date(description="The running deadline.")
    overdue = graphene.Boolean(required=True, description="Awaiting a reply and past its deadline today.")
    received_from = graphene.String(description="Slug of the prefecture this copy was referred from (跨州市转办).")
    position = graphene.Field(PositionType)
    division = graphene.Field(DivisionType, required=True)
    deputy = graphene.Field(DeputyType, description="The deputy who collected it.")
    handling_unit = graphene.Field(HandlingUnitType)
    duplicate_of = graphene.Field(lambda: OpinionType)
    suggestion = graphene.Field(lambda: SuggestionType)
    referrals = graphene.List(graphene.NonNull(ReferralType), required=True)
    replies = graphene.List(graphene.NonNull(ReplyType), required=True)
    transitions = graphene.List(graphene.NonNull(TransitionType), required=True)
    attachments = graphene.List(graphene.NonNull(AttachmentType), required=True)

    def resolve_tracking_code(root, info):
        return personal(info, root.tracking_code, "id_number")

    def resolve_channel_label(root, info):
        return choice_label(om.Channel, root.channel)

    def resolve_citizen_name(root, info):
        return personal(info, root.citizen_name, "name") or ""

    def resolve_citizen_phone(root, info):
        return personal(info, root.citizen_phone, "phone") or ""

    def resolve_category(root, info):
        return loaders.related(info, root, "category", Category)

    def resolve_jurisdiction_level(root, info):
        return enum_value(root.jurisdiction_level)

    def resolve_status_label(root, info):
        return choice_label(om.Status, root.status)

    def resolve_overdue(root, info):
        return opinion_selectors.is_overdue(root)

    def resolve_received_from(root, info):
        return root.origin_schema or None

    def resolve_position(root, info):
        return loaders.related(info, root, "position", Position)

    def resolve_division(root, info):
        return loaders.related(info, root, "division", Division)

    def resolve_deputy(root, info):
        return loaders.related(info, root, "deputy", Deputy)

    def resolve_handling_unit(root, info):
        return loaders.related(info, root, "handling_unit", om.HandlingUnit)

    def resolve_duplicate_of(root, info):
        return loaders.related(info, root, "duplicate_of", om.Opinion)

    def resolve_suggestion(root, info):
        return loaders.related(info, root, "suggestion", om.Suggestion)

    def resolve_referrals(root, info):
        return loaders.children(info, root, "opinion.referrals",
                                lambda ids: om.Referral.objects.filter(opinion_id__in=ids).order_by("opinion_id", "referred_at", "id"),
                                "opinion_id")

    def resolve_replies(root, info):
        return loaders.children(info, root, "opinion.replies",
                                lambda ids: om.Reply.objects.filter(opinion_id__in=ids).order_by("opinion_id", "replied_at", "id"),
                                "opinion_id")

    def resolve_transitions(root, info):
        return _transitions(info, root, "opinion.transitions", "opinion_id")

    def resolve_attachments(root, info):
        return loaders.children(info, root, "opinion.attachments",
                                lambda ids: om.Attachment.objects.filter(opinion_id__in=ids).order_by("opinion_id", "id"),
                                "opinion_id")


class SuggestionType(ModelObjectType):
    model = om.Suggestion

    class Meta:
        name = "Suggestion"
        interfaces = (Node,)
        description = "A formal deputy suggestion (代表建议), raised from one or more opinions."

    number = graphene.String(required=True)
    title = graphene.String(required=True)
    content = graphene.String(required=True)
    level = graphene.Field(UnitLevel, required=True)
    status = graphene.Field(SuggestionStatus, required=True)
    status_label = graphene.String(required=True)
    round = graphene.Int(required=True)
    filed_at = graphene.DateTime(required=True)
    assigned_at = graphene.DateTime()
    due_on = graphene.Date()
    max_due_on = graphene.Date()
    answer = graphene.String(required=True)
    outcome = graphene.Field(Outcome)
    answered_at = graphene.DateTime()
    deputy_satisfaction = graphene.Field(Satisfaction)
    rated_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    lead_deputy = graphene.Field(DeputyType, required=True)
    co_signers = graphene.List(graphene.NonNull(DeputyType), required=True)
    lead_unit = graphene.Field(HandlingUnitType)
    co_units = graphene.List(graphene.NonNull(HandlingUnitType), required=True)
    opinions = graphene.List(graphene.NonNull(OpinionType), required=True)
    transitions = graphene.List(graphene.NonNull(TransitionType), required=True)

    def resolve_status_label(root, info):
        return choice_label(om.SuggestionStatus, root.status)

    def resolve_outcome(root, info):
        return enum_value(root.outcome)

    def resolve_deputy_satisfaction(root, info):
        return enum_value(root.deputy_satisfaction)

    def resolve_lead_deputy(root, info):
        return loaders.related(info, root, "lead_deputy", Deputy)

    def resolve_lead_unit(root, info):
        return loaders.related(info, root, "lead_unit", om.HandlingUnit)

    def resolve_co_signers(root, info):
        return loaders.children(info, root, "suggestion.co_signers",
                                lambda ids: Deputy.objects.filter(cosigned_suggestions__in=ids)
                                .annotate(_sid=F("cosigned_suggestions")).order_by("_sid", "roll_number"), "_sid")

    def resolve_co_units(root, info):
        return loaders.children(info, root, "suggestion.co_units",
                                lambda ids: om.HandlingUnit.objects.filter(cohandled_suggestions__in=ids)
                                .annotate(_sid=F("cohandled_suggestions")).order_by("_sid", "name"), "_sid")

    def resolve_opinions(root, info):
        return loaders.children(info, root, "suggestion.opinions",
                                lambda ids: om.Opinion.objects.filter(suggestion_id__in=ids).order_by("suggestion_id", "registered_at"),
                                "suggestion_id")

    def resolve_transitions(root, info):
        return _transitions(info, root, "suggestion.transitions", "suggestion_id")


# --- queries ------------------------------------------------------------------------------------------

class OpinionFilter(graphene.InputObjectType):
    status = graphene.List(graphene.NonNull(OpinionStatus))
    channel = graphene.List(graphene.NonNull(OpinionChannel))
    category = graphene.String(description="Category code.")
    position = graphene.ID()
    within = graphene.ID(description="Opinions of this division or below.")
    handling_unit = graphene.ID()
    deputy = graphene.ID(description="Collected by this deputy.")
    overdue = graphene.Boolean()
    open = graphene.Boolean(description="Not closed yet.")
    registered_after = graphene.DateTime()
    registered_before = graphene.DateTime()
    received_from_other_prefectures = graphene.Boolean()
    search = graphene.String(description="Title or content contains.")
    tracking_code = graphene.String(description="Exact tracking code (needs the personal-data permission).")


class OpinionOrder(graphene.Enum):
    REGISTERED_AT = "registered_at"
    REGISTERED_AT_DESC = "-registered_at"
    DUE_ON = "due_on"
    STATUS = "status"


OPINION_ORDER = {"registered_at": ("registered_at",), "-registered_at": ("-registered_at",),
                 "due_on": (F("due_on").asc(nulls_last=True),), "status": ("status", "-registered_at")}


class SuggestionFilter(graphene.InputObjectType):
    status = graphene.List(graphene.NonNull(SuggestionStatus))
    level = graphene.List(graphene.NonNull(UnitLevel))
    lead_deputy = graphene.ID()
    lead_unit = graphene.ID()


class HandlingUnitFilter(graphene.InputObjectType):
    level = graphene.List(graphene.NonNull(UnitLevel))
    within = graphene.ID()
    active = graphene.Boolean()
    search = graphene.String()


class RouteProposalType(graphene.ObjectType):
    class Meta:
        name = "RouteProposal"
        description = "A handling unit proposed for an opinion (level + place + category); staff confirm with referOpinion."

    unit = graphene.Field(HandlingUnitType, required=True)
    score = graphene.Int(required=True)
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True)
    route_note = graphene.String(required=True)
    suggest_conversion = graphene.Boolean(required=True, description="Prefecture/province matters go up as a deputy suggestion.")


OpinionConnection = connection_for(OpinionType)
SuggestionConnection = connection_for(SuggestionType)
HandlingUnitConnection = connection_for(HandlingUnitType)


class OpinionsQuery(graphene.ObjectType):
    opinions = graphene.relay.ConnectionField(OpinionConnection, **connection_args(OpinionFilter, OpinionOrder))
    suggestions = graphene.relay.ConnectionField(SuggestionConnection, **connection_args(SuggestionFilter))
    handling_units = graphene.relay.ConnectionField(HandlingUnitConnection, **connection_args(HandlingUnitFilter))
    categories = graphene.List(graphene.NonNull(CategoryType), required=True,
                               description="The province's opinion categories (public: front ends list them).")
    route_proposals = graphene.List(graphene.NonNull(RouteProposalType), required=True, opinion=graphene.ID(required=True),
                                    limit=graphene.Int(default_value=5),
                                    description="Handling units proposed for a triaged opinion, best first.")

    def resolve_route_proposals(root, info, opinion, limit=5):
        pk = local_pk(opinion, "Opinion")
        if pk is None or not om.Opinion.objects.filter(pk=pk).exists():
            from liaison.graphql.relay import NotFound

            raise NotFound("意见")
        proposals = opinion_services.propose_route(pk, limit=max(1, min(limit or 5, 20)))
        loaders.mark_batch([p.unit for p in proposals])
        return proposals

    def resolve_opinions(root, info, filter=None, order_by=None, **kwargs):  # noqa: A002
        f = filter or {}
        division = _within(f["within"]) if f.get("within") is not None else None
        qs = opinion_selectors.queue(division=division, open_only=bool(f.get("open")),
                                     received_from_other_prefectures=f.get("received_from_other_prefectures"))
        if f.get("status"):
            qs = qs.filter(status__in=[plain(s) for s in f["status"]])
        if f.get("channel"):
            qs = qs.filter(channel__in=[plain(c) for c in f["channel"]])
        if f.get("category"):
            qs = qs.filter(category__code=f["category"])
        if f.get("position") is not None:
            qs = qs.filter(position_id=local_pk(f["position"], "Position") or -1)
        if f.get("handling_unit") is not None:
            qs = qs.filter(handling_unit_id=local_pk(f["handling_unit"], "HandlingUnit") or -1)
        if f.get("deputy") is not None:
            qs = qs.filter(deputy_id=local_pk(f["deputy"], "Deputy") or -1)
        if f.get("overdue") is not None:
            qs = qs.filter(is_overdue=f["overdue"])
        if f.get("open") is False:
            qs = qs.filter(status=om.Status.CLOSED)
        if f.get("registered_after"):
            qs = qs.filter(registered_at__gte=f["registered_after"])
        if f.get("registered_before"):
            qs = qs.filter(registered_at__lt=f["registered_before"])
        if f.get("search"):
            qs = qs.filter(Q(title__contains=f["search"]) | Q(content__contains=f["search"]))
        if f.get("tracking_code"):
            permissions.require(info, Op.READ_PERSONAL, "opinions(filter: {trackingCode})")
            qs = qs.filter(tracking_code=om.normalise_tracking_code(f["tracking_code"]))
        qs = apply_order(qs, order_by, OPINION_ORDER) if order_by else qs.order_by("-registered_at", "-id")
        return paginate(qs, info, OpinionConnection, **kwargs)

    def resolve_suggestions(root, info, filter=None, **kwargs):  # noqa: A002
        f = filter or {}
        qs = om.Suggestion.objects.all()
        if f.get("status"):
            qs = qs.filter(status__in=[plain(s) for s in f["status"]])
        if f.get("level"):
            qs = qs.filter(level__in=[plain(v) for v in f["level"]])
        if f.get("lead_deputy") is not None:
            qs = qs.filter(lead_deputy_id=local_pk(f["lead_deputy"], "Deputy") or -1)
        if f.get("lead_unit") is not None:
            qs = qs.filter(lead_unit_id=local_pk(f["lead_unit"], "HandlingUnit") or -1)
        return paginate(qs.order_by("-filed_at", "-id"), info, SuggestionConnection, **kwargs)

    def resolve_handling_units(root, info, filter=None, **kwargs):  # noqa: A002
        f = filter or {}
        qs = om.HandlingUnit.objects.all()
        if f.get("level"):
            qs = qs.filter(level__in=[plain(v) for v in f["level"]])
        if f.get("within") is not None:
            d = _within(f["within"])
            qs = qs.filter(Q(division_id=d.pk) | Q(division__path__startswith=d.path + "/"))
        if f.get("active") is not None:
            qs = qs.filter(active=f["active"])
        if f.get("search"):
            qs = qs.filter(name__contains=f["search"])
        return paginate(qs.order_by("level", "division__code", "name", "id"), info, HandlingUnitConnection, **kwargs)

    def resolve_categories(root, info):
        return loaders.mark_batch(Category.objects.filter(active=True))


# --- mutations -----------------------------------------------------------------------------------------

def actor_for(info, deputy_pk: int | None = None):
    """Who is recorded on the Transition: the session user, the API key, or the deputy
    acting for themselves."""
    p = permissions.principal(info)
    if deputy_pk is not None and p.deputy_id(permissions.schema_name()) == deputy_pk and not p.is_api_key:
        deputy = Deputy.objects.filter(pk=deputy_pk).first()
        if deputy is not None:
            return opinion_services.Actor.for_deputy(deputy)
    user = getattr(info.context, "user", None)
    if not p.is_api_key and user is not None and user.is_authenticated:
        return opinion_services.Actor.for_user(user)
    return opinion_services.Actor("user", None, f"API 密钥 {p.label.removeprefix('key:')}")


def guard_opinion(info, opinion_pk: int | None):
    """Object-level permission for an opinion step: staff only at their own positions."""
    if opinion_pk is None:
        return
    p = permissions.principal(info)
    schema = permissions.schema_name()
    row = om.Opinion.objects.filter(pk=opinion_pk).values_list("position_id", flat=True)
    if not row.exists():
        return  # the service reports `opinion: not_found`
    if not p.may_act_on_position(schema, row.first()):
        raise permissions.forbidden(f"无权办理此意见 (forbidden: {p.label} may not act on opinions of this position)")


def _opinion_pk(info, value, field: str = "id") -> int:
    pk = pk_of(value, "Opinion", field)
    guard_opinion(info, pk)
    return pk


class RegisterOpinion(ServiceMutation):
    """登记: record an opinion received at a reception, by a deputy, an observer, the box or
    online. Staff register at their positions; a deputy registers what they collected
    (channel DEPUTY, themselves as deputy)."""

    op = Op.ATTEND
    opinion = graphene.Field(OpinionType)

    class Input:
        channel = OpinionChannel(required=True)
        title = graphene.String(required=True)
        content = graphene.String(required=True)
        position = graphene.ID()
        division = graphene.ID()
        deputy = graphene.ID()
        citizen_name = graphene.String()
        citizen_phone = graphene.String()
        category = graphene.String(description="Category code.")
        registered_at = graphene.DateTime()
        idempotency_key = graphene.String()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, channel, title, content, position=None, division=None, deputy=None, citizen_name="",
                citizen_phone="", category=None, registered_at=None, idempotency_key=None, note="", **_):
        position_pk = pk_of(position, "Position", "position")
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        p = permissions.principal(info)
        schema = permissions.schema_name()
        if not (p.can(Op.HANDLE, schema) and p.may_act_on_position(schema, position_pk)):
            if not (plain(channel) == om.Channel.DEPUTY and deputy_pk is not None and p.may_act_as_deputy(schema, deputy_pk)):
                raise permissions.forbidden(f"无权在此阵地登记意见 (forbidden: {p.label} may register opinions only at "
                                            f"their own positions, or as the deputy who collected them)")
        opinion = opinion_services.register(
            channel=plain(channel), title=title, content=content, position=position_pk,
            division=pk_of(division, "Division", "division"), deputy=deputy_pk, citizen_name=citizen_name or "",
            citizen_phone=citizen_phone or "", category=category or None, registered_at=registered_at,
            idempotency_key=idempotency_key, actor=actor_for(info, deputy_pk), note=note or "")
        return {"opinion": opinion}


class TriageOpinion(ServiceMutation):
    """梳理研判: decide category and jurisdiction level."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        category = graphene.String(required=True, description="Category code.")
        jurisdiction_level = JurisdictionLevel(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, category, jurisdiction_level, note="", **_):  # noqa: A002
        op = opinion_services.triage(_opinion_pk(info, id), category=category, jurisdiction_level=plain(jurisdiction_level),
                                     actor=actor_for(info), note=note or "")
        return {"opinion": op}


class ReferOpinion(ServiceMutation):
    """交办: refer to a handling unit with a deadline (policy default, or `dueOn`)."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)
    referral = graphene.Field(ReferralType)

    class Input:
        id = graphene.ID(required=True)
        unit = graphene.ID(required=True)
        due_on = graphene.Date()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, unit, due_on=None, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        referral = opinion_services.refer(pk, unit=pk_of(unit, "HandlingUnit", "unit"), due_on=due_on, note=note or "",
                                          actor=actor_for(info))
        return {"referral": referral, "opinion": om.Opinion.objects.get(pk=pk)}


class ReferToPrefecture(ServiceMutation):
    """转办 to another prefecture (by slug); it gets a copy without personal data."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        prefecture = graphene.String(required=True)
        division_code = graphene.String()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, prefecture, division_code=None, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        opinion_services.refer_to_prefecture(pk, prefecture=prefecture, division_code=division_code, note=note or "",
                                             actor=actor_for(info))
        return {"opinion": om.Opinion.objects.get(pk=pk)}


class ExtendDeadline(ServiceMutation):
    """An approved extension (延期) of the running deadline; `note` gives the reason."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        new_due_on = graphene.Date(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, id, new_due_on, note, **_):  # noqa: A002
        return {"opinion": opinion_services.extend_deadline(_opinion_pk(info, id), new_due_on=new_due_on, note=note,
                                                            actor=actor_for(info))}


class ReplyOpinion(ServiceMutation):
    """答复: the answer (kind ANSWER, with an outcome A–D) or an explanation (EXPLANATION, 依法疏导)."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)
    reply = graphene.Field(ReplyType)

    class Input:
        id = graphene.ID(required=True)
        content = graphene.String(required=True)
        outcome = Outcome()
        kind = ReplyKind()
        unit = graphene.ID()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, content, outcome=None, kind=None, unit=None, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        reply = opinion_services.reply(pk, content=content, outcome=plain(outcome), kind=plain(kind) or om.ReplyKind.ANSWER,
                                       unit=pk_of(unit, "HandlingUnit", "unit"), note=note or "", actor=actor_for(info))
        return {"reply": reply, "opinion": om.Opinion.objects.get(pk=pk)}


class DeliverReply(ServiceMutation):
    """送达: the reply reached the citizen and/or the deputy."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        to_citizen = graphene.Boolean()
        to_deputy = graphene.Boolean()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, to_citizen=False, to_deputy=False, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        opinion_services.deliver(pk, to_citizen=bool(to_citizen), to_deputy=bool(to_deputy), note=note or "",
                                 actor=actor_for(info))
        return {"opinion": om.Opinion.objects.get(pk=pk)}


class RateReply(ServiceMutation):
    """评价 by the deputy who collected the opinion (citizens rate with `rateOpinion` and
    their tracking code). Staff may record a deputy's rating on their behalf."""

    op = Op.ATTEND
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        deputy = graphene.ID(required=True)
        satisfaction = Satisfaction(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, root, info, id, deputy, satisfaction, comment="", **_):  # noqa: A002
        pk = pk_of(id, "Opinion", "id")
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        p = permissions.principal(info)
        schema = permissions.schema_name()
        if not p.may_act_as_deputy(schema, deputy_pk):
            raise permissions.forbidden(f"只能以本人身份评价 (forbidden: {p.label} may rate only as themselves)")
        if p.can(Op.HANDLE, schema):
            guard_opinion(info, pk)
        opinion_services.rate(satisfaction=plain(satisfaction), opinion=pk, deputy=deputy_pk, comment=comment or "")
        return {"opinion": om.Opinion.objects.get(pk=pk)}


def _simple_step(name: str, service, doc: str, extra_inputs: dict | None = None, note_required: bool = False):
    """A mutation that calls `service(opinion_pk, actor=…, note=…)`."""

    def perform(cls, root, info, id, note="", **rest):  # noqa: A002
        kwargs = {k: v for k, v in rest.items() if k != "client_mutation_id"}
        result = service(_opinion_pk(info, id), actor=actor_for(info), note=note or "", **kwargs)
        pk = local_pk(id, "Opinion")
        return {"opinion": result if isinstance(result, om.Opinion) else om.Opinion.objects.get(pk=pk)}

    inputs = {"id": graphene.ID(required=True), "note": graphene.String(required=note_required), **(extra_inputs or {})}
    attrs = {"__doc__": doc, "op": Op.HANDLE, "opinion": graphene.Field(OpinionType),
             "Input": type("Input", (), inputs), "perform": classmethod(perform)}
    return type(name, (ServiceMutation,), attrs)


CloseOpinion = _simple_step("CloseOpinion", opinion_services.close,
                            "办结: close a delivered reply that was rated (none 不满意) or whose rating window passed.")
ReopenOpinion = _simple_step("ReopenOpinion", opinion_services.reopen,
                             "重新办理: send a replied or closed opinion round again (due within 1 month).")
EscalateOpinion = _simple_step("EscalateOpinion", opinion_services.escalate,
                               "督办上提: bring an unanswered opinion to the supervising level above.")


class LinkDuplicate(ServiceMutation):
    """并案: mark an opinion as a duplicate of a primary one (handled there)."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        primary = graphene.ID(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, primary, note="", **_):  # noqa: A002
        op = opinion_services.link_duplicate(_opinion_pk(info, id), primary=_opinion_pk(info, primary, "primary"),
                                             actor=actor_for(info), note=note or "")
        return {"opinion": op}


class ConvertToSuggestion(ServiceMutation):
    """转为代表建议: a lead deputy (with co-signers) raises opinions as a formal deputy suggestion."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        opinions = graphene.List(graphene.NonNull(graphene.ID), required=True)
        lead_deputy = graphene.ID(required=True)
        title = graphene.String(required=True)
        content = graphene.String(required=True)
        co_signers = graphene.List(graphene.NonNull(graphene.ID))
        level = UnitLevel()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, opinions, lead_deputy, title, content, co_signers=None, level=None, note="", **_):
        pks = pks_of(opinions, "Opinion", "opinions")
        for pk in pks:
            guard_opinion(info, pk)
        suggestion = opinion_services.convert_to_suggestion(
            pks, lead_deputy=pk_of(lead_deputy, "Deputy", "lead_deputy"), title=title, content=content,
            co_signers=pks_of(co_signers, "Deputy", "co_signers"), level=plain(level), note=note or "", actor=actor_for(info))
        return {"suggestion": suggestion}


class AssignSuggestion(ServiceMutation):
    """交办 a deputy suggestion to a lead unit and co-handling units (3 months, at most 6)."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        lead_unit = graphene.ID(required=True)
        co_units = graphene.List(graphene.NonNull(graphene.ID))
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, lead_unit, co_units=None, note="", **_):  # noqa: A002
        s = opinion_services.assign_suggestion(pk_of(id, "Suggestion", "id"), lead_unit=pk_of(lead_unit, "HandlingUnit", "lead_unit"),
                                               co_units=pks_of(co_units, "HandlingUnit", "co_units"), note=note or "",
                                               actor=actor_for(info))
        return {"suggestion": s}


class ExtendSuggestionDeadline(ServiceMutation):
    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        new_due_on = graphene.Date(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, id, new_due_on, note, **_):  # noqa: A002
        return {"suggestion": opinion_services.extend_suggestion_deadline(pk_of(id, "Suggestion", "id"), new_due_on=new_due_on,
                                                                          note=note, actor=actor_for(info))}


class AnswerSuggestion(ServiceMutation):
    """The lead unit's answer; every opinion raised in the suggestion gets it as its reply."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        content = graphene.String(required=True)
        outcome = Outcome(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, content, outcome, note="", **_):  # noqa: A002
        return {"suggestion": opinion_services.answer_suggestion(pk_of(id, "Suggestion", "id"), content=content,
                                                                 outcome=plain(outcome), note=note or "", actor=actor_for(info))}


class RateSuggestion(ServiceMutation):
    """The lead deputy rates the answer; 不满意 sends it round again (二次交办)."""

    op = Op.ATTEND
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        deputy = graphene.ID(required=True)
        satisfaction = Satisfaction(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, root, info, id, deputy, satisfaction, comment="", **_):  # noqa: A002
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        p = permissions.principal(info)
        if not p.may_act_as_deputy(permissions.schema_name(), deputy_pk):
            raise permissions.forbidden(f"只能以本人身份评价 (forbidden: {p.label} may rate only as themselves)")
        return {"suggestion": opinion_services.rate_suggestion(pk_of(id, "Suggestion", "id"), deputy=deputy_pk,
                                                               satisfaction=plain(satisfaction), comment=comment or "")}


class OpinionsMutation(graphene.ObjectType):
    register_opinion = RegisterOpinion.Field()
    triage_opinion = TriageOpinion.Field()
    refer_opinion = ReferOpinion.Field()
    refer_to_prefecture = ReferToPrefecture.Field()
    extend_deadline = ExtendDeadline.Field()
    reply_opinion = ReplyOpinion.Field()
    deliver_reply = DeliverReply.Field()
    rate_reply = RateReply.Field()
    close_opinion = CloseOpinion.Field()
    reopen_opinion = ReopenOpinion.Field()
    escalate_opinion = EscalateOpinion.Field()
    link_duplicate = LinkDuplicate.Field()
    convert_to_suggestion = ConvertToSuggestion.Field()
    assign_suggestion = AssignSuggestion.Field()
    extend_suggestion_deadline = ExtendSuggestionDeadline.Field()
    answer_suggestion = AnswerSuggestion.Field()
    rate_suggestion = RateSuggestion.Field()


ROOT_PERMISSIONS = {
    "Query.opinions": Op.READ,
    "Query.suggestions": Op.READ,
    "Query.handlingUnits": Op.READ,
    "Query.categories": Op.PUBLIC,
    "Query.routeProposals": Op.READ,
    **mutation_permissions(OpinionsMutation),
}

PREFECTURE_HOST_ONLY = {"Query.opinions", "Query.suggestions", "Query.handlingUnits", "Query.routeProposals"}
