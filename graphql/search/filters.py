"""The `searchOpinions` filter input and its translation into the search service's
SearchFilters (the search backends filter; there is no queryset here)."""
from __future__ import annotations

import datetime as dt

import graphene
from django.utils import timezone

from liaison.graphql.core.enums import plain
from liaison.graphql.core.errors import bad_request
from liaison.graphql.opinions.types import OpinionChannel, OpinionStatus
from liaison.graphql.positions.types import PositionTier
from liaison.graphql.core.relay import decode_global_id
from liaison.search.types import SearchFilters
from liaison.tenants.common.errors import FieldError


class OpinionSearchFilter(graphene.InputObjectType):
    prefectures = graphene.List(graphene.NonNull(graphene.String), description="Prefecture slugs (province host).")
    tiers = graphene.List(graphene.NonNull(PositionTier), description="阵地层级 (position tiers).")
    positions = graphene.List(graphene.NonNull(graphene.ID), description="Position global IDs (all of one prefecture).")
    division_code = graphene.String(description="A division code: that division and everything below it.")
    statuses = graphene.List(graphene.NonNull(OpinionStatus), description="办理状态 (opinion statuses).")
    categories = graphene.List(graphene.NonNull(graphene.String), description="Category codes.")
    channels = graphene.List(graphene.NonNull(OpinionChannel), description="来源渠道 (channels).")
    registered_from = graphene.Date(description="Registered on or after this day.")
    registered_to = graphene.Date(description="Registered on or before this day.")
    overdue = graphene.Boolean(description="Awaiting a reply and past its deadline (true), or not (false).")


def search_filters(value) -> SearchFilters:
    if not value:
        return SearchFilters()
    prefectures = tuple(value.get("prefectures") or ())
    position_ids: list[int] = []
    position_schemas = set()
    for gid in value.get("positions") or ():
        parsed = decode_global_id(gid)
        if parsed is None or parsed[0] != "Position" or not parsed[2].isdigit():
            raise bad_request([FieldError("positions", f"{gid!r} is not a Position ID", "invalid")])
        position_schemas.add(parsed[1])
        position_ids.append(int(parsed[2]))
    if position_schemas:
        if len(position_schemas) > 1:
            raise bad_request([FieldError("positions", "positions of one prefecture only", "invalid")])
        prefectures = prefectures or tuple(position_schemas)
        if set(prefectures) != position_schemas:
            raise bad_request([FieldError("positions", "these positions are not in the prefectures asked for", "invalid")])
    tz = timezone.get_current_timezone()

    def start_of(day: dt.date | None):
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz) if day else None

    to_day = value.get("registered_to")
    return SearchFilters(
        prefectures=prefectures,
        tiers=tuple(plain(v) for v in value.get("tiers") or ()),
        position_ids=tuple(position_ids),
        division_code=value.get("division_code") or None,
        statuses=tuple(plain(v) for v in value.get("statuses") or ()),
        categories=tuple(value.get("categories") or ()),
        channels=tuple(plain(v) for v in value.get("channels") or ()),
        registered_from=start_of(value.get("registered_from")),
        registered_to=start_of(to_day + dt.timedelta(days=1)) if to_day else None,
        overdue=value.get("overdue"),
    )
