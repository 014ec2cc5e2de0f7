"""Citizen operations for front ends (WeChat mini-programs, county portals): submit an
opinion online to a position, follow it with the tracking code, rate the reply.

Usable anonymously or with a front end's API key (whose scope must include this host),
rate-limited (liaison.graphql.ratelimit). `submitOpinion` takes an idempotency key: a
retried request returns the first opinion (`created: false`) and never makes a second.
What a citizen sees (`OpinionTracking`) is selectors.track: status, dates and the
reply, no names, units or internal notes.
"""
from __future__ import annotations

import re

import graphene
from django.db import connection
from graphql import GraphQLError

from liaison.graphql import permissions, ratelimit
from liaison.graphql.common import ServiceMutation, pk_of, plain
from liaison.graphql.opinions_api import Outcome, Satisfaction
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import models as om
from liaison.tenants.opinions import selectors as opinion_selectors
from liaison.tenants.opinions import services as opinion_services

IDEMPOTENCY_RE = re.compile(r"^[A-Za-z0-9_\-]{8,48}$")


class TrackedReplyType(graphene.ObjectType):
    class Meta:
        name = "TrackedReply"

    content = graphene.String(required=True)
    outcome = graphene.Field(Outcome, required=True)
    outcome_label = graphene.String(required=True)
    replied_at = graphene.DateTime(required=True)
    explained = graphene.Boolean(required=True, description="An explanation (依法疏导) rather than a solution.")


class OpinionTrackingType(graphene.ObjectType):
    class Meta:
        name = "OpinionTracking"
        description = "What a citizen sees with the tracking code alone."

    tracking_code = graphene.String(required=True)
    prefecture = graphene.String(required=True, description="Slug of the prefecture handling it.")
    status = graphene.String(required=True)
    status_label = graphene.String(required=True)
    registered_at = graphene.DateTime(required=True)
    referred_at = graphene.DateTime()
    due_on = graphene.Date(description="Reply expected by (while awaiting one).")
    replied_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    reply = graphene.Field(TrackedReplyType, description="Once delivered to the citizen.")
    can_rate = graphene.Boolean(required=True, description="The reply was delivered and the citizen has not rated it yet.")
    suggestion_status = graphene.String()
    suggestion_status_label = graphene.String()


def _tracking(view, schema: str) -> OpinionTrackingType:
    reply = None
    if view.reply is not None:
        r = view.reply
        reply = TrackedReplyType(content=r.content, outcome=r.outcome, outcome_label=r.outcome_label, replied_at=r.replied_at,
                                 explained=r.explained)
    return OpinionTrackingType(
        tracking_code=view.tracking_code, prefecture=schema, status=view.status, status_label=view.status_label,
        registered_at=view.registered_at, referred_at=view.referred_at, due_on=view.due_on, replied_at=view.replied_at,
        closed_at=view.closed_at, reply=reply, can_rate=view.can_rate, suggestion_status=view.suggestion_status,
        suggestion_status_label=view.suggestion_status_label)


def _require_prefecture_host(what: str) -> None:
    if connection.schema_name == "public":
        raise GraphQLError(f"`{what}` 须在州市站点调用 (call `{what}` on the prefecture's host, e.g. kunming.<province host>)",
                           extensions={"code": "BAD_REQUEST"})


class CitizenQuery(graphene.ObjectType):
    track_opinion = graphene.Field(
        OpinionTrackingType, required=True, code=graphene.String(required=True),
        description="Follow an opinion by its tracking code (rate-limited). On the province host the code is looked up "
                    "in every prefecture.")

    def resolve_track_opinion(root, info, code):
        ratelimit.check(info.context, "track_opinion")
        try:
            if connection.schema_name == "public":
                schema, view = opinion_selectors.track_anywhere(code)
            else:
                schema, view = connection.schema_name, opinion_selectors.track(code)
        except ServiceError as exc:
            err = exc.errors[0]
            raise GraphQLError(err.message, extensions={"code": "NOT_FOUND" if err.code == "not_found" else "BAD_REQUEST",
                                                        "field": "code"}) from None
        return _tracking(view, schema)


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
        return {"tracking": _tracking(view, connection.schema_name), "created": not existing}

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
        return {"tracking": _tracking(opinion_selectors.track(tracking_code), connection.schema_name)}


class CitizenMutation(graphene.ObjectType):
    submit_opinion = SubmitOpinion.Field()
    rate_opinion = RateOpinion.Field()


ROOT_PERMISSIONS = {
    "Query.trackOpinion": Op.PUBLIC,
    "Mutation.submitOpinion": Op.PUBLIC,
    "Mutation.rateOpinion": Op.PUBLIC,
}
