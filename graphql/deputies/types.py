"""Deputies: the roll (public profile; private fields masked without the personal-data
permission), stationing (进站), the yearly performance record and the points scheme."""
from __future__ import annotations

import graphene
from django.utils import timezone

from liaison.graphql.core import loaders
from liaison.graphql.core.enums import choice_label, enum_from
from liaison.graphql.core.fields import related_field
from liaison.graphql.core.personal import personal
from liaison.graphql.core.relay import ModelObjectType, Node, connection_for
from liaison.graphql.divisions.types import DivisionType
from liaison.tenants.deputies import models as dm
from liaison.tenants.deputies import selectors as deputy_selectors

POSITION = "liaison.graphql.positions.types.PositionType"

DeputyLevel = enum_from(dm.Level, "DeputyLevel", "代表级别 (level of the people's congress the deputy sits in).")
StationingBasis = enum_from(dm.StationingBasis, "StationingBasis", "进站依据 (why a deputy is stationed at a position).")
PointsMetric = enum_from(dm.Metric, "PointsMetric", "积分项目 (what the points scheme counts).")


class StationingType(ModelObjectType):
    model = dm.Stationing

    class Meta:
        name = "Stationing"
        interfaces = (Node,)
        description = "A deputy stationed at a position (进站) for a period."

    deputy = related_field(lambda: DeputyType, required=True)
    position = related_field(POSITION, required=True)
    basis = graphene.Field(StationingBasis, required=True)
    start_on = graphene.Date(required=True)
    end_on = graphene.Date()
    note = graphene.String(required=True)


class PerformanceType(graphene.ObjectType):
    class Meta:
        name = "PerformanceRecord"
        description = "A deputy's record (履职档案) for one year, derived from what was recorded."

    year = graphene.Int(required=True)
    duty_days = graphene.Int(required=True, description="Sign-ins at reception days.")
    receptions = graphene.Int(required=True, description='接待次数 (receptions the deputy took part in).')
    people_received = graphene.Int(required=True)
    opinions = graphene.Int(required=True, description="Opinions the deputy collected.")
    suggestions = graphene.Int(required=True, description="Deputy suggestions the deputy led.")
    suggestions_cosigned = graphene.Int(required=True, description='附议代表建议数 (deputy suggestions the deputy co-signed).')
    activities = graphene.JSONString(required=True, description="Sign-ins at other events, by kind.")
    points = graphene.Float(description="Total under this prefecture's points scheme; null when it has none.")

    def resolve_points(root, info):
        return float(root.points) if root.points is not None else None


class DeputyType(ModelObjectType):
    model = dm.Deputy

    class Meta:
        name = "Deputy"
        interfaces = (Node,)
        description = ("A deputy on this prefecture's roll, or a provincial/national deputy stationed here. "
                       "Phone, e-mail and ID number are masked without the personal-data permission.")

    roll_number = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Field(DeputyLevel, required=True)
    level_label = graphene.String(required=True)
    constituency = related_field(DivisionType)
    gender = graphene.String(required=True)
    ethnicity = graphene.String(required=True)
    occupation = graphene.String(required=True)
    bio = graphene.String(required=True)
    active = graphene.Boolean(required=True)
    on_roll = graphene.Boolean(required=True, description="False: a provincial/national deputy of another prefecture stationed here.")
    profile_url = graphene.String(required=True, description="The public profile the deputy QR code (代表码) points to.")
    phone = graphene.String(description="Private: masked without the personal-data permission.")
    email = graphene.String(description="Private: masked without the personal-data permission.")
    id_number = graphene.String(description="Private: masked without the personal-data permission.")
    stationings = graphene.List(graphene.NonNull(StationingType), required=True, description="Where the deputy is stationed today.")
    performance = graphene.Field(PerformanceType, required=True, year=graphene.Int(description="Default: this year."),
                                 description="履职档案 (the deputy's record for a year).")

    def resolve_level_label(root, info):
        return choice_label(dm.Level, root.level)

    def resolve_profile_url(root, info):
        return deputy_selectors.profile_url(root)

    def resolve_phone(root, info):
        return personal(info, root.phone, "phone")

    def resolve_email(root, info):
        return personal(info, root.email, "email")

    def resolve_id_number(root, info):
        return personal(info, root.id_number, "id_number")

    def resolve_stationings(root, info):
        return loaders.children(
            info, root, "deputy.stationings",
            lambda ids: deputy_selectors.current_stationings().filter(deputy_id__in=ids).order_by("deputy_id", "start_on", "id"),
            "deputy_id")

    def resolve_performance(root, info, year=None):
        year = year or timezone.localdate().year
        return loaders.value(info, root, f"deputy.performance.{year}",
                             lambda ids: deputy_selectors.performance_records(year, ids))


class PointsRuleType(graphene.ObjectType):
    class Meta:
        description = "积分规则 (points per unit of a metric in this prefecture's scheme)."
        name = "PointsRule"

    metric = graphene.Field(PointsMetric, required=True)
    points = graphene.Float(required=True)
    cap_per_year = graphene.Float()
    active = graphene.Boolean(required=True)

    def resolve_points(root, info):
        return float(root.points)

    def resolve_cap_per_year(root, info):
        return float(root.cap_per_year) if root.cap_per_year is not None else None


DeputyConnection = connection_for(DeputyType)
