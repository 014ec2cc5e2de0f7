"""Real delivery backends without a reachable provider: Tencent Cloud SMS through its
official SDK and WeChat subscription messages, each pointed at a local HTTP server
standing in for the provider. Checked: the request (template, signature, parameters,
number), TC3-HMAC-SHA256 signing (recomputed independently from the request the server
received; deterministic for a fixed timestamp), access-token caching, and how provider
answers map onto the outbox (sent / retried / failed)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time as real_time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.test import override_settings

from liaison.tenants.notifications import services
from liaison.tenants.notifications.models import MessagingSettings, Notification

pytestmark = pytest.mark.django_db
FIXED = 1767225600  # 2026-01-01T00:00:00Z


class Provider(BaseHTTPRequestHandler):
    answers: list = []
    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Provider.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        answer = Provider.answers.pop(0)
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = HTTPServer(("127.0.0.1", 0), Provider)
    Provider.answers, Provider.seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def fixed_clock(monkeypatch):
    from tencentcloud.common import abstract_client

    class Clock:
        def __getattr__(self, name):
            return getattr(real_time, name)

        @staticmethod
        def time():
            return FIXED

    monkeypatch.setattr(abstract_client, "time", Clock())


def sms_ok():
    return {"Response": {"SendStatusSet": [{"SerialNo": "2028:1", "PhoneNumber": "+8613800001111", "Fee": 1, "SessionContext": "",
                                            "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "r1"}}


def sms_error(code):
    return {"Response": {"Error": {"Code": code, "Message": code}, "RequestId": "r2"}}


def tc3_authorization(request: dict, secret_id: str, secret_key: str, service: str = "sms") -> str:
    """TC3-HMAC-SHA256 as Tencent Cloud documents it, from the request as received."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = int(headers["x-tc-timestamp"])
    date = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
                           "content-type;host", hashlib.sha256(request["body"]).hexdigest()])
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = hmac.new(("TC3" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    key = hmac.new(key, service.encode(), hashlib.sha256).digest()
    key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


def outbox_row(address, channel, key="opinions:kunming:referral:7"):
    return services.enqueue(recipient_kind="deputy", recipient_id=1, address=address, channel=channel,
                            subject="转办通知", body="群众意见 Q123 已转办，请于 2026-02-03 前答复。", dedupe_key=key)


@pytest.fixture
def sms_setup(provider, monkeypatch, fixed_clock):
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDtest0000000000000000000000000000")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "test-secret-key-000000000000000")
    with override_settings(LIAISON_SMS_ENDPOINT=f"127.0.0.1:{provider.server_port}", LIAISON_SMS_SCHEME="http",
                           LIAISON_NOTIFICATION_BACKENDS={"sms": "liaison.tenants.notifications.sms.TencentSmsBackend"}):
        yield provider


def configure_kunming_sms():
    MessagingSettings.objects.create(sms_sdk_app_id="1400000001", sms_sign_name="昆明市人大常委会",
                                     sms_templates={"referral": {"template_id": "2001", "params": ["subject", "date"]},
                                                    "default": {"template_id": "2000", "params": ["subject"]}})


def test_sms_request_template_parameters_and_tc3_signature(in_kunming, sms_setup):
    configure_kunming_sms()
    row = outbox_row("138 0000 1111", "sms")
    Provider.answers = [sms_ok()]
    assert services.deliver(row.pk) == "sent"
    (request,) = Provider.seen
    body = json.loads(request["body"])
    assert body == {"SmsSdkAppId": "1400000001", "SignName": "昆明市人大常委会", "TemplateId": "2001",
                    "TemplateParamSet": ["转办通知", "2026-02-03"], "PhoneNumberSet": ["+8613800001111"],
                    "SessionContext": f"kunming:{row.pk}"}
    headers = request["headers"]
    assert headers["X-TC-Action"] == "SendSms" and headers["X-TC-Version"] == "2021-01-11"
    assert headers["X-TC-Region"] == "ap-guangzhou" and headers["X-TC-Timestamp"] == str(FIXED)
    assert headers["Authorization"] == tc3_authorization(request, "AKIDtest0000000000000000000000000000",
                                                         "test-secret-key-000000000000000")
    assert headers["Authorization"].startswith(
        "TC3-HMAC-SHA256 Credential=AKIDtest0000000000000000000000000000/2026-01-01/sms/tc3_request, ")
    # deterministic: the same message at the same second is signed the same way
    second = outbox_row("13800001111", "sms", key="opinions:kunming:referral:8")
    Provider.answers = [sms_ok()]
    services.deliver(second.pk)
    again = Provider.seen[1]
    assert json.loads(again["body"])["SessionContext"] != body["SessionContext"]
    assert again["headers"]["Authorization"] == tc3_authorization(again, "AKIDtest0000000000000000000000000000",
                                                                  "test-secret-key-000000000000000")


def test_sms_failures_are_retried_through_the_outbox_and_bad_numbers_fail_at_once(in_kunming, sms_setup):
    configure_kunming_sms()
    row = outbox_row("13800001111", "sms", key="event:5:202602031400:deputy:1:reminder")  # kind event_reminder → default
    Provider.answers = [sms_error("LimitExceeded.PhoneNumberThirtySecondLimit"), sms_error("InternalError.Timeout"), sms_ok()]
    assert services.deliver(row.pk) == "retry"
    assert services.deliver(row.pk) == "retry"
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 2 and "InternalError.Timeout" in row.last_error
    assert services.deliver(row.pk) == "sent"
    assert json.loads(Provider.seen[-1]["body"])["TemplateId"] == "2000"
    bad = outbox_row("13800001111", "sms", key="opinions:kunming:referral:9")
    Provider.answers = [sms_error("InvalidParameterValue.IncorrectPhoneNumber")]
    assert services.deliver(bad.pk) == "failed"
    assert Notification.objects.get(pk=bad.pk).last_error.startswith("PermanentDeliveryError: InvalidParameterValue")


def test_sms_configuration_is_per_prefecture(in_qujing, sms_setup):
    row = outbox_row("13800001111", "sms", key="opinions:qujing:referral:1")
    assert services.deliver(row.pk) == "failed"  # qujing has configured nothing
    assert "未配置短信" in Notification.objects.get(pk=row.pk).last_error
    assert Provider.seen == []


@pytest.fixture
def wechat_setup(provider, monkeypatch):
    monkeypatch.setenv("LIAISON_WECHAT_SECRET_wx1234567890abcdef", "app-secret")
    cache.delete("wechat:access_token:wx1234567890abcdef")
    with override_settings(LIAISON_WECHAT_API_BASE=f"http://127.0.0.1:{provider.server_port}",
                           LIAISON_NOTIFICATION_BACKENDS={"wechat": "liaison.tenants.notifications.wechat.WeChatSubscribeBackend"}):
        MessagingSettings.objects.create(wechat_app_id="wx1234567890abcdef", wechat_page="pages/opinion/index",
                                         wechat_templates={"default": {"template_id": "TPL-1",
                                                                       "data": {"thing1": "subject", "time2": "date"}}})
        yield provider
    cache.delete("wechat:access_token:wx1234567890abcdef")


def test_wechat_subscription_message_with_a_cached_access_token(in_kunming, wechat_setup):
    Provider.answers = [{"access_token": "TOKEN-1", "expires_in": 7200}, {"errcode": 0, "errmsg": "ok"}, {"errcode": 0, "errmsg": "ok"}]
    first = outbox_row("oOPENID-1", "wechat")
    second = outbox_row("oOPENID-2", "wechat", key="opinions:kunming:received:3")
    assert services.deliver(first.pk) == "sent" and services.deliver(second.pk) == "sent"
    token_call, send1, send2 = Provider.seen
    assert token_call["method"] == "GET" and parse_qs(urlparse(token_call["path"]).query) == {
        "grant_type": ["client_credential"], "appid": ["wx1234567890abcdef"], "secret": ["app-secret"]}
    assert urlparse(send1["path"]).path == "/cgi-bin/message/subscribe/send"
    assert parse_qs(urlparse(send2["path"]).query) == {"access_token": ["TOKEN-1"]}  # fetched once, cached
    assert json.loads(send1["body"]) == {"touser": "oOPENID-1", "template_id": "TPL-1", "page": "pages/opinion/index",
                                         "data": {"thing1": {"value": "转办通知"}, "time2": {"value": "2026-02-03"}},
                                         "miniprogram_state": "formal", "lang": "zh_CN"}


def test_wechat_expired_token_is_refreshed_once_refusals_fail_and_outages_retry(in_kunming, wechat_setup):
    cache.set("wechat:access_token:wx1234567890abcdef", "STALE", 600)
    Provider.answers = [{"errcode": 42001, "errmsg": "access_token expired"}, {"access_token": "FRESH", "expires_in": 7200},
                        {"errcode": 0, "errmsg": "ok"}]
    row = outbox_row("oOPENID-1", "wechat")
    assert services.deliver(row.pk) == "sent"
    assert parse_qs(urlparse(Provider.seen[-1]["path"]).query)["access_token"] == ["FRESH"]
    refused = outbox_row("oOPENID-2", "wechat", key="opinions:kunming:received:4")
    Provider.answers = [{"errcode": 43101, "errmsg": "user refuse to accept the msg"}]
    assert services.deliver(refused.pk) == "failed"
    busy = outbox_row("oOPENID-3", "wechat", key="opinions:kunming:received:5")
    Provider.answers = [{"errcode": -1, "errmsg": "system error"}, {"errcode": 0, "errmsg": "ok"}]
    assert services.deliver(busy.pk) == "retry"
    assert services.deliver(busy.pk) == "sent"
