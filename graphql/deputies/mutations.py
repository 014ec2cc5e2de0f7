"""Deputy mutations: the roll, stationing (进站), the province roster, the points scheme."""
from __future__ import annotations

import graphene

from liaison.graphql.core.enums import plain
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.core.relay import pk_of
from liaison.graphql.deputies.types import DeputyLevel, DeputyType, PointsMetric, PointsRuleType, StationingBasis, StationingType
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.deputies import models as dm
from liaison.tenants.deputies import services as deputy_services


class DeputyFields:
    roll_number = graphene.String()
    name = graphene.String()
    level = DeputyLevel()
    constituency = graphene.ID()
    gender = graphene.String()
    ethnicity = graphene.String()
    occupation = graphene.String()
    phone = graphene.String()
    id_number = graphene.String()
    email = graphene.String()
    bio = graphene.String()
    active = graphene.Boolean()


def _deputy_data(inp: dict) -> dict:
    data = {}
    for name in ("roll_number", "name", "gender", "ethnicity", "occupation", "phone", "id_number", "email", "bio", "active"):
        if name in inp:
            data[name] = inp[name] if inp[name] is not None or name == "active" else ""
    if "level" in inp:
        data["level"] = plain(inp["level"])
    if "constituency" in inp:
        data["constituency"] = pk_of(inp["constituency"], "Division", "constituency")
    return data


class CreateDeputy(ServiceMutation):
    """Put a deputy on this prefecture's roll."""

    op = Op.MANAGE
    deputy = graphene.Field(DeputyType)

    class Input(DeputyFields):
        pass

    @classmethod
    def perform(cls, root, info, **inp):
        return {"deputy": deputy_services.create_deputy(**_deputy_data(inp))}


class UpdateDeputy(ServiceMutation):
    """Edit a deputy on this prefecture's roll (only the fields given change)."""

    op = Op.MANAGE
    deputy = graphene.Field(DeputyType)

    class Input(DeputyFields):
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, root, info, id, **inp):  # noqa: A002
        return {"deputy": deputy_services.update_deputy(pk_of(id, "Deputy", "id"), **_deputy_data(inp))}


class StationDeputy(ServiceMutation):
    """Station a deputy at a position (进站), by area or by field."""

    op = Op.MANAGE
    stationing = graphene.Field(StationingType)

    class Input:
        deputy = graphene.ID(required=True)
        position = graphene.ID(required=True)
        start_on = graphene.Date()
        end_on = graphene.Date()
        basis = StationingBasis()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, deputy, position, start_on=None, end_on=None, basis=None, note="", **_):
        stationing = deputy_services.station_deputy(
            pk_of(deputy, "Deputy", "deputy"), pk_of(position, "Position", "position"), start_on=start_on, end_on=end_on,
            basis=plain(basis) or dm.StationingBasis.AREA, note=note or "")
        return {"stationing": stationing}


class EndStationing(ServiceMutation):
    """End a deputy's stationing at a position (default: today)."""

    op = Op.MANAGE
    stationing = graphene.Field(StationingType)

    class Input:
        id = graphene.ID(required=True)
        end_on = graphene.Date()

    @classmethod
    def perform(cls, root, info, id, end_on=None, **_):  # noqa: A002
        return {"stationing": deputy_services.end_stationing(pk_of(id, "Stationing", "id"), end_on=end_on)}


class BringInProvinceDeputy(ServiceMutation):
    """Bring a provincial or national deputy of the province-wide roster into this
    prefecture (a local record, to station them here); returns the existing one if any."""

    op = Op.MANAGE
    deputy = graphene.Field(DeputyType)

    class Input:
        roster_code = graphene.String(required=True, description="The deputy's province-wide roster code.")

    error_fields = {"identity": "rosterCode"}

    @classmethod
    def perform(cls, root, info, roster_code, **_):
        from liaison.platform.roster.models import ProvinceDeputy

        identity = ProvinceDeputy.objects.filter(code=roster_code.strip()).values_list("pk", flat=True).first()
        if identity is None:
            raise ServiceError.single("identity", f"全省名册中没有编号为 {roster_code} 的代表", "not_found")
        return {"deputy": deputy_services.bring_in_province_deputy(identity)}


class SetPointsRule(ServiceMutation):
    """This prefecture's points scheme for the performance record (积分制): points per unit of a metric."""

    op = Op.MANAGE
    rule = graphene.Field(PointsRuleType)

    class Input:
        metric = PointsMetric(required=True)
        points = graphene.Float(required=True)
        cap_per_year = graphene.Float()
        active = graphene.Boolean()

    @classmethod
    def perform(cls, root, info, metric, points, cap_per_year=None, active=True, **_):
        rule = deputy_services.set_points_rule(plain(metric), points, cap_per_year=cap_per_year,
                                               active=True if active is None else active)
        return {"rule": rule}


class Mutation(graphene.ObjectType):
    create_deputy = CreateDeputy.Field()
    update_deputy = UpdateDeputy.Field()
    station_deputy = StationDeputy.Field()
    end_stationing = EndStationing.Field()
    bring_in_province_deputy = BringInProvinceDeputy.Field()
    set_points_rule = SetPointsRule.Field()
