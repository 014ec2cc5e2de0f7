"""The English catalogue (locale/en/LC_MESSAGES at the repository root): every entry
translated, placeholders kept, the committed .mo compiled from the committed .po, and
Accept-Language: en switches pages and errors to English (Chinese stays the default)."""
from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from liaison.tenants.common.phones import phone_error

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_every_entry_is_translated_with_its_placeholders():
    po = polib.pofile(str(PO))
    assert len(po) > 50
    assert not po.metadata_is_fuzzy
    problems = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags or e.obsolete]
    assert problems == []
    wrong = [e.msgid for e in po if placeholders(e.msgid) != placeholders(e.msgstr)]
    assert wrong == []


def test_the_committed_mo_is_compiled_from_the_committed_po():
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if e.translated()}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po, "run: msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po"


def test_an_error_message_follows_the_language():
    with translation.override("zh-hans"):
        assert phone_error("12345").message.startswith("不是有效的电话号码")
    with translation.override("en"):
        assert phone_error("12345").message.startswith("Not a valid phone number")


@pytest.mark.django_db
def test_a_page_switches_to_english_with_accept_language(kunming_client):
    chinese = kunming_client.get("/t/").content.decode()
    assert "查询办理进度" in chinese
    english = kunming_client.get("/t/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Track progress" in english and "查询办理进度" not in english
