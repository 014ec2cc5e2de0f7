"""Delivery backends, one per channel, chosen by settings.LIAISON_NOTIFICATION_BACKENDS.

    LIAISON_NOTIFICATION_BACKENDS = {
        "console": "liaison.tenants.notifications.backends.ConsoleBackend",
        "email":   "liaison.tenants.notifications.backends.EmailBackend",
        "sms":     "liaison.tenants.notifications.backends.SmsBackend",
        "wechat":  "liaison.tenants.notifications.backends.WeChatBackend",
    }

A backend is any class with `send(notification) -> None` that raises on failure:
`PermanentDeliveryError` (or NotImplementedError) marks the row failed at once,
any other exception is retried with back-off.
"""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class PermanentDeliveryError(Exception):
    """Retrying cannot help (bad address, channel not configured)."""


class Backend:
    def send(self, notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(Backend):
    """Prints the message to stdout: for development and the demo, never a stand-in for a real channel."""

    def send(self, notification) -> None:
        stream = sys.stdout
        stream.write(
            f"[通知 #{notification.pk} {notification.channel} → {notification.address}] {notification.subject}\n"
            f"{notification.body}\n"
        )
        stream.flush()


class EmailBackend(Backend):
    """Django's mail framework (EMAIL_BACKEND: SMTP in production, console in development)."""

    def send(self, notification) -> None:
        if "@" not in notification.address:
            raise PermanentDeliveryError(f"address: {notification.address!r} is not an e-mail address")
        send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.address], fail_silently=False)


class SmsBackend(Backend):
    """Interface for an SMS gateway (e.g. a provincial government SMS platform or a cloud SMS
    service). Not implemented: subclass it, implement `send` with the gateway's API (template
    id + parameters; the body must fit the approved template), raise PermanentDeliveryError
    for rejected numbers and any other exception for transient failures, and point
    LIAISON_NOTIFICATION_BACKENDS["sms"] at the subclass."""

    def send(self, notification) -> None:
        raise NotImplementedError(
            "SMS delivery is not configured: set LIAISON_NOTIFICATION_BACKENDS['sms'] to a subclass of "
            "liaison.tenants.notifications.backends.SmsBackend that calls your SMS gateway"
        )


class WeChatBackend(Backend):
    """Interface for WeChat template/subscribe messages through an official account or
    mini-program. Not implemented: subclass it, map `address` (the recipient's openid) and
    `subject`/`body` onto the approved message template, and point
    LIAISON_NOTIFICATION_BACKENDS["wechat"] at the subclass."""

    def send(self, notification) -> None:
        raise NotImplementedError(
            "WeChat delivery is not configured: set LIAISON_NOTIFICATION_BACKENDS['wechat'] to a subclass of "
            "liaison.tenants.notifications.backends.WeChatBackend that calls the WeChat API"
        )


DEFAULT_BACKENDS = {
    "console": "liaison.tenants.notifications.backends.ConsoleBackend",
    "email": "liaison.tenants.notifications.backends.EmailBackend",
    "sms": "liaison.tenants.notifications.backends.SmsBackend",
    "wechat": "liaison.tenants.notifications.backends.WeChatBackend",
}


def backend_for(channel: str) -> Backend:
    configured = {**DEFAULT_BACKENDS, **getattr(settings, "LIAISON_NOTIFICATION_BACKENDS", {})}
    path = configured.get(channel)
    if not path:
        raise PermanentDeliveryError(f"channel: no backend configured for {channel!r}")
    return import_string(path)()
