"""What a citizen sees of an opinion with the tracking code alone (OpinionTracking is
opinions.selectors.track: status, dates and the reply; no names, units or notes)."""
from __future__ import annotations

import graphene

from liaison.graphql.opinions.types import OpinionStatus, Outcome, SuggestionStatus


class TrackedReplyType(graphene.ObjectType):
    class Meta:
        description = '群众看到的答复 (the reply as the citizen sees it).'
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
    status = graphene.Field(OpinionStatus, required=True, description="办理状态 (where the opinion is in the loop).")
    status_label = graphene.String(required=True)
    registered_at = graphene.DateTime(required=True)
    referred_at = graphene.DateTime()
    due_on = graphene.Date(description="Reply expected by (while awaiting one).")
    replied_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    reply = graphene.Field(TrackedReplyType, description="Once delivered to the citizen.")
    can_rate = graphene.Boolean(required=True, description="The reply was delivered and the citizen has not rated it yet.")
    suggestion_status = graphene.Field(SuggestionStatus, description='转为代表建议后的状态 (status of the deputy suggestion it was raised in; null: none).')
    suggestion_status_label = graphene.String()


def tracking_of(view, schema: str) -> OpinionTrackingType:
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
