"""Practice mutations: thin adapters over liaison.tenants.practice.services. The office's
acts need MANAGE (prefecture administrators); 点单 acts need HANDLE, or ATTEND for a
deputy's own claim — and the services refuse staff of another station and a deputy acting
for someone else (platform/accounts/acting)."""
from __future__ import annotations

import graphene

from liaison.graphql.core import permissions
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.core.relay import pk_of
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.practice import models as pm
from liaison.tenants.practice.services import audits, campaigns, claims, grids, notices, review
from liaison.tenants.practice.services import settings as practice_settings

from .types import (AttendanceNoticeType, AuditItemType, AuditType, CampaignType, ClosingSuggestionType, CommitmentType, GridType,
                    PracticeSettingsType, RequestType, ResignationAdviceType, TalkType)


def _actor(info) -> str:
    return permissions.principal(info).label


class UpdatePracticeSettings(ServiceMutation):
    op = Op.MANAGE
    settings = graphene.Field(PracticeSettingsType)

    class Input:
        online_period = graphene.String()
        online_threshold = graphene.Int()
        office_period = graphene.String()
        office_threshold = graphene.Int()
        station_period = graphene.String()
        station_threshold = graphene.Int()
        home_period = graphene.String()
        home_threshold = graphene.Int()
        absence_threshold = graphene.Int()
        review_cutoff_day = graphene.Int()
        claim_escalation_hours = graphene.Int()

    @classmethod
    def perform(cls, root, info, client_mutation_id=None, **data):
        return {"settings": practice_settings.update(**{k: v for k, v in data.items() if v is not None})}


class GenerateYearEndNotices(ServiceMutation):
    """Generate (and queue in the outbox) the year's attendance notices not yet sent."""

    op = Op.MANAGE
    notices = graphene.List(graphene.NonNull(AttendanceNoticeType))

    class Input:
        year = graphene.Int(required=True)
        position = graphene.ID()

    @classmethod
    def perform(cls, root, info, year, position=None, **_):
        return {"notices": notices.generate_year_end_notices(year, pk_of(position, "Position", "position"))}


class RecordTalk(ServiceMutation):
    op = Op.MANAGE
    talk = graphene.Field(TalkType)

    class Input:
        deputy = graphene.ID(required=True)
        held_on = graphene.Date(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, deputy, held_on, note, **_):
        return {"talk": notices.record_talk(pk_of(deputy, "Deputy", "deputy"), held_on=held_on, note=note, actor=_actor(info))}


class AdviseResignation(ServiceMutation):
    op = Op.MANAGE
    advice = graphene.Field(ResignationAdviceType)

    class Input:
        deputy = graphene.ID(required=True)
        advised_on = graphene.Date(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, deputy, advised_on, reason, **_):
        return {"advice": notices.advise_resignation(pk_of(deputy, "Deputy", "deputy"), advised_on=advised_on, reason=reason,
                                                     actor=_actor(info))}


class DrawAudit(ServiceMutation):
    """随机抽查: a seeded sample of deputies' contact and reception records of a period."""

    op = Op.MANAGE
    audit = graphene.Field(AuditType)

    class Input:
        title = graphene.String(required=True)
        period_start = graphene.Date(required=True)
        period_end = graphene.Date(required=True)
        sample_size = graphene.Int(required=True)
        seed = graphene.String(description="An integer; chosen and recorded when omitted.")

    @classmethod
    def perform(cls, root, info, title, period_start, period_end, sample_size, seed=None, **_):
        if seed is not None and not seed.isdigit():
            raise ServiceError.single("seed", "随机种子须为非负整数", "invalid")
        return {"audit": audits.draw_audit(title=title, period_start=period_start, period_end=period_end, sample_size=sample_size,
                                           seed=int(seed) if seed is not None else None, actor=_actor(info))}


class RecordAuditCheck(ServiceMutation):
    op = Op.MANAGE
    item = graphene.Field(AuditItemType)

    class Input:
        item = graphene.ID(required=True)
        result = graphene.String(required=True, description="true (真实), false (不实) or pending (待核实).")
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, item, result, note="", **_):
        return {"item": audits.record_check(pk_of(item, "AuditItem", "item"), result=result, note=note or "", actor=_actor(info))}


class PublishAudit(ServiceMutation):
    op = Op.MANAGE
    audit = graphene.Field(AuditType)

    class Input:
        audit = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, audit, **_):
        return {"audit": audits.publish_audit(pk_of(audit, "Audit", "audit"))}


class SubmitClosingSuggestion(ServiceMutation):
    op = Op.MANAGE
    closing_suggestion = graphene.Field(ClosingSuggestionType)

    class Input:
        title = graphene.String(required=True)
        content = graphene.String(required=True)
        township = graphene.ID(required=True)
        lead_deputy = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, title, content, township, lead_deputy, **_):
        return {"closing_suggestion": review.submit(title=title, content=content, township=pk_of(township, "Division", "township"),
                                                    lead_deputy=pk_of(lead_deputy, "Deputy", "lead_deputy"))}


class ScoreClosingSuggestion(ServiceMutation):
    op = Op.MANAGE
    closing_suggestion = graphene.Field(ClosingSuggestionType)

    class Input:
        id = graphene.ID(required=True)
        urgency = graphene.Int(required=True)
        breadth = graphene.Int(required=True)
        importance = graphene.Int(required=True)

    @classmethod
    def perform(cls, root, info, id, urgency, breadth, importance, **_):  # noqa: A002
        return {"closing_suggestion": review.score(pk_of(id, "ClosingSuggestion", "item"), urgency=urgency, breadth=breadth,
                                                   importance=importance)}


class DecideClosingSuggestion(ServiceMutation):
    """One review stage's decision, in order: initial → committee → council."""

    op = Op.MANAGE
    closing_suggestion = graphene.Field(ClosingSuggestionType)

    class Input:
        id = graphene.ID(required=True)
        stage = graphene.String(required=True, description="initial, committee or council.")
        decision = graphene.String(required=True, description="approve or reject (reject needs a note).")
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, stage, decision, note="", **_):  # noqa: A002
        return {"closing_suggestion": review.decide(pk_of(id, "ClosingSuggestion", "item"), stage=stage, decision=decision,
                                                    note=note or "", actor=_actor(info))}


class AssignClosingSuggestion(ServiceMutation):
    op = Op.MANAGE
    closing_suggestion = graphene.Field(ClosingSuggestionType)

    class Input:
        id = graphene.ID(required=True)
        lead_unit = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, id, lead_unit, **_):  # noqa: A002
        return {"closing_suggestion": review.assign(pk_of(id, "ClosingSuggestion", "item"),
                                                    lead_unit=pk_of(lead_unit, "HandlingUnit", "lead_unit"))}


class CreateCampaign(ServiceMutation):
    op = Op.MANAGE
    campaign = graphene.Field(CampaignType)

    class Input:
        year = graphene.Int(required=True)
        theme = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, year, theme, **_):
        return {"campaign": campaigns.create_campaign(year=year, theme=theme)}


class AdvanceCampaignPhase(ServiceMutation):
    op = Op.MANAGE
    campaign = graphene.Field(CampaignType)

    class Input:
        id = graphene.ID(required=True)
        phase = graphene.String(required=True, description="The next phase: group_showcase, evaluation, showcase, commitment.")

    @classmethod
    def perform(cls, root, info, id, phase, **_):  # noqa: A002
        return {"campaign": campaigns.advance_phase(pk_of(id, "Campaign", "campaign"), phase=phase)}


class MakeCommitment(ServiceMutation):
    op = Op.MANAGE
    commitment = graphene.Field(CommitmentType)

    class Input:
        campaign = graphene.ID()
        participant = graphene.ID(required=True)
        content = graphene.String(required=True)
        due_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, participant, content, campaign=None, due_on=None, **_):
        return {"commitment": campaigns.make_commitment(campaign=pk_of(campaign, "Campaign", "campaign"),
                                                        participant=pk_of(participant, "CampaignParticipant", "participant"),
                                                        content=content, due_on=due_on)}


class FulfilCommitment(ServiceMutation):
    op = Op.MANAGE
    commitment = graphene.Field(CommitmentType)

    class Input:
        id = graphene.ID(required=True)
        evidence = graphene.String(required=True)
        fulfilled_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, id, evidence, fulfilled_on=None, **_):  # noqa: A002
        return {"commitment": campaigns.fulfil_commitment(pk_of(id, "Commitment", "commitment"), evidence=evidence,
                                                          fulfilled_on=fulfilled_on)}


class PublishRequest(ServiceMutation):
    """群众点单: publish a request (no personal data) to the deputies stationed in the area."""

    op = Op.HANDLE
    request = graphene.Field(RequestType)

    class Input:
        position = graphene.ID(required=True)
        title = graphene.String(required=True)
        summary = graphene.String(required=True)
        opinion = graphene.ID()

    @classmethod
    def perform(cls, root, info, position, title, summary, opinion=None, **_):
        return {"request": claims.publish(position=pk_of(position, "Position", "position"), title=title, summary=summary,
                                          opinion=pk_of(opinion, "Opinion", "opinion"))}


class ClaimRequest(ServiceMutation):
    """代表接单 (the deputy themselves, or staff of the request's station for them)."""

    op = Op.ATTEND
    request = graphene.Field(RequestType)

    class Input:
        request = graphene.ID(required=True)
        deputy = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, request, deputy, **_):
        return {"request": claims.claim(pk_of(request, "PracticeRequest", "request"), deputy=pk_of(deputy, "Deputy", "deputy"))}


class ReleaseRequest(ServiceMutation):
    op = Op.ATTEND
    request = graphene.Field(RequestType)

    class Input:
        request = graphene.ID(required=True)
        deputy = graphene.ID(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, request, deputy, note="", **_):
        return {"request": claims.release(pk_of(request, "PracticeRequest", "request"), deputy=pk_of(deputy, "Deputy", "deputy"),
                                          note=note or "")}


class UnitClaimRequest(ServiceMutation):
    """部门领单, recorded by staff of the request's station."""

    op = Op.HANDLE
    request = graphene.Field(RequestType)

    class Input:
        request = graphene.ID(required=True)
        unit = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, request, unit, **_):
        return {"request": claims.unit_claim(pk_of(request, "PracticeRequest", "request"), unit=pk_of(unit, "HandlingUnit", "unit"))}


class CreateGrid(ServiceMutation):
    op = Op.MANAGE
    grid = graphene.Field(GridType)

    class Input:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        division = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, code, name, division, **_):
        return {"grid": grids.create_grid(code=code, name=name, division=pk_of(division, "Division", "division"))}


class AssignGridDeputy(ServiceMutation):
    op = Op.MANAGE
    grid = graphene.Field(GridType)

    class Input:
        grid = graphene.ID(required=True)
        deputy = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, grid, deputy, **_):
        row = grids.assign_deputy(pk_of(grid, "Grid", "grid"), deputy=pk_of(deputy, "Deputy", "deputy"))
        return {"grid": row.grid}


class SetOpinionGrid(ServiceMutation):
    """代表+网格: the grid an opinion's matter lies in (omit `grid` to clear), by whoever may
    handle opinions at the opinion's position."""

    op = Op.HANDLE
    grid = graphene.Field(GridType)

    class Input:
        opinion = graphene.ID(required=True)
        grid = graphene.ID()

    @classmethod
    def perform(cls, root, info, opinion, grid=None, **_):
        grid_id = pk_of(grid, "Grid", "grid")
        grids.set_opinion_grid(pk_of(opinion, "Opinion", "opinion"), grid_id)
        return {"grid": pm.Grid.objects.filter(pk=grid_id).first() if grid_id else None}


class Mutation(graphene.ObjectType):
    update_practice_settings = UpdatePracticeSettings.Field()
    generate_year_end_notices = GenerateYearEndNotices.Field()
    record_talk = RecordTalk.Field()
    advise_resignation = AdviseResignation.Field()
    draw_audit = DrawAudit.Field()
    record_audit_check = RecordAuditCheck.Field()
    publish_audit = PublishAudit.Field()
    submit_closing_suggestion = SubmitClosingSuggestion.Field()
    score_closing_suggestion = ScoreClosingSuggestion.Field()
    decide_closing_suggestion = DecideClosingSuggestion.Field()
    assign_closing_suggestion = AssignClosingSuggestion.Field()
    create_campaign = CreateCampaign.Field()
    advance_campaign_phase = AdvanceCampaignPhase.Field()
    make_commitment = MakeCommitment.Field()
    fulfil_commitment = FulfilCommitment.Field()
    publish_request = PublishRequest.Field()
    claim_request = ClaimRequest.Field()
    release_request = ReleaseRequest.Field()
    unit_claim_request = UnitClaimRequest.Field()
    create_grid = CreateGrid.Field()
    assign_grid_deputy = AssignGridDeputy.Field()
    set_opinion_grid = SetOpinionGrid.Field()
