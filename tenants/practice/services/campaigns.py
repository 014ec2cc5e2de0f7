"""The themed annual campaign: phases in order, groups, showcases, outstanding selection,
public commitments followed to fulfilment with evidence."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy

from ..common import load, now, raise_if, required_text
from ..models import Campaign, CampaignGroup, CampaignPhase, Commitment, Participant, PhaseChange, Showcase
from ..models.campaigns import PHASE_ORDER

SHOWCASE_PHASES = (CampaignPhase.GROUP_SHOWCASE, CampaignPhase.SHOWCASE)


def create_campaign(*, year: int, theme: str, at: dt.datetime | None = None) -> Campaign:
    errors: list[FieldError] = []
    theme = required_text(theme, "theme", errors, 200)
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors.append(FieldError("year", _("年度须为四位年份"), "invalid"))
    elif Campaign.objects.filter(year=year).exists():
        errors.append(FieldError("year", _("%(year)s 年已有主题活动（每年一个）") % {"year": year}, "duplicate"))
    raise_if(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, theme=theme)
        PhaseChange.objects.create(campaign=campaign, phase=campaign.phase, at=now(at))
    return campaign


def advance_phase(campaign, *, phase: str, at: dt.datetime | None = None) -> Campaign:
    """Only to the next phase: 基础准备 → 分组展示 → 观摩评优 → 集中展示 → 落实承诺."""
    with transaction.atomic():
        campaign = load(Campaign, campaign, "campaign", lock=True)
        if phase not in PHASE_ORDER:
            raise ServiceError.single("phase", _("没有这一阶段"), "invalid")
        current = PHASE_ORDER.index(campaign.phase)
        if PHASE_ORDER.index(phase) != current + 1:
            nxt = CampaignPhase(PHASE_ORDER[current + 1]).label if current + 1 < len(PHASE_ORDER) else None
            message = _("下一阶段应为“%(next)s”") % {"next": nxt} if nxt else _("已是最后阶段")
            raise ServiceError.single("phase", message, "out_of_order")
        campaign.phase = phase
        campaign.save(update_fields=["phase"])
        PhaseChange.objects.create(campaign=campaign, phase=phase, at=now(at))
    return campaign


def add_group(campaign, *, name: str) -> CampaignGroup:
    errors: list[FieldError] = []
    name = required_text(name, "name", errors, 100)
    try:
        campaign = load(Campaign, campaign, "campaign")
    except ServiceError as exc:
        errors += exc.errors
        campaign = None
    if campaign is not None and name and CampaignGroup.objects.filter(campaign=campaign, name=name).exists():
        errors.append(FieldError("name", _("已有同名小组"), "duplicate"))
    raise_if(errors)
    return CampaignGroup.objects.create(campaign=campaign, name=name)


def join(group, *, deputy) -> Participant:
    errors: list[FieldError] = []
    try:
        group = load(CampaignGroup, group, "group")
    except ServiceError as exc:
        errors += exc.errors
        group = None
    try:
        deputy = load(Deputy, deputy, "deputy")
    except ServiceError as exc:
        errors += exc.errors
        deputy = None
    if group and deputy and Participant.objects.filter(campaign=group.campaign_id, deputy=deputy).exists():
        errors.append(FieldError("deputy", _("该代表已参加本次活动"), "duplicate"))
    raise_if(errors)
    return Participant.objects.create(campaign_id=group.campaign_id, group=group, deputy=deputy)


def record_showcase(participant, *, title: str, held_on: dt.date, description: str = "") -> Showcase:
    """A deputy's showcase (履职展示), in the group or the central showcase phase."""
    errors: list[FieldError] = []
    title = required_text(title, "title", errors, 200)
    if not isinstance(held_on, dt.date):
        errors.append(FieldError("held_on", _("须为日期"), "required"))
    try:
        participant = load(Participant, participant, "participant")
        if participant.campaign.phase not in SHOWCASE_PHASES:
            errors.append(FieldError("phase", _("展示只在分组展示或集中展示阶段记录"), "out_of_order"))
    except ServiceError as exc:
        errors += exc.errors
    raise_if(errors)
    return Showcase.objects.create(participant=participant, phase=participant.campaign.phase, title=title, held_on=held_on,
                                   description=(description or "").strip())


def select_outstanding(participant, *, at: dt.datetime | None = None) -> Participant:
    """观摩评优: a participant with at least one showcase is selected as outstanding."""
    with transaction.atomic():
        participant = load(Participant, participant, "participant", lock=True)
        errors: list[FieldError] = []
        if participant.campaign.phase != CampaignPhase.EVALUATION:
            errors.append(FieldError("phase", _("评优只在观摩评优阶段进行"), "out_of_order"))
        if not participant.showcases.exists():
            errors.append(FieldError("participant", _("没有展示记录，不能评优"), "no_showcase"))
        if participant.outstanding:
            errors.append(FieldError("participant", _("已评为优秀"), "duplicate"))
        raise_if(errors)
        participant.outstanding, participant.selected_at = True, now(at)
        participant.save(update_fields=["outstanding", "selected_at"])
    return participant


def make_commitment(*, campaign, participant, content: str, due_on: dt.date | None = None) -> Commitment:
    """A participant's public commitment (承诺); it belongs to a campaign."""
    errors: list[FieldError] = []
    content = required_text(content, "content", errors)
    if campaign is None:
        errors.append(FieldError("campaign", _("承诺须属于一个主题活动"), "required"))
    else:
        try:
            campaign = load(Campaign, campaign, "campaign")
        except ServiceError as exc:
            errors += exc.errors
            campaign = None
    try:
        participant = load(Participant, participant, "participant")
        if campaign is not None and participant.campaign_id != campaign.pk:
            errors.append(FieldError("participant", _("该代表未参加这个主题活动"), "not_participant"))
    except ServiceError as exc:
        errors += exc.errors
    if due_on is not None and not isinstance(due_on, dt.date):
        errors.append(FieldError("due_on", _("须为日期"), "invalid"))
    raise_if(errors)
    return Commitment.objects.create(campaign=campaign, participant=participant, content=content, due_on=due_on)


def fulfil_commitment(commitment, *, evidence: str, fulfilled_on: dt.date | None = None) -> Commitment:
    with transaction.atomic():
        commitment = load(Commitment, commitment, "commitment", lock=True)
        errors: list[FieldError] = []
        evidence = required_text(evidence, "evidence", errors)
        if commitment.status == Commitment.Status.FULFILLED:
            errors.append(FieldError("commitment", _("已兑现"), "duplicate"))
        fulfilled_on = fulfilled_on or timezone.localdate()
        if not isinstance(fulfilled_on, dt.date) or fulfilled_on > timezone.localdate():
            errors.append(FieldError("fulfilled_on", _("兑现日期不能晚于今天"), "invalid"))
        raise_if(errors)
        commitment.status, commitment.evidence, commitment.fulfilled_on = Commitment.Status.FULFILLED, evidence, fulfilled_on
        commitment.save(update_fields=["status", "evidence", "fulfilled_on"])
    return commitment
