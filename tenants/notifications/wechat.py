"""WeChat subscription messages (订阅消息) through a prefecture's mini-program, with the
official HTTPS API:

    GET  {base}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…   (access token)
    POST {base}/cgi-bin/message/subscribe/send?access_token=…                  (one message)

    LIAISON_NOTIFICATION_BACKENDS="wechat=liaison.tenants.notifications.wechat.WeChatSubscribeBackend"

The notification's address is the recipient's openid in that mini-program. The AppID,
page and templates per kind are the prefecture's MessagingSettings; the AppSecret comes
from the environment as LIAISON_WECHAT_SECRET_<APPID>. The access token is cached (Django
cache, shared by all processes when Redis is configured) until five minutes before it
expires, and fetched again once when WeChat says it is invalid (40001/42001/40014).
Base URL: LIAISON_WECHAT_API_BASE (default https://api.weixin.qq.com; tests use a local
server). Refused subscriptions and bad parameters fail at once; anything else is retried
by the outbox.
"""
from __future__ import annotations

import os

import requests
from django.conf import settings
from django.core.cache import cache

from .backends import Backend, PermanentDeliveryError
from .messaging import template_for, values

TOKEN_ERRORS = {40001, 40014, 42001}
PERMANENT_ERRORS = {40003: "openid 无效", 40037: "模板 ID 无效", 43101: "用户未订阅或拒绝接收该消息", 47003: "模板参数不正确",
                    41030: "跳转页面不存在"}
THING_MAX = 20  # "thing" values are at most 20 characters


class WeChatDeliveryError(Exception):
    """A transient failure: the outbox retries."""


def api_base() -> str:
    return getattr(settings, "LIAISON_WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")


def _secret(app_id: str) -> str:
    secret = os.environ.get(f"LIAISON_WECHAT_SECRET_{app_id}", "")
    if not secret:
        raise PermanentDeliveryError(f"credentials: LIAISON_WECHAT_SECRET_{app_id} is not set")
    return secret


def access_token(app_id: str, *, refresh: bool = False) -> str:
    key = f"wechat:access_token:{app_id}"
    if not refresh:
        cached = cache.get(key)
        if cached:
            return cached
    try:
        response = requests.get(f"{api_base()}/cgi-bin/token", timeout=10,
                                params={"grant_type": "client_credential", "appid": app_id, "secret": _secret(app_id)})
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise WeChatDeliveryError(f"token: {type(exc).__name__}") from exc
    token = data.get("access_token")
    if not token:
        code = data.get("errcode")
        if code in (40013, 40125, 40164):  # bad AppID / AppSecret / address not whitelisted
            raise PermanentDeliveryError(f"token: errcode {code} {data.get('errmsg', '')}")
        raise WeChatDeliveryError(f"token: errcode {code} {data.get('errmsg', '')}")
    cache.set(key, token, max(60, int(data.get("expires_in", 7200)) - 300))
    return token


def build_message(notification, config) -> dict:
    template = template_for(config.wechat_templates, notification, "订阅消息")
    available = values(notification)
    data = {}
    for field, source in (template.get("data") or {}).items():
        if source not in available:
            raise PermanentDeliveryError(f"data: 未知的模板参数 {source}（可用：{', '.join(available)}）")
        data[field] = {"value": available[source][:THING_MAX]}
    message = {"touser": notification.address, "template_id": template["template_id"], "data": data,
               "miniprogram_state": getattr(settings, "LIAISON_WECHAT_MINIPROGRAM_STATE", "formal"), "lang": "zh_CN"}
    if config.wechat_page:
        message["page"] = config.wechat_page
    return message


class WeChatSubscribeBackend(Backend):
    def send(self, notification) -> None:
        from .models import MessagingSettings

        config = MessagingSettings.current()
        if not config.wechat_app_id:
            raise PermanentDeliveryError("wechat: 本州市未配置小程序 AppID（短信与微信发送设置）")
        message = build_message(notification, config)
        for attempt in (1, 2):
            token = access_token(config.wechat_app_id, refresh=attempt == 2)
            try:
                response = requests.post(f"{api_base()}/cgi-bin/message/subscribe/send", params={"access_token": token},
                                         json=message, timeout=10)
                data = response.json()
            except (requests.RequestException, ValueError) as exc:
                raise WeChatDeliveryError(f"send: {type(exc).__name__}") from exc
            code = data.get("errcode", 0)
            if code == 0:
                return
            if code in TOKEN_ERRORS and attempt == 1:
                continue  # the cached token was revoked or expired early: fetch a new one once
            if code in PERMANENT_ERRORS:
                raise PermanentDeliveryError(f"errcode {code}: {PERMANENT_ERRORS[code]}")
            raise WeChatDeliveryError(f"errcode {code}: {data.get('errmsg', '')}")
