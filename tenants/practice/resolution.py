"""The resolution rate (解决率), beside satisfaction the headline of the opinion loop.

Definition (docs/STATISTICS.md): of the opinions registered here (copies received from
another prefecture excluded) that have at least one reply, the share whose LATEST reply
has outcome A (已解决). Satisfaction asks whether the citizen is content; resolution
asks whether the matter was solved. Per channel group: online = channel `online`
(网上), in person = every other channel (接待日、代表收集、民情观察员、意见箱).
Xihu's report, for scale: 395 of 591 replied opinions solved (66.8 %); online 43 of 56.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from liaison.tenants.opinions.models import Channel, Opinion, Outcome, Reply

ONLINE_CHANNELS = (Channel.ONLINE,)
GROUPS = {"online": _("网上"), "in_person": _("线下")}


def group_of(channel: str) -> str:
    return "online" if channel in ONLINE_CHANNELS else "in_person"


@dataclass
class Resolution:
    replied: int = 0
    resolved: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.resolved / self.replied, 4) if self.replied else None


def latest_outcome():
    """The outcome of an opinion's latest reply, as a subquery (None: not replied)."""
    return Subquery(Reply.objects.filter(opinion=OuterRef("pk")).order_by("-replied_at", "-id").values("outcome")[:1])


def resolution(opinions=None) -> dict[str, Resolution]:
    """{"all": …, "online": …, "in_person": …} over `opinions` (default: every opinion
    registered in this prefecture)."""
    qs = Opinion.objects.filter(origin_schema="") if opinions is None else opinions
    out = {"all": Resolution(), "online": Resolution(), "in_person": Resolution()}
    for channel, outcome in qs.annotate(latest=latest_outcome()).filter(latest__isnull=False).values_list("channel", "latest"):
        for key in ("all", group_of(channel)):
            out[key].replied += 1
            out[key].resolved += outcome == Outcome.A
    return out


def by_channel(opinions=None) -> dict[str, Resolution]:
    """The same, by channel code (every channel present, zeros included)."""
    qs = Opinion.objects.filter(origin_schema="") if opinions is None else opinions
    out = {code: Resolution() for code in Channel.values}
    for channel, outcome in qs.annotate(latest=latest_outcome()).filter(latest__isnull=False).values_list("channel", "latest"):
        out.setdefault(channel, Resolution())
        out[channel].replied += 1
        out[channel].resolved += outcome == Outcome.A
    return out
