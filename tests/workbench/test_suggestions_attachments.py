"""Converting an opinion into a deputy suggestion with co-signers, the suggestion's
assignment, answer and the lead deputy's rating, and attachments, through the pages."""
from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.tenants.opinions import services
from liaison.tenants.opinions.models import Opinion, Suggestion, SuggestionStatus

from .conftest import STAFF, in_kunming

pytestmark = pytest.mark.django_db


def token():
    return uuid.uuid4().hex


def test_convert_assign_answer_and_rate_a_suggestion(world, clients):
    with in_kunming():
        op = world.register(title="修建便民桥", content="两村之间需要一座便民桥。", deputy=world.deputy)
        services.triage(op, category="transport", jurisdiction_level="county", actor=STAFF)
    staff = clients["staff_a"]
    converted = staff.post(f"/workbench/opinions/{op.pk}/convert/", {
        "form_token": token(), "lead_deputy": world.deputy.pk, "co_signers": [world.other_deputy.pk], "title": "关于修建便民桥的建议",
        "content": "建议县交通运输局规划修建便民桥。"})
    assert converted.status_code == 302
    with in_kunming():
        suggestion = Suggestion.objects.get(title="关于修建便民桥的建议")
        assert list(suggestion.co_signers.values_list("pk", flat=True)) == [world.other_deputy.pk]
    base = f"/workbench/suggestions/{suggestion.pk}"
    page = staff.get(f"{base}/").content.decode()
    assert "王代表" in page and "交办" in page
    missing = staff.post(f"{base}/assign/", {"form_token": token()})
    assert missing.status_code == 200 and "主办单位：" in missing.content.decode()
    assert staff.post(f"{base}/assign/", {"form_token": token(), "lead_unit": world.county_transport.pk}).status_code == 302
    assert staff.post(f"{base}/answer/", {"form_token": token(), "outcome": "C", "content": "已列入明年计划。"}).status_code == 302
    # The lead deputy rates from 我的履职 (or staff record it); another station's staff are refused.
    assert clients["staff_b"].post(f"{base}/rate/", {"form_token": token(), "satisfaction": "satisfied"}).status_code == 403
    deputy = clients["deputy"]
    assert f"{base}/rate/" in deputy.get("/workbench/me/").content.decode()
    assert deputy.post(f"{base}/rate/", {"form_token": token(), "satisfaction": "basically"}).status_code == 302
    with in_kunming():
        suggestion.refresh_from_db()
        assert suggestion.status == SuggestionStatus.CLOSED and suggestion.deputy_satisfaction == "basically"
        assert Opinion.objects.get(pk=op.pk).replies.count() == 1
    history = staff.get(f"{base}/").content.decode()
    for label in ("代表建议交办", "代表建议答复", "代表评价建议答复"):
        assert label in history


def test_attachments_are_added_through_the_step_form(world, clients, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with in_kunming():
        op = world.register()
    staff = clients["staff_a"]
    upload = SimpleUploadedFile("回执.txt", "已收到".encode(), content_type="text/plain")
    response = staff.post(f"/workbench/opinions/{op.pk}/attach/", {"form_token": token(), "attachments": [upload]})
    assert response.status_code == 302
    with in_kunming():
        attachment = Opinion.objects.get(pk=op.pk).attachments.get()
    assert attachment.name == "回执.txt"
    page = staff.get(f"/workbench/opinions/{op.pk}/").content.decode()
    assert f"/workbench/opinions/{op.pk}/attachments/{attachment.pk}/" in page
    assert clients["staff_b"].get(f"/workbench/opinions/{op.pk}/attachments/{attachment.pk}/").status_code == 403
