"""The notification outbox: idempotent enqueue, delivery after commit, retries, backends."""
from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.notifications import backends, services
from liaison.tenants.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _enqueue(**overrides):
    values = dict(recipient_kind="deputy", recipient_id=7, address="张三", channel="console",
                  subject="接待日提醒", body="明天 9:00 在五华区代表工作站", dedupe_key="test:1")
    values.update(overrides)
    return services.enqueue(**values)


def test_enqueue_is_idempotent_and_delivers_after_commit(in_kunming, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _enqueue()
        second = _enqueue(subject="不同标题也不会再入队")
    assert first.pk == second.pk
    assert len(callbacks) == 1
    first.refresh_from_db()
    assert first.status == "sent" and first.attempts == 1 and first.sent_at is not None
    out = capsys.readouterr().out
    assert "接待日提醒" in out and "张三" in out
    assert Notification.objects.filter(dedupe_key="test:1").count() == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(in_kunming, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _enqueue(dedupe_key="rolled-back")
                raise RuntimeError("caller failed")
    assert callbacks == []
    assert not Notification.objects.filter(dedupe_key="rolled-back").exists()


def test_email_backend_uses_django_mail(in_kunming, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        n = _enqueue(channel="email", address="deputy@example.cn", dedupe_key="mail:1")
    n.refresh_from_db()
    assert n.status == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["deputy@example.cn"]


@pytest.mark.parametrize("channel", ["sms", "wechat"])
def test_sms_and_wechat_are_interfaces_that_fail_loudly_not_fakes(in_kunming, django_capture_on_commit_callbacks, channel):
    with pytest.raises(NotImplementedError, match="not configured"):
        backends.backend_for(channel).send(None)
    with django_capture_on_commit_callbacks(execute=True):
        n = _enqueue(channel=channel, address="13800000000", dedupe_key=f"{channel}:1")
    n.refresh_from_db()
    assert n.status == "failed" and n.attempts == 1
    assert "NotImplementedError" in n.last_error and "LIAISON_NOTIFICATION_BACKENDS" in n.last_error


class FlakyBackend(backends.Backend):
    calls = 0

    def send(self, notification):
        FlakyBackend.calls += 1
        if FlakyBackend.calls < 3:
            raise ConnectionError("gateway timeout")


def test_transient_failures_are_retried_until_sent(in_kunming, django_capture_on_commit_callbacks, settings):
    FlakyBackend.calls = 0
    settings.LIAISON_NOTIFICATION_BACKENDS = {"console": f"{__name__}.FlakyBackend"}
    with django_capture_on_commit_callbacks(execute=True):
        n = _enqueue(dedupe_key="flaky:1")
    n.refresh_from_db()
    assert n.status == "sent" and n.attempts == 3


def test_bad_input_names_the_fields_and_writes_nothing(in_kunming):
    with pytest.raises(ServiceError) as exc:
        _enqueue(recipient_kind="alien", channel="pigeon", address=" ", subject="", dedupe_key="")
    fields = {e.field for e in exc.value.errors}
    assert fields == {"recipient_kind", "channel", "address", "subject", "dedupe_key"}
    assert Notification.objects.count() == 0
    with pytest.raises(ServiceError) as exc:
        _enqueue(channel="email", address="not-an-address")
    assert [e.field for e in exc.value.errors] == ["address"]


def test_outbox_rows_are_per_prefecture(kunming, qujing):
    with schema_context("kunming"):
        _enqueue(dedupe_key="only-kunming")
    with schema_context("qujing"):
        assert not Notification.objects.filter(dedupe_key="only-kunming").exists()
        # the same key is independent in another prefecture
        assert _enqueue(dedupe_key="only-kunming").pk
