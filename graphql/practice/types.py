"""Practice objects. Codes come with their Chinese labels (`status` + `statusLabel`)."""
from __future__ import annotations

import graphene

from liaison.graphql.core.fields import related_field
from liaison.graphql.core.personal import free_text
from liaison.graphql.core.relay import ModelObjectType, Node
from liaison.graphql.deputies.types import DeputyType
from liaison.graphql.positions.types import PositionType
from liaison.tenants.practice import models as pm


def _label(field: str):
    return graphene.String(required=True, resolver=lambda root, info: str(getattr(root, f"get_{field}_display")()))


def _text(field: str, **kwargs):
    """Free text typed by the office: phones, names and ID numbers in it are masked for
    readers without the personal-data scope (core.personal.free_text)."""
    return graphene.String(resolver=lambda root, info: free_text(info, getattr(root, field)), **kwargs)


class PracticeSettingsType(graphene.ObjectType):
    class Meta:
        name = "PracticeSettings"
        description = "This prefecture's settings of the practices (cadence periods and thresholds, cut-off day, escalation time)."

    online_period = graphene.String(required=True)
    online_threshold = graphene.Int(required=True)
    office_period = graphene.String(required=True)
    office_threshold = graphene.Int(required=True)
    station_period = graphene.String(required=True)
    station_threshold = graphene.Int(required=True)
    home_period = graphene.String(required=True)
    home_threshold = graphene.Int(required=True)
    absence_threshold = graphene.Int(required=True)
    review_cutoff_day = graphene.Int(required=True)
    claim_escalation_hours = graphene.Int(required=True)


class CadenceRuleType(graphene.ObjectType):
    class Meta:
        name = "CadenceRule"
        description = "One rule of 日在线、周驻室、月进站、常回家 in its last complete period."

    rule = graphene.String(required=True, description="online, office, station or home.")
    label = graphene.String(required=True)
    period = graphene.String(required=True)
    threshold = graphene.Int(required=True)
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    days = graphene.Int(required=True, description="Days with a qualifying act in the period.")
    met = graphene.Boolean(required=True)


class DeputyCadenceType(graphene.ObjectType):
    class Meta:
        name = "DeputyCadence"

    deputy = graphene.Field(DeputyType, required=True)
    rules = graphene.List(graphene.NonNull(CadenceRuleType), required=True)
    behind = graphene.List(graphene.NonNull(graphene.String), required=True, description="Rules not kept.")

    def resolve_rules(root, info):
        return list(root.rules.values())

    def resolve_behind(root, info):
        return [r.rule for r in root.behind]


class YearCadenceType(graphene.ObjectType):
    class Meta:
        name = "YearCadence"
        description = "For the performance record: complete periods of the year and those in which the rule was kept."

    rule = graphene.String(required=True)
    label = graphene.String(required=True)
    periods = graphene.Int(required=True)
    periods_met = graphene.Int(required=True)


class AttendanceNoticeType(ModelObjectType):
    model = pm.AttendanceNotice

    class Meta:
        name = "AttendanceNotice"
        interfaces = (Node,)

    year = graphene.Int(required=True)
    deputy = related_field(DeputyType, required=True)
    position = related_field(PositionType, required=True)
    filename = graphene.String(required=True)
    scheduled = graphene.Int(required=True)
    attended = graphene.Int(required=True)
    queued = graphene.Boolean(required=True, description="Queued in the notification outbox.")
    created_at = graphene.DateTime(required=True)

    def resolve_queued(root, info):
        return root.notification_id is not None


class TalkType(ModelObjectType):
    model = pm.Talk

    class Meta:
        name = "Talk"
        interfaces = (Node,)

    deputy = related_field(DeputyType, required=True)
    held_on = graphene.Date(required=True)
    note = _text("note", required=True)


class ResignationEventType(graphene.ObjectType):
    class Meta:
        name = "ResignationEvent"

    status = graphene.String(required=True)
    status_label = _label("status")
    note = _text("note", required=True)
    at = graphene.DateTime(required=True)


class ResignationAdviceType(ModelObjectType):
    model = pm.ResignationAdvice

    class Meta:
        name = "ResignationAdvice"
        interfaces = (Node,)

    deputy = related_field(DeputyType, required=True)
    advised_on = graphene.Date(required=True)
    reason = _text("reason", required=True)
    status = graphene.String(required=True)
    status_label = _label("status")
    history = graphene.List(graphene.NonNull(ResignationEventType), required=True)

    def resolve_history(root, info):
        return list(root.history.all())


class AbsenceFlagType(graphene.ObjectType):
    class Meta:
        name = "AbsenceFlag"

    deputy = graphene.Field(DeputyType, required=True)
    scheduled = graphene.Int(required=True)
    attended = graphene.Int(required=True)
    absent = graphene.Int(required=True)
    talks = graphene.List(graphene.NonNull(TalkType), required=True)
    advice = graphene.List(graphene.NonNull(ResignationAdviceType), required=True)

    def resolve_scheduled(root, info):
        return root.attendance.scheduled

    def resolve_attended(root, info):
        return root.attendance.attended

    def resolve_absent(root, info):
        return root.attendance.absent


class AuditItemType(ModelObjectType):
    model = pm.AuditItem

    class Meta:
        name = "AuditItem"
        interfaces = (Node,)
        description = "One sampled record: the kind and id of the record, never the citizens concerned."

    kind = graphene.String(required=True)
    kind_label = _label("kind")
    record_id = graphene.Int(required=True)
    deputy = related_field(DeputyType, required=True)
    record_date = graphene.Date(required=True)
    result = graphene.String(required=True, description="pending (待核实), true (真实), false (不实).")
    result_label = _label("result")
    note = _text("note", required=True)


class AuditType(ModelObjectType):
    model = pm.Audit

    class Meta:
        name = "Audit"
        interfaces = (Node,)

    title = graphene.String(required=True)
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    seed = graphene.String(required=True, description="The recorded random seed (a string: it may exceed 32 bits).")
    sample_size = graphene.Int(required=True)
    population_size = graphene.Int(required=True)
    drawn_at = graphene.DateTime(required=True)
    published_at = graphene.DateTime()
    items = graphene.List(graphene.NonNull(AuditItemType), required=True)

    def resolve_seed(root, info):
        return str(root.seed)

    def resolve_items(root, info):
        return list(root.items.order_by("id"))


class ReviewDecisionType(graphene.ObjectType):
    class Meta:
        name = "ReviewDecision"

    stage = graphene.String(required=True)
    stage_label = _label("stage")
    decision = graphene.String(required=True)
    decision_label = _label("decision")
    note = _text("note", required=True)
    decided_at = graphene.DateTime(required=True)


class ClosingSuggestionType(ModelObjectType):
    model = pm.ClosingSuggestion

    class Meta:
        name = "ClosingSuggestion"
        interfaces = (Node,)
        description = "A closing-period deputy suggestion (闭会期间代表建议) under review."

    title = _text("title", required=True)
    content = _text("content", required=True)
    lead_deputy = related_field(DeputyType, required=True)
    submitted_at = graphene.DateTime(required=True)
    review_month = graphene.Date(required=True)
    urgency = graphene.Int()
    breadth = graphene.Int()
    importance = graphene.Int()
    score = graphene.Int()
    status = graphene.String(required=True)
    status_label = _label("status")
    stage = graphene.String(required=True, description="The next stage to decide.")
    stage_label = _label("stage")
    returned_reason = _text("returned_reason", required=True)
    suggestion_number = graphene.String(description="The deputy suggestion it was assigned as.")
    decisions = graphene.List(graphene.NonNull(ReviewDecisionType), required=True)

    def resolve_suggestion_number(root, info):
        return root.suggestion.number if root.suggestion_id else None

    def resolve_decisions(root, info):
        return list(root.decisions.all())


class CommitmentType(ModelObjectType):
    model = pm.Commitment

    class Meta:
        name = "Commitment"
        interfaces = (Node,)

    content = _text("content", required=True)
    due_on = graphene.Date()
    status = graphene.String(required=True)
    status_label = _label("status")
    evidence = _text("evidence", required=True)
    fulfilled_on = graphene.Date()


class ParticipantType(ModelObjectType):
    model = pm.Participant

    class Meta:
        name = "CampaignParticipant"
        interfaces = (Node,)

    deputy = related_field(DeputyType, required=True)
    group = graphene.String(required=True)
    outstanding = graphene.Boolean(required=True)
    showcases = graphene.List(graphene.NonNull(graphene.String), required=True, description="Showcase titles.")
    commitments = graphene.List(graphene.NonNull(CommitmentType), required=True)

    def resolve_group(root, info):
        return root.group.name

    def resolve_showcases(root, info):
        return [s.title for s in root.showcases.all()]

    def resolve_commitments(root, info):
        return list(root.commitments.all())


class CampaignType(ModelObjectType):
    model = pm.Campaign

    class Meta:
        name = "Campaign"
        interfaces = (Node,)

    year = graphene.Int(required=True)
    theme = graphene.String(required=True)
    phase = graphene.String(required=True)
    phase_label = _label("phase")
    groups = graphene.List(graphene.NonNull(graphene.String), required=True)
    participants = graphene.List(graphene.NonNull(ParticipantType), required=True)

    def resolve_groups(root, info):
        return [g.name for g in root.groups.all()]

    def resolve_participants(root, info):
        return list(root.participants.select_related("group"))


class RequestType(ModelObjectType):
    model = pm.Request

    class Meta:
        name = "PracticeRequest"
        interfaces = (Node,)
        description = "群众点单: public text only (no citizen's personal data)."

    title = _text("title", required=True)
    summary = _text("summary", required=True)
    position = related_field(PositionType, required=True)
    status = graphene.String(required=True)
    status_label = _label("status")
    published_at = graphene.DateTime(required=True)
    deputy = related_field(DeputyType)
    claimed_at = graphene.DateTime()
    unit_name = graphene.String()
    unit_claimed_at = graphene.DateTime()
    escalated_at = graphene.DateTime()
    hours_to_claim = graphene.Float()

    def resolve_unit_name(root, info):
        return root.unit.name if root.unit_id else None

    def resolve_hours_to_claim(root, info):
        return round((root.claimed_at - root.published_at).total_seconds() / 3600, 2) if root.claimed_at else None


class GridType(ModelObjectType):
    model = pm.Grid

    class Meta:
        name = "Grid"
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    division_name = graphene.String(required=True)
    deputies = graphene.List(graphene.NonNull(DeputyType), required=True)

    def resolve_division_name(root, info):
        return root.division.name

    def resolve_deputies(root, info):
        return list(root.deputies.all())


class GridCoverageType(graphene.ObjectType):
    class Meta:
        name = "GridCoverage"

    grids = graphene.Int(required=True)
    with_deputy = graphene.Int(required=True)
    rate = graphene.Float()
