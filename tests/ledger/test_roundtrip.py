"""Round trip: kunming's ledgers exported and imported into a newly provisioned, empty
prefecture reproduce them; exported again, the two files hold the same rows."""
from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from liaison.tenants.deputies.models import Deputy, Stationing
from liaison.tenants.ledger.exporting import write_export
from liaison.tenants.ledger.importing import run_import
from liaison.tenants.opinions.models import Evaluation, Opinion, Referral, Reply, Transition
from liaison.tenants.positions.models import Position
from liaison.tenants.registry.provisioning import create_prefecture

from .conftest import read_xlsx

pytestmark = pytest.mark.django_db


def facts():
    return {
        "positions": sorted(Position.objects.values_list("code", "name", "tier", "status", "division__code", "parent__code",
                                                          "counterpart__code", "latitude", "established_on")),
        "deputies": sorted(Deputy.objects.values_list("roll_number", "name", "level", "constituency__code", "phone", "id_number",
                                                        "on_roll", "identity__code")),
        "stationing": sorted(Stationing.objects.values_list("deputy__roll_number", "position__code", "start_on", "end_on")),
        "opinions": sorted(Opinion.objects.values_list("tracking_code", "status", "title", "citizen_name", "citizen_phone",
                                                        "position__code", "category__code", "handling_unit__name", "round")),
        "replies": sorted(Reply.objects.values_list("opinion__tracking_code", "outcome", "content", "kind")),
        "ratings": sorted(Evaluation.objects.values_list("reply__opinion__tracking_code", "rater", "satisfaction")),
        "referrals": sorted(Referral.objects.values_list("opinion__tracking_code", "unit__name", "state", "due_on")),
        "steps": sorted(Transition.objects.values_list("opinion__tracking_code", "action", "from_status", "to_status")),
    }


def test_export_imported_into_a_new_prefecture_reproduces_it(ledger, tmp_path):
    original = facts()
    first = tmp_path / "kunming.xlsx"
    write_export(first, kinds=["all"], personal=True)
    create_prefecture(code="539901", slug="ledgercopy", name="台账测试州", name_en="Ledger Copy", kind="city")
    with schema_context("ledgercopy"):
        assert Position.objects.count() == 0
        report = run_import(first, dry_run=False)
        assert report.ok and report.applied, report.text()
        assert any(w.code == "other_prefecture" for w in report.warnings)   # said plainly in the dry run
        copy = facts()
        second = tmp_path / "copy.xlsx"
        write_export(second, kinds=["all"], personal=True)
        again = run_import(second, dry_run=False)
        assert again.ok and again.totals()["created"] == 0 and again.totals()["updated"] == 0, again.text()
    assert copy == original
    a, b = read_xlsx(first), read_xlsx(second)
    del a["导出说明"], b["导出说明"]
    # The only difference: each prefecture's own top division.
    assert a["行政区划"][1][:3] == ["530100", "昆明市", "州市"] and b["行政区划"][1][:3] == ["539901", "台账测试州", "州市"]
    for sheets in (a, b):
        sheets["行政区划"] = [r for r in sheets["行政区划"] if r[2] != "州市"]
        sheets["行政区划"] = [[c if i != 3 or c not in ("530100", "539901") else "ROOT" for i, c in enumerate(r)]
                              for r in sheets["行政区划"]]
    assert a == b
    with schema_context("kunming"):
        assert facts() == original    # the source is untouched


def test_an_export_imported_back_into_its_own_prefecture_changes_nothing(ledger, tmp_path):
    from liaison.tenants.opinions import services as opinions

    # two steps of one opinion in the same second, as the services can write them
    op = ledger.opinions["registered"]
    at = op.registered_at.replace(microsecond=0) + __import__("datetime").timedelta(minutes=5, microseconds=123)
    opinions.add_attachments(op, attachments=[{"name": "a.txt", "url": "https://example.org/a"}], at=at)
    opinions.add_attachments(op, attachments=[{"name": "b.txt", "url": "https://example.org/b"}], at=at)
    before = facts()
    path = tmp_path / "self.xlsx"
    write_export(path, kinds=["all"], personal=True)
    report = run_import(path, dry_run=False)
    assert report.ok, report.text()
    assert report.totals()["created"] == 0 and report.totals()["updated"] == 0, report.text()
    assert facts() == before


def test_a_zip_of_csv_exports_imports_back(ledger, tmp_path):
    before = facts()
    path = tmp_path / "all.zip"
    write_export(path, kinds=["all"], fmt="csv", encoding="gbk", personal=True)
    report = run_import(path, dry_run=False)
    assert report.ok, report.text()
    assert [s.kind for s in report.sheets] == ["divisions", "positions", "deputies", "stationing", "units", "opinions",
                                                 "opinion_history"]
    assert report.totals()["created"] == 0 and report.totals()["updated"] == 0
    assert facts() == before
