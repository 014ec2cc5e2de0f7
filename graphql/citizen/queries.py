"""Citizen operations for front ends (WeChat mini-programs, county portals): submit an
opinion online to a position, follow it with the tracking code, rate the reply.

Usable anonymously or with a front end's API key (whose scope must include this host),
rate-limited (liaison.graphql.core.ratelimit). `submitOpinion` takes an idempotency key: a
retried request returns the first opinion (`created: false`) and never makes a second.
What a citizen sees (`OpinionTracking`) is selectors.track: status, dates and the
reply, no names, units or internal notes.
"""
from __future__ import annotations

import graphene
from django.db import connection
from graphql import GraphQLError

from liaison.graphql.citizen.types import OpinionTrackingType, tracking_of
from liaison.graphql.core import ratelimit
from liaison.graphql.core.fields import root_field
from liaison.platform.accounts.principal import Op
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import selectors as opinion_selectors


class Query(graphene.ObjectType):
    track_opinion = root_field(Op.PUBLIC, graphene.Field(
        OpinionTrackingType, required=True, code=graphene.String(required=True),
        description="Follow an opinion by its tracking code (rate-limited). On the province host the code is looked up "
                    "in every prefecture."))

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
        return tracking_of(view, schema)
