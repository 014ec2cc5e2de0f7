"""Citizen mutations: submit an opinion online (idempotent, rate-limited) and rate the
reply with the tracking code."""
from __future__ import annotations

import re

import graphene
from django.db import connection
from graphql import GraphQLError

from liaison.graphql.citizen.types import OpinionTrackingType, tracking_of
from liaison.graphql.core import permissions, ratelimit
from liaison.graphql.core.enums import plain
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.core.relay import pk_of
from liaison.graphql.opinions.types import Satisfaction
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import models as om
from liaison.tenants.opinions import selectors as opinion_selectors
from liaison.tenants.opinions import services as opinion_services

IDEMPOTENCY_RE = re.compile(r"^[A-Za-z0-9_\-]{8,48}$")


def _require_prefecture_host(what: str) -> None:
    if connection.schema_name == "public":
        raise GraphQLError(f"`{what}` 须在州市站点调用 (call `{what}` on the prefecture's host, e.g. kunming.<province host>)",
                           extensions={"code": "BAD_REQUEST"})


class SubmitOpinion(ServiceMutation):
    """Submit an opinion online (channel ONLINE) to a position, by its global ID or its code.

    `idempotencyKey` (8–48 characters of A–Z a–z 0–9 _ -, e.g. a UUID made once per
    submission): a retry with the same key returns the first opinion (`created: false`)
    and never registers a second; the same key with a different text is an error."""

    op = Op.PUBLIC
    tracking = graphene.Field(OpinionTrackingType)
    created = graphene.Boolean(description="False when this was a retry of an earlier submission.")

    class Input:
        position = graphene.ID(description="The position's global ID (or give positionCode).")
        position_code = graphene.String(description="The code printed with the position's QR code.")
        title = graphene.String(required=True)
        content = graphene.String(required=True)
        citizen_name = graphene.String()
        citizen_phone = graphene.String()
        category = graphene.String(description="Category code (see `categories`).")
        idempotency_key = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, title, content, idempotency_key, position=None, position_code=None, citizen_name="",
                citizen_phone="", category=None, **_):
        _require_prefecture_host("submitOpinion")
        key = (idempotency_key or "").strip()
        if not IDEMPOTENCY_RE.match(key):
            raise ServiceError.single("idempotency_key", "8–48 characters of A-Z a-z 0-9 _ - (e.g. a UUID)", "invalid")
        p = permissions.principal(info)
        scoped = f"k{p.api_key_id}:{key}" if p.api_key_id is not None else f"anon:{key}"
        existing = om.Opinion.objects.filter(idempotency_key=scoped).exists()
        if not existing:
            ratelimit.check(info.context, "submit_opinion")
        if position is None and not position_code:
            raise ServiceError.single("position", "give the position (its ID or its code)", "required")
        if position is not None:
            target = pk_of(position, "Position", "position")
        else:
            from liaison.tenants.positions.models import Position

            target = Position.objects.filter(code=position_code.strip()).values_list("pk", flat=True).first()
            if target is None:
                raise ServiceError.single("position_code", f"本州市没有编码为 {position_code} 的阵地 (no such position here)",
                                          "not_found")
        opinion = opinion_services.register(
            channel=om.Channel.ONLINE, title=title, content=content, position=target, citizen_name=citizen_name or "",
            citizen_phone=citizen_phone or "", category=category or None, idempotency_key=scoped,
            actor=opinion_services.Actor.citizen() if p.api_key_id is None else opinion_services.Actor(
                "citizen", None, f"群众（经 API 密钥 {p.label.removeprefix('key:')}）"))
        view = opinion_selectors.track(opinion.tracking_code)
        return {"tracking": tracking_of(view, connection.schema_name), "created": getattr(opinion, "registered_now", False)}

    error_fields = {"position": "position", "idempotency_key": "idempotencyKey"}


class RateOpinion(ServiceMutation):
    """评价 by the citizen, with the tracking code: 满意 / 基本满意 / 不满意 (reopens it)."""

    op = Op.PUBLIC
    tracking = graphene.Field(OpinionTrackingType)

    class Input:
        tracking_code = graphene.String(required=True)
        satisfaction = Satisfaction(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, root, info, tracking_code, satisfaction, comment="", **_):
        _require_prefecture_host("rateOpinion")
        ratelimit.check(info.context, "rate_opinion")
        opinion_services.rate(satisfaction=plain(satisfaction), tracking_code=tracking_code, comment=comment or "")
        return {"tracking": tracking_of(opinion_selectors.track(tracking_code), connection.schema_name)}


class Mutation(graphene.ObjectType):
    submit_opinion = SubmitOpinion.Field()
    rate_opinion = RateOpinion.Field()
