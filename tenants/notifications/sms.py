"""SMS through Tencent Cloud SMS (短信), with the official SDK
(tencentcloud-sdk-python-sms, API 2021-01-11 SendSms, TC3-HMAC-SHA256 signing).

    LIAISON_NOTIFICATION_BACKENDS="sms=liaison.tenants.notifications.sms.TencentSmsBackend"

Per prefecture (MessagingSettings, edited in the admin): SdkAppId, signature, region and
a template per notification kind. From the environment: the Tencent Cloud credentials
TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (one account for the province; a
prefecture may use its own with TENCENTCLOUD_SECRET_ID_<SLUG> / _KEY_<SLUG>), and
LIAISON_SMS_ENDPOINT / LIAISON_SMS_SCHEME (default sms.tencentcloudapi.com over https;
tests point them at a local server).

Outcomes map onto the outbox's retries: a rejected number, a template or signature
problem, missing configuration → PermanentDeliveryError (marked failed at once); rate
limits, provider-side errors, network failures → an ordinary exception (retried with
back-off by tenants/notifications/tasks.py).
"""
from __future__ import annotations

import os

from django.conf import settings
from django.db import connection

from .backends import Backend, PermanentDeliveryError
from .messaging import parameters, template_for

# Error code prefixes that retrying cannot fix (Tencent Cloud SMS error codes).
PERMANENT_PREFIXES = ("InvalidParameter", "InvalidParameterValue", "MissingParameter", "UnauthorizedOperation",
                      "AuthFailure", "UnsupportedOperation", "FailedOperation.PhoneNumberInBlacklist",
                      "FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.TemplateIncorrectOrUnapproved",
                      "FailedOperation.MissingSignature", "FailedOperation.MissingTemplate",
                      "FailedOperation.InsufficientBalanceInSmsPackage")
PARAM_MAX = 20  # characters per template parameter (provider limit for ordinary variables)


class SmsDeliveryError(Exception):
    """A transient failure: the outbox retries."""


def _credentials() -> tuple[str, str]:
    slug = connection.schema_name.upper()
    secret_id = os.environ.get(f"TENCENTCLOUD_SECRET_ID_{slug}") or os.environ.get("TENCENTCLOUD_SECRET_ID", "")
    secret_key = os.environ.get(f"TENCENTCLOUD_SECRET_KEY_{slug}") or os.environ.get("TENCENTCLOUD_SECRET_KEY", "")
    if not (secret_id and secret_key):
        raise PermanentDeliveryError("credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY are not set")
    return secret_id, secret_key


def phone_e164(address: str) -> str:
    digits = "".join(ch for ch in address if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits
    raise PermanentDeliveryError(f"address: {address!r} 不是有效的手机号")


def client(region: str):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import sms_client

    secret_id, secret_key = _credentials()
    http = HttpProfile(protocol=getattr(settings, "LIAISON_SMS_SCHEME", "https"),
                       endpoint=getattr(settings, "LIAISON_SMS_ENDPOINT", "sms.tencentcloudapi.com"), reqTimeout=10)
    profile = ClientProfile(httpProfile=http, signMethod="TC3-HMAC-SHA256")
    profile.disable_region_breaker = True  # the outbox's back-off is the breaker
    return sms_client.SmsClient(credential.Credential(secret_id, secret_key), region, profile)


def build_request(notification, config) -> object:
    """The SendSms request for one outbox row under this prefecture's settings."""
    from tencentcloud.sms.v20210111 import models

    if not (config.sms_sdk_app_id and config.sms_sign_name):
        raise PermanentDeliveryError("sms: 本州市未配置短信 SdkAppId 或签名（短信与微信发送设置）")
    template = template_for(config.sms_templates, notification, "短信")
    request = models.SendSmsRequest()
    request.SmsSdkAppId = config.sms_sdk_app_id
    request.SignName = config.sms_sign_name
    request.TemplateId = str(template["template_id"])
    request.TemplateParamSet = parameters(list(template.get("params") or []), notification, PARAM_MAX)
    request.PhoneNumberSet = [phone_e164(notification.address)]
    request.SessionContext = f"{connection.schema_name}:{notification.pk}"
    return request


def _is_permanent(code: str) -> bool:
    return any(code == p or code.startswith(p + ".") for p in PERMANENT_PREFIXES)


class TencentSmsBackend(Backend):
    def send(self, notification) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        from .models import MessagingSettings

        config = MessagingSettings.current()
        request = build_request(notification, config)
        try:
            response = client(config.sms_region).SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            if _is_permanent(code):
                raise PermanentDeliveryError(f"{code}: {exc.get_message()}") from exc
            raise SmsDeliveryError(f"{code or 'network'}: {exc.get_message()}") from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsDeliveryError("empty SendStatusSet")
        status = statuses[0]
        if status.Code != "Ok":
            if _is_permanent(status.Code or ""):
                raise PermanentDeliveryError(f"{status.Code}: {status.Message}")
            raise SmsDeliveryError(f"{status.Code}: {status.Message}")
