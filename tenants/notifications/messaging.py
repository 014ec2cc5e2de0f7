"""What a notification becomes for a templated channel (SMS, WeChat subscription
messages): its kind, the template configured for that kind in this prefecture, and the
template's parameters.

Providers only deliver pre-approved templates with short parameters, so the free-text
subject/body of the outbox row is mapped onto them: `kind_of` reads the kind from the
row's dedupe key (every producer builds it as "<area>:…:<what>"), `template_for` picks
the prefecture's template for that kind (or its "default"), and `parameters` fills the
named parameters, each cut to the provider's length limit.
"""
from __future__ import annotations

import re

from .backends import PermanentDeliveryError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2})?")


def kind_of(notification) -> str:
    """opinions:<schema>:referral:… → "referral"; opinions:…:suggestion:<id>:answered → "suggestion_answered";
    event:<id>:<stamp>:deputy:<id>:reminder → "event_reminder"; anything else → "default"."""
    parts = (notification.dedupe_key or "").split(":")
    if parts[0] == "opinions" and len(parts) >= 3:
        if parts[2] == "suggestion" and len(parts) >= 5:
            return f"suggestion_{parts[4]}"
        return parts[2]
    if parts[0] == "event" and len(parts) >= 6:
        return f"event_{parts[5]}"
    return "default"


def template_for(templates: dict, notification, channel_label: str) -> dict:
    kind = kind_of(notification)
    template = (templates or {}).get(kind) or (templates or {}).get("default")
    if not template or not template.get("template_id"):
        raise PermanentDeliveryError(f"template: 本州市未配置{channel_label}模板（通知类型 {kind}，也没有 default）")
    return template


def values(notification) -> dict[str, str]:
    text = f"{notification.subject}\n{notification.body}"
    date = _DATE.search(text)
    return {"subject": notification.subject, "body": " ".join(notification.body.split()), "date": date.group(0) if date else "",
            "kind": kind_of(notification)}


def parameters(names: list[str], notification, max_length: int) -> list[str]:
    available = values(notification)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise PermanentDeliveryError(f"params: 未知的模板参数 {', '.join(unknown)}（可用：{', '.join(available)}）")
    return [available[n][:max_length] for n in names]
