"""workflow.py is the only copy of the loop's transition table: the docs show it, the
services refuse what it refuses, with a Chinese message naming the step."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.opinions import services, workflow
from liaison.tenants.opinions.models import Status, Transition

from .conftest import STAFF, at

DOC = Path(__file__).resolve().parents[2] / "docs" / "OPINIONS.md"


def test_docs_show_the_transition_table_of_workflow_py():
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- transition-table:[^>]*-->\n(.*?)\n<!-- /transition-table -->", text, re.S)
    assert found, "docs/OPINIONS.md lacks the generated transition table"
    with translation.override("zh-hans"):
        expected = workflow.markdown_table()
    documented = [line.split("|")[1:-1] for line in found.group(1).splitlines()]
    generated = [line.split("|")[1:-1] for line in expected.splitlines()]
    assert len(documented) == len(generated), f"regenerate the table in docs/OPINIONS.md:\n{expected}"
    for row, (doc_row, gen_row) in enumerate(zip(documented, generated)):
        for col, (doc_cell, gen_cell) in enumerate(zip(doc_row, gen_row)):
            assert doc_cell.strip() == gen_cell.strip(), f"row {row}, column {col}: regenerate the table:\n{expected}"


def test_every_recorded_action_has_a_chinese_label_and_a_valid_rule():
    with translation.override("zh-hans"):
        for code, act in workflow.ACTIONS.items():
            assert workflow.label(code) != code and re.search(r"[\u4e00-\u9fff]", workflow.label(code))
            enum = Status if act.subject == workflow.OPINION else workflow.SuggestionStatus
            for s in act.sources or ():
                assert s == "" or s in enum.values
            for t in act.targets:
                assert t in (workflow.SAME, workflow.ANY) or t in enum.values


@pytest.mark.django_db
def test_a_refused_step_names_the_status_and_the_allowed_ones_in_chinese(km):
    op = km.register()
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        services.close(op, actor=STAFF, at=at("2026-09-29"))
    (error,) = exc.value.errors
    assert (error.field, error.code) == ("status", "illegal_transition")
    assert "已登记" in error.message and "办结" in error.message and "已答复" in error.message


@pytest.mark.django_db
def test_every_step_the_services_record_follows_the_table(km):
    """A whole loop with a duplicate, a suggestion and a reopening: each Transition row
    the services wrote passes the same check the ledger importer applies."""
    a = km.register(title="村道路灯损坏", registered_at=at("2026-09-28", 9))
    b = km.register(title="路灯坏了", registered_at=at("2026-09-28", 10))
    services.triage(a, category="urban_rural", jurisdiction_level="township", actor=STAFF, at=at("2026-09-28", 11))
    services.link_duplicate(b, primary=a, actor=STAFF, at=at("2026-09-28", 12))
    services.refer(a, unit=km.township_gov, actor=STAFF, at=at("2026-09-29"))
    services.reply(a, content="已修复", outcome="A", actor=STAFF, at=at("2026-09-30"))
    services.deliver(a, to_citizen=True, actor=STAFF, at=at("2026-09-30", 15))
    services.rate(satisfaction="dissatisfied", tracking_code=a.tracking_code, at=at("2026-10-01"))
    s = services.convert_to_suggestion([a], lead_deputy=km.deputy, co_signers=[km.other_deputy], title="路灯", content="路灯",
                                       actor=STAFF, at=at("2026-10-02"))
    services.assign_suggestion(s, lead_unit=km.county_transport, co_units=[km.township_gov], actor=STAFF, at=at("2026-10-03"))
    services.answer_suggestion(s, content="已安排", outcome="B", actor=STAFF, at=at("2026-10-20"))
    steps = list(Transition.objects.order_by("at", "id"))
    actions = {t.action for t in steps}
    assert {"duplicate_linked", "link_duplicate", "reply_via_primary", "file_suggestion", "assign_suggestion",
            "answer_suggestion", "convert_to_suggestion", "reopen"} <= actions
    for t in steps:
        assert workflow.check_step(t.action, t.from_status, t.to_status) == [], t
