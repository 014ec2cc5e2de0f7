"""The opinion loop's mutations: every step is one mutation calling one service; the
service writes the Transition (who, when). Staff act only on opinions of their own
positions (guard_opinion); a deputy registers and rates as themselves."""
from __future__ import annotations

import graphene

from liaison.graphql.core import permissions
from liaison.graphql.core.enums import plain
from liaison.graphql.core.errors import forbidden
from liaison.graphql.core.mutations import ServiceMutation
from liaison.graphql.core.relay import local_pk, pk_of, pks_of
from liaison.graphql.opinions.types import (
    JurisdictionLevel,
    OpinionChannel,
    OpinionType,
    Outcome,
    ReferralType,
    ReplyKind,
    ReplyType,
    Satisfaction,
    SuggestionType,
    UnitLevel,
)
from liaison.platform.accounts.principal import Op
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.opinions import models as om
from liaison.tenants.opinions import services as opinion_services


def actor_for(info, deputy_pk: int | None = None):
    """Who is recorded on the Transition: the session user, the API key, or the deputy
    acting for themselves."""
    p = permissions.principal(info)
    if deputy_pk is not None and p.deputy_id(permissions.schema_name()) == deputy_pk and not p.is_api_key:
        deputy = Deputy.objects.filter(pk=deputy_pk).first()
        if deputy is not None:
            return opinion_services.Actor.for_deputy(deputy)
    user = getattr(info.context, "user", None)
    if not p.is_api_key and user is not None and user.is_authenticated:
        return opinion_services.Actor.for_user(user)
    return opinion_services.Actor("user", None, f"API 密钥 {p.label.removeprefix('key:')}")


def guard_opinion(info, opinion_pk: int | None):
    """Object-level permission for an opinion step: staff only at their own positions."""
    if opinion_pk is None:
        return
    p = permissions.principal(info)
    schema = permissions.schema_name()
    row = om.Opinion.objects.filter(pk=opinion_pk).values_list("position_id", flat=True)
    if not row.exists():
        return  # the service reports `opinion: not_found`
    if not p.may_act_on_position(schema, row.first()):
        raise forbidden(f"无权办理此意见 (forbidden: {p.label} may not act on opinions of this position)")


def _opinion_pk(info, value, field: str = "id") -> int:
    pk = pk_of(value, "Opinion", field)
    guard_opinion(info, pk)
    return pk


class RegisterOpinion(ServiceMutation):
    """登记: record an opinion received at a reception, by a deputy, an observer, the box or
    online. Staff register at their positions; a deputy registers what they collected
    (channel DEPUTY, themselves as deputy)."""

    op = Op.ATTEND
    opinion = graphene.Field(OpinionType)

    class Input:
        channel = OpinionChannel(required=True)
        title = graphene.String(required=True)
        content = graphene.String(required=True)
        position = graphene.ID()
        division = graphene.ID()
        deputy = graphene.ID()
        citizen_name = graphene.String()
        citizen_phone = graphene.String()
        category = graphene.String(description="Category code.")
        registered_at = graphene.DateTime()
        idempotency_key = graphene.String()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, channel, title, content, position=None, division=None, deputy=None, citizen_name="",
                citizen_phone="", category=None, registered_at=None, idempotency_key=None, note="", **_):
        position_pk = pk_of(position, "Position", "position")
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        p = permissions.principal(info)
        schema = permissions.schema_name()
        if not (p.can(Op.HANDLE, schema) and p.may_act_on_position(schema, position_pk)):
            if not (plain(channel) == om.Channel.DEPUTY and deputy_pk is not None and p.may_act_as_deputy(schema, deputy_pk)):
                raise forbidden(f"无权在此阵地登记意见 (forbidden: {p.label} may register opinions only at "
                                            f"their own positions, or as the deputy who collected them)")
        opinion = opinion_services.register(
            channel=plain(channel), title=title, content=content, position=position_pk,
            division=pk_of(division, "Division", "division"), deputy=deputy_pk, citizen_name=citizen_name or "",
            citizen_phone=citizen_phone or "", category=category or None, registered_at=registered_at,
            idempotency_key=idempotency_key, actor=actor_for(info, deputy_pk), note=note or "")
        return {"opinion": opinion}


class TriageOpinion(ServiceMutation):
    """梳理研判: decide category and jurisdiction level."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        category = graphene.String(required=True, description="Category code.")
        jurisdiction_level = JurisdictionLevel(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, category, jurisdiction_level, note="", **_):  # noqa: A002
        op = opinion_services.triage(_opinion_pk(info, id), category=category, jurisdiction_level=plain(jurisdiction_level),
                                     actor=actor_for(info), note=note or "")
        return {"opinion": op}


class ReferOpinion(ServiceMutation):
    """交办: refer to a handling unit with a deadline (policy default, or `dueOn`)."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)
    referral = graphene.Field(ReferralType)

    class Input:
        id = graphene.ID(required=True)
        unit = graphene.ID(required=True)
        due_on = graphene.Date()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, unit, due_on=None, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        referral = opinion_services.refer(pk, unit=pk_of(unit, "HandlingUnit", "unit"), due_on=due_on, note=note or "",
                                          actor=actor_for(info))
        return {"referral": referral, "opinion": om.Opinion.objects.get(pk=pk)}


class ReferToPrefecture(ServiceMutation):
    """转办 to another prefecture (by slug); it gets a copy without personal data."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        prefecture = graphene.String(required=True)
        division_code = graphene.String()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, prefecture, division_code=None, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        opinion_services.refer_to_prefecture(pk, prefecture=prefecture, division_code=division_code, note=note or "",
                                             actor=actor_for(info))
        return {"opinion": om.Opinion.objects.get(pk=pk)}


class ExtendDeadline(ServiceMutation):
    """An approved extension (延期) of the running deadline; `note` gives the reason."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        new_due_on = graphene.Date(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, id, new_due_on, note, **_):  # noqa: A002
        return {"opinion": opinion_services.extend_deadline(_opinion_pk(info, id), new_due_on=new_due_on, note=note,
                                                            actor=actor_for(info))}


class ReplyOpinion(ServiceMutation):
    """答复: the answer (kind ANSWER, with an outcome A–D) or an explanation (EXPLANATION, 依法疏导)."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)
    reply = graphene.Field(ReplyType)

    class Input:
        id = graphene.ID(required=True)
        content = graphene.String(required=True)
        outcome = Outcome()
        kind = ReplyKind()
        unit = graphene.ID()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, content, outcome=None, kind=None, unit=None, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        reply = opinion_services.reply(pk, content=content, outcome=plain(outcome), kind=plain(kind) or om.ReplyKind.ANSWER,
                                       unit=pk_of(unit, "HandlingUnit", "unit"), note=note or "", actor=actor_for(info))
        return {"reply": reply, "opinion": om.Opinion.objects.get(pk=pk)}


class DeliverReply(ServiceMutation):
    """送达: the reply reached the citizen and/or the deputy."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        to_citizen = graphene.Boolean()
        to_deputy = graphene.Boolean()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, to_citizen=False, to_deputy=False, note="", **_):  # noqa: A002
        pk = _opinion_pk(info, id)
        opinion_services.deliver(pk, to_citizen=bool(to_citizen), to_deputy=bool(to_deputy), note=note or "",
                                 actor=actor_for(info))
        return {"opinion": om.Opinion.objects.get(pk=pk)}


class RateReply(ServiceMutation):
    """评价 by the deputy who collected the opinion (citizens rate with `rateOpinion` and
    their tracking code). Staff may record a deputy's rating on their behalf."""

    op = Op.ATTEND
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        deputy = graphene.ID(required=True)
        satisfaction = Satisfaction(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, root, info, id, deputy, satisfaction, comment="", **_):  # noqa: A002
        pk = pk_of(id, "Opinion", "id")
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        p = permissions.principal(info)
        schema = permissions.schema_name()
        if not p.may_act_as_deputy(schema, deputy_pk):
            raise forbidden(f"只能以本人身份评价 (forbidden: {p.label} may rate only as themselves)")
        if p.can(Op.HANDLE, schema):
            guard_opinion(info, pk)
        opinion_services.rate(satisfaction=plain(satisfaction), opinion=pk, deputy=deputy_pk, comment=comment or "")
        return {"opinion": om.Opinion.objects.get(pk=pk)}


def _simple_step(name: str, service, doc: str, extra_inputs: dict | None = None, note_required: bool = False):
    """A mutation that calls `service(opinion_pk, actor=…, note=…)`."""

    def perform(cls, root, info, id, note="", **rest):  # noqa: A002
        kwargs = {k: v for k, v in rest.items() if k != "client_mutation_id"}
        result = service(_opinion_pk(info, id), actor=actor_for(info), note=note or "", **kwargs)
        pk = local_pk(id, "Opinion")
        return {"opinion": result if isinstance(result, om.Opinion) else om.Opinion.objects.get(pk=pk)}

    inputs = {"id": graphene.ID(required=True), "note": graphene.String(required=note_required), **(extra_inputs or {})}
    attrs = {"__doc__": doc, "op": Op.HANDLE, "opinion": graphene.Field(OpinionType),
             "Input": type("Input", (), inputs), "perform": classmethod(perform)}
    return type(name, (ServiceMutation,), attrs)


CloseOpinion = _simple_step("CloseOpinion", opinion_services.close,
                            "办结: close a delivered reply that was rated (none 不满意) or whose rating window passed.")
ReopenOpinion = _simple_step("ReopenOpinion", opinion_services.reopen,
                             "重新办理: send a replied or closed opinion round again (due within 1 month).")
EscalateOpinion = _simple_step("EscalateOpinion", opinion_services.escalate,
                               "督办上提: bring an unanswered opinion to the supervising level above.")


class LinkDuplicate(ServiceMutation):
    """并案: mark an opinion as a duplicate of a primary one (handled there)."""

    op = Op.HANDLE
    opinion = graphene.Field(OpinionType)

    class Input:
        id = graphene.ID(required=True)
        primary = graphene.ID(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, primary, note="", **_):  # noqa: A002
        op = opinion_services.link_duplicate(_opinion_pk(info, id), primary=_opinion_pk(info, primary, "primary"),
                                             actor=actor_for(info), note=note or "")
        return {"opinion": op}


class ConvertToSuggestion(ServiceMutation):
    """转为代表建议: a lead deputy (with co-signers) raises opinions as a formal deputy suggestion."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        opinions = graphene.List(graphene.NonNull(graphene.ID), required=True)
        lead_deputy = graphene.ID(required=True)
        title = graphene.String(required=True)
        content = graphene.String(required=True)
        co_signers = graphene.List(graphene.NonNull(graphene.ID))
        level = UnitLevel()
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, opinions, lead_deputy, title, content, co_signers=None, level=None, note="", **_):
        pks = pks_of(opinions, "Opinion", "opinions")
        for pk in pks:
            guard_opinion(info, pk)
        suggestion = opinion_services.convert_to_suggestion(
            pks, lead_deputy=pk_of(lead_deputy, "Deputy", "lead_deputy"), title=title, content=content,
            co_signers=pks_of(co_signers, "Deputy", "co_signers"), level=plain(level), note=note or "", actor=actor_for(info))
        return {"suggestion": suggestion}


class AssignSuggestion(ServiceMutation):
    """交办 a deputy suggestion to a lead unit and co-handling units (3 months, at most 6)."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        lead_unit = graphene.ID(required=True)
        co_units = graphene.List(graphene.NonNull(graphene.ID))
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, lead_unit, co_units=None, note="", **_):  # noqa: A002
        s = opinion_services.assign_suggestion(pk_of(id, "Suggestion", "id"), lead_unit=pk_of(lead_unit, "HandlingUnit", "lead_unit"),
                                               co_units=pks_of(co_units, "HandlingUnit", "co_units"), note=note or "",
                                               actor=actor_for(info))
        return {"suggestion": s}


class ExtendSuggestionDeadline(ServiceMutation):
    """延期: extend a deputy suggestion's deadline (at most to its maximum); `note` gives the reason."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        new_due_on = graphene.Date(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform(cls, root, info, id, new_due_on, note, **_):  # noqa: A002
        return {"suggestion": opinion_services.extend_suggestion_deadline(pk_of(id, "Suggestion", "id"), new_due_on=new_due_on,
                                                                          note=note, actor=actor_for(info))}


class AnswerSuggestion(ServiceMutation):
    """The lead unit's answer; every opinion raised in the suggestion gets it as its reply."""

    op = Op.HANDLE
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        content = graphene.String(required=True)
        outcome = Outcome(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, root, info, id, content, outcome, note="", **_):  # noqa: A002
        return {"suggestion": opinion_services.answer_suggestion(pk_of(id, "Suggestion", "id"), content=content,
                                                                 outcome=plain(outcome), note=note or "", actor=actor_for(info))}


class RateSuggestion(ServiceMutation):
    """The lead deputy rates the answer; 不满意 sends it round again (二次交办)."""

    op = Op.ATTEND
    suggestion = graphene.Field(SuggestionType)

    class Input:
        id = graphene.ID(required=True)
        deputy = graphene.ID(required=True)
        satisfaction = Satisfaction(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, root, info, id, deputy, satisfaction, comment="", **_):  # noqa: A002
        deputy_pk = pk_of(deputy, "Deputy", "deputy")
        p = permissions.principal(info)
        if not p.may_act_as_deputy(permissions.schema_name(), deputy_pk):
            raise forbidden(f"只能以本人身份评价 (forbidden: {p.label} may rate only as themselves)")
        return {"suggestion": opinion_services.rate_suggestion(pk_of(id, "Suggestion", "id"), deputy=deputy_pk,
                                                               satisfaction=plain(satisfaction), comment=comment or "")}


class Mutation(graphene.ObjectType):
    register_opinion = RegisterOpinion.Field()
    triage_opinion = TriageOpinion.Field()
    refer_opinion = ReferOpinion.Field()
    refer_to_prefecture = ReferToPrefecture.Field()
    extend_deadline = ExtendDeadline.Field()
    reply_opinion = ReplyOpinion.Field()
    deliver_reply = DeliverReply.Field()
    rate_reply = RateReply.Field()
    close_opinion = CloseOpinion.Field()
    reopen_opinion = ReopenOpinion.Field()
    escalate_opinion = EscalateOpinion.Field()
    link_duplicate = LinkDuplicate.Field()
    convert_to_suggestion = ConvertToSuggestion.Field()
    assign_suggestion = AssignSuggestion.Field()
    extend_suggestion_deadline = ExtendSuggestionDeadline.Field()
    answer_suggestion = AnswerSuggestion.Field()
    rate_suggestion = RateSuggestion.Field()
