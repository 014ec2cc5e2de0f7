"""The opinion loop's types: opinions with referrals, replies, evaluations and
transitions; handling units; deputy suggestions; route proposals.

Personal data (citizen name and phone, the tracking code — it lets its holder rate as
the citizen) is masked without the personal-data permission.
"""
from __future__ import annotations

import graphene
from django.db.models import F

from liaison.graphql.core import loaders
from liaison.graphql.core.enums import choice_label, enum_from, enum_value
from liaison.graphql.core.fields import related_field
from liaison.graphql.core.personal import free_text, personal
from liaison.graphql.core.relay import ModelObjectType, Node, connection_for
from liaison.graphql.deputies.types import DeputyType
from liaison.graphql.divisions.types import DivisionType
from liaison.graphql.positions.types import PositionType
from liaison.platform.province.models import Category
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.opinions import models as om
from liaison.tenants.opinions import workflow
from liaison.tenants.opinions import selectors as opinion_selectors

OpinionChannel = enum_from(om.Channel, "OpinionChannel", "意见来源渠道 (how the opinion came in).")
OpinionStatus = enum_from(om.Status, "OpinionStatus", "意见办理状态 (where the opinion is in the loop 登记必复).")
JurisdictionLevel = enum_from(om.JurisdictionLevel, "JurisdictionLevel", "事权层级 (the level whose matter an opinion is).")
Outcome = enum_from(om.Outcome, "Outcome", "办理结果 (outcome): A solved, B being solved, C planned, D kept for reference / explained.")
Satisfaction = enum_from(om.Satisfaction, "Satisfaction", "满意度 (a rating of a reply or an answer).")
ReplyKind = enum_from(om.ReplyKind, "ReplyKind", "答复类型 (an answer with an outcome, or an explanation 依法疏导).")
UnitLevel = enum_from(om.UnitLevel, "UnitLevel", "层级 (level of a handling unit or a deputy suggestion).")
UnitKind = enum_from(om.UnitKind, "UnitKind", "单位类型 (kind of handling unit).")
SuggestionStatus = enum_from(om.SuggestionStatus, "SuggestionStatus", "代表建议办理状态 (where a deputy suggestion is).")
Rater = enum_from(om.Rater, "Rater", "评价人 (who rated a reply).")
ActorKind = enum_from(om.Transition.ActorKind, "ActorKind", "操作人类型 (who took a step).")
TransitionAction = graphene.Enum(
    "TransitionAction", [(code.upper(), code) for code in workflow.ACTIONS],
    description=lambda value: (str(workflow.ACTIONS[value.value].label) if value is not None
                               else "办理步骤 (a step of the opinion loop's rulebook, tenants/opinions/workflow.py)."))
ReferralState = enum_from(om.Referral.State, "ReferralState", "交办状态 (state of one referral).")



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
    division = related_field(DivisionType, required=True)
    supervises = graphene.Boolean(required=True)
    active = graphene.Boolean(required=True)


class EvaluationType(graphene.ObjectType):
    class Meta:
        description = '评价 (a rating of a reply by the citizen or the deputy).'
        name = "Evaluation"

    rater = graphene.Field(Rater, required=True)
    satisfaction = graphene.Field(Satisfaction, required=True)
    comment = graphene.String(required=True)
    rated_at = graphene.DateTime(required=True)


class ReplyType(ModelObjectType):
    """答复 (a reply to an opinion: an answer with an outcome, or an explanation)."""

    model = om.Reply

    class Meta:
        name = "Reply"
        interfaces = (Node,)

    round = graphene.Int(required=True)
    kind = graphene.Field(ReplyKind, required=True)
    content = graphene.String(required=True)
    outcome = graphene.Field(Outcome, required=True)
    outcome_label = graphene.String(required=True)
    unit = related_field(HandlingUnitType)
    replied_at = graphene.DateTime(required=True)
    replied_by = graphene.String(required=True)
    due_on = graphene.Date()
    on_time = graphene.Boolean(description="Replied by the deadline that ran then (null: no deadline).")
    delivered_to_citizen_at = graphene.DateTime()
    delivered_to_deputy_at = graphene.DateTime()
    evaluations = graphene.List(graphene.NonNull(EvaluationType), required=True, description='评价 (ratings of this reply).')

    def resolve_outcome_label(root, info):
        return choice_label(om.Outcome, root.outcome)

    def resolve_content(root, info):
        return free_text(info, root.content)

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
    unit = related_field(HandlingUnitType)
    to_prefecture = graphene.String(description="Slug of the prefecture it was referred to (转办), if any.")
    state = graphene.Field(ReferralState, required=True)
    referred_at = graphene.DateTime(required=True)
    due_on = graphene.Date(required=True)
    original_due_on = graphene.Date(required=True)
    extended_at = graphene.DateTime()
    extension_approved_by = graphene.String(required=True)
    note = graphene.String(required=True)

    def resolve_to_prefecture(root, info):
        return root.to_schema or None

    def resolve_note(root, info):
        return free_text(info, root.note)


class TransitionType(graphene.ObjectType):
    class Meta:
        name = "Transition"
        description = "One step in the life of an opinion or suggestion (归档留痕)."

    action = graphene.Field(TransitionAction, required=True, description="办理步骤 (the step, from the rulebook).")
    action_label = graphene.String(required=True, description="办理步骤名称 (the step's Chinese label, for display).")
    from_status = graphene.String(description="原状态 (status before: an OpinionStatus or SuggestionStatus value, "
                                              "lower-case; null for a new record).")
    to_status = graphene.String(description="新状态 (status after: an OpinionStatus or SuggestionStatus value, "
                                            "lower-case).")
    actor_kind = graphene.Field(ActorKind, required=True, description="操作人类型 (who acted).")
    actor_label = graphene.String(required=True)
    note = graphene.String(required=True)
    data = graphene.JSONString(required=True)
    at = graphene.DateTime(required=True)

    def resolve_note(root, info):
        return free_text(info, root.note)

    def resolve_action_label(root, info):
        return workflow.label(root.action)

    def resolve_from_status(root, info):
        return root.from_status or None

    def resolve_to_status(root, info):
        return root.to_status or None


class AttachmentType(graphene.ObjectType):
    class Meta:
        description = '附件 (a file or link attached to an opinion).'
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
    category = related_field(CategoryType)
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
    position = related_field(PositionType)
    division = related_field(DivisionType, required=True)
    deputy = related_field(DeputyType, description="The deputy who collected it.")
    handling_unit = related_field(HandlingUnitType)
    duplicate_of = related_field(lambda: OpinionType)
    suggestion = related_field(lambda: SuggestionType)
    referrals = graphene.List(graphene.NonNull(ReferralType), required=True, description='交办记录 (referrals, oldest first).')
    replies = graphene.List(graphene.NonNull(ReplyType), required=True, description='答复 (replies, oldest first).')
    transitions = graphene.List(graphene.NonNull(TransitionType), required=True,
                                description='办理过程 (every step, oldest first: 归档留痕).')
    attachments = graphene.List(graphene.NonNull(AttachmentType), required=True, description='附件 (attachments).')

    def resolve_tracking_code(root, info):
        return personal(info, root.tracking_code, "id_number")

    def resolve_title(root, info):
        return free_text(info, root.title, [root.citizen_name], [root.citizen_phone])

    def resolve_content(root, info):
        return free_text(info, root.content, [root.citizen_name], [root.citizen_phone])

    def resolve_channel_label(root, info):
        return choice_label(om.Channel, root.channel)

    def resolve_citizen_name(root, info):
        return personal(info, root.citizen_name, "name") or ""

    def resolve_citizen_phone(root, info):
        return personal(info, root.citizen_phone, "phone") or ""

    def resolve_jurisdiction_level(root, info):
        return enum_value(root.jurisdiction_level)

    def resolve_status_label(root, info):
        return choice_label(om.Status, root.status)

    def resolve_overdue(root, info):
        return opinion_selectors.is_overdue(root)

    def resolve_received_from(root, info):
        return root.origin_schema or None

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
    lead_deputy = related_field(DeputyType, required=True)
    co_signers = graphene.List(graphene.NonNull(DeputyType), required=True)
    lead_unit = related_field(HandlingUnitType)
    co_units = graphene.List(graphene.NonNull(HandlingUnitType), required=True)
    opinions = graphene.List(graphene.NonNull(OpinionType), required=True)
    transitions = graphene.List(graphene.NonNull(TransitionType), required=True,
                                description='办理过程 (every step, oldest first).')

    def resolve_status_label(root, info):
        return choice_label(om.SuggestionStatus, root.status)

    def resolve_outcome(root, info):
        return enum_value(root.outcome)

    def resolve_deputy_satisfaction(root, info):
        return enum_value(root.deputy_satisfaction)

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
