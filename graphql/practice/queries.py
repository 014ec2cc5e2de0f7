"""Practice queries (this prefecture's host; Op.READ like the rest of its data)."""
from __future__ import annotations

import graphene
from django.utils import timezone

from liaison.graphql.core.fields import root_field
from liaison.graphql.core.relay import local_pk
from liaison.platform.accounts.principal import Op
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.positions.models import Position
from liaison.tenants.practice import models as pm
from liaison.tenants.practice.selectors import audits, cadence, claims, grids, notices
from liaison.tenants.practice.services import settings as practice_settings

from .types import (AbsenceFlagType, AttendanceNoticeType, AuditType, CampaignType, ClosingSuggestionType, DeputyCadenceType,
                    GridCoverageType, GridType, PracticeSettingsType, RequestType, YearCadenceType)


def _position(gid):
    if gid is None:
        return None
    return Position.objects.filter(pk=local_pk(gid, "Position") or -1).first() or Position(pk=-1)


class Query(graphene.ObjectType):
    practice_settings = root_field(Op.READ, graphene.Field(PracticeSettingsType, required=True), prefecture_only=True)
    deputies_behind_cadence = root_field(Op.READ, graphene.List(
        graphene.NonNull(DeputyCadenceType), required=True, position=graphene.ID(description="A station: its stationed deputies."),
        on=graphene.Date(description="Default today: each rule's last complete period before this day."),
        description="Deputies behind on 日在线、周驻室、月进站、常回家 (the station's, or the whole prefecture's)."), prefecture_only=True)
    deputy_cadence = root_field(Op.READ, graphene.List(
        graphene.NonNull(YearCadenceType), required=True, deputy=graphene.ID(required=True), year=graphene.Int(required=True),
        description="A deputy's cadence over a year, for the performance record."), prefecture_only=True)
    attendance_notices = root_field(Op.READ, graphene.List(graphene.NonNull(AttendanceNoticeType), required=True,
                                                           year=graphene.Int()), prefecture_only=True)
    absence_flags = root_field(Op.READ, graphene.List(graphene.NonNull(AbsenceFlagType), required=True, year=graphene.Int(required=True),
                                                      position=graphene.ID()), prefecture_only=True)
    audits = root_field(Op.READ, graphene.List(graphene.NonNull(AuditType), required=True), prefecture_only=True)
    closing_suggestions = root_field(Op.READ, graphene.List(graphene.NonNull(ClosingSuggestionType), required=True,
                                                            status=graphene.String()), prefecture_only=True)
    campaigns = root_field(Op.READ, graphene.List(graphene.NonNull(CampaignType), required=True), prefecture_only=True)
    practice_requests = root_field(Op.READ, graphene.List(graphene.NonNull(RequestType), required=True, status=graphene.String(),
                                                          position=graphene.ID()), prefecture_only=True)
    grids = root_field(Op.READ, graphene.List(graphene.NonNull(GridType), required=True), prefecture_only=True)
    grid_coverage = root_field(Op.READ, graphene.Field(GridCoverageType, required=True), prefecture_only=True)

    def resolve_practice_settings(root, info):
        return practice_settings.current()

    def resolve_deputies_behind_cadence(root, info, position=None, on=None):
        return cadence.behind_cadence(_position(position), on or timezone.localdate())

    def resolve_deputy_cadence(root, info, deputy, year):
        d = Deputy.objects.filter(pk=local_pk(deputy, "Deputy") or -1).first()
        return cadence.year_record(d, year) if d else []

    def resolve_attendance_notices(root, info, year=None):
        return list(notices.notices(year))

    def resolve_absence_flags(root, info, year, position=None):
        return notices.absence_flags(year, _position(position))

    def resolve_audits(root, info):
        return list(audits.audits())

    def resolve_closing_suggestions(root, info, status=None):
        qs = pm.ClosingSuggestion.objects.select_related("suggestion")
        return list(qs.filter(status=status) if status else qs)

    def resolve_campaigns(root, info):
        return list(pm.Campaign.objects.all())

    def resolve_practice_requests(root, info, status=None, position=None):
        return list(claims.requests(status, _position(position)))

    def resolve_grids(root, info):
        return list(grids.grids())

    def resolve_grid_coverage(root, info):
        c = grids.coverage()
        return GridCoverageType(grids=c["grids"], with_deputy=c["with_deputy"], rate=c["rate"])
