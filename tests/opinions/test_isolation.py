"""Nothing of kunming's opinions reaches qujing through any interface of the loop:
services by id, tracking codes, rating, queues, similar opinions, counts, ledger,
beat tasks, the admin."""
from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from liaison.platform.accounts.models import Membership, User
from liaison.tenants.common.errors import ServiceError
from liaison.tenants.notifications.models import Notification
from liaison.tenants.opinions import selectors, services
from liaison.tenants.opinions.models import Opinion, Transition
from liaison.tenants.registry.models import Prefecture

from .conftest import STAFF, at

pytestmark = pytest.mark.django_db


def kunming_case(km):
    op = km.register(title="滇池边垃圾堆放", content="滇池边步道旁垃圾长期堆放，无人清理。", citizen_name="钱七",
                     citizen_phone="13600000000", deputy=km.deputy, channel="deputy")
    services.triage(op, category="environment", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 10))
    services.refer(op, unit=km.township_gov, actor=STAFF, at=at("2026-09-28", 11))
    services.reply(op, content="已清理。", outcome="A", actor=STAFF, at=at("2026-10-09"))
    services.deliver(op, to_citizen=True, to_deputy=True, actor=STAFF, at=at("2026-10-09", 15))
    return op


def test_qujing_cannot_see_or_change_kunming_opinions(km, qj):
    op = kunming_case(km)
    kunming_rows = (Opinion.objects.count(), Transition.objects.count())
    with schema_context("qujing"):
        assert not Opinion.objects.filter(pk=op.pk).exists()
        assert not Opinion.objects.filter(tracking_code=op.tracking_code).exists()
        for call in (
            lambda: services.triage(op.pk, category="environment", jurisdiction_level="county", actor=STAFF),
            lambda: services.refer(op.pk, unit=qj.township_gov, actor=STAFF),
            lambda: services.reply(op.pk, content="x", outcome="A", actor=STAFF),
            lambda: services.reopen(op.pk, actor=STAFF, note="x"),
            lambda: services.link_duplicate(op.pk, primary=op.pk, actor=STAFF),
            lambda: services.rate(tracking_code=op.tracking_code, satisfaction="dissatisfied"),
            lambda: services.rate(opinion=op.pk, deputy=km.deputy.pk, satisfaction="dissatisfied"),
            lambda: selectors.track(op.tracking_code),
            lambda: selectors.get_opinion(op.pk),
        ):
            with pytest.raises(ServiceError) as exc:
                call()
            assert exc.value.errors[0].code == "not_found"
        assert not selectors.queue().exists()
        assert selectors.similar_opinions(text="滇池边步道旁垃圾长期堆放", division=qj.township) == []
        assert selectors.counts().collected == 0 and selectors.ledger_rows() == []
        services.send_deadline_notices()
        assert services.close_all_unrated() == 0
        assert not Notification.objects.exists()
        # The province host resolves the code to kunming, and to kunming only.
    schema, view = selectors.track_anywhere(op.tracking_code)
    assert schema == "kunming" and view.status == "replied"
    with schema_context("kunming"):
        op.refresh_from_db()
        assert op.status == "replied"
        assert (Opinion.objects.count(), Transition.objects.count()) == kunming_rows


def test_admin_on_qujing_host_shows_no_kunming_opinion(km, qj, client):
    op = kunming_case(km)
    connection.set_schema_to_public()
    user = User.objects.create_user(username="qj-admin", password="pw", is_staff=True)
    Membership.objects.create(user=user, prefecture=Prefecture.objects.get(slug="qujing"), role="prefecture_admin")
    client.force_login(user)
    listing = client.get("/admin/opinions/opinion/", HTTP_HOST="qujing.localhost")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert op.tracking_code not in body and "滇池边垃圾堆放" not in body
    detail = client.get(f"/admin/opinions/opinion/{op.pk}/change/", HTTP_HOST="qujing.localhost")
    assert detail.status_code in (302, 404)
    assert client.get("/admin/opinions/opinion/", HTTP_HOST="kunming.localhost").status_code in (302, 403)


def test_kunming_admin_sees_its_opinions_with_personal_data_and_a_monitor_sees_them_masked(km, client):
    op = kunming_case(km)
    connection.set_schema_to_public()
    kunming = Prefecture.objects.get(slug="kunming")
    admin_user = User.objects.create_user(username="km-admin2", password="pw", is_staff=True)
    Membership.objects.create(user=admin_user, prefecture=kunming, role="prefecture_admin")
    monitor = User.objects.create_user(username="monitor", password="pw", is_staff=True)
    Membership.objects.create(user=monitor, prefecture=None, role="province_monitor")
    client.force_login(admin_user)
    page = client.get(f"/admin/opinions/opinion/{op.pk}/change/", HTTP_HOST="kunming.localhost").content.decode()
    assert "钱七" in page and "13600000000" in page
    client.force_login(monitor)
    page = client.get(f"/admin/opinions/opinion/{op.pk}/change/", HTTP_HOST="kunming.localhost").content.decode()
    assert "滇池边垃圾堆放" in page and "钱七" not in page and "13600000000" not in page and "136****0000" in page
