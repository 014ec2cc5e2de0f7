"""Year-end attendance notices (XLSX, outbox, kept), absence flags, 约谈 and 劝辞."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from liaison.tenants.common.errors import ServiceError
from liaison.tenants.notifications.models import Notification
from liaison.tenants.practice.models import AttendanceNotice, ResignationAdvice, Talk
from liaison.tenants.practice.selectors import notices as sel
from liaison.tenants.practice.services import notices

from .conftest import at, event

pytestmark = pytest.mark.django_db


def fields(exc):
    return {e.field: e.code for e in exc.value.errors}


@pytest.fixture
def year_2024(km):
    a, b, c = km.deputies[:3]
    for month in (2, 4, 6, 8):
        event(km.station, at(2024, month, 5), scheduled=[a, b, c], signed=[a] + ([b] if month < 6 else []))
    event(km.station, at(2024, 9, 1), kind="visit", signed=[c])
    return km


def test_each_deputy_gets_a_notice_with_their_own_and_their_stations_attendance(year_2024):
    km = year_2024
    created = notices.generate_year_end_notices(2024)
    assert {(n.deputy_id, n.position_id) for n in created} == {(d.pk, km.station.pk) for d in km.deputies[:3]} | {
        (km.deputies[3].pk, km.office.pk), (km.other.pk, km.station2.pk)}
    notice = AttendanceNotice.objects.get(deputy=km.deputies[1], year=2024)
    assert (notice.scheduled, notice.attended) == (4, 2)
    wb = load_workbook(io.BytesIO(bytes(notice.document)))
    assert wb.sheetnames == ["本人出勤", "本站代表出勤"]
    own = {row[0]: row[1] for row in wb["本人出勤"].iter_rows(min_row=2, values_only=True)}
    assert own["代表"] == "代表2" and own["缺席接待日"] == 2 and own["出勤率"] == "50.0%"
    mates = list(wb["本站代表出勤"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3], r[6]) for r in mates] == [("代表1", 4, 4, 0), ("代表2", 4, 2, 0), ("代表3", 4, 0, 1)]
    # Queued in the outbox, once; a second run keeps what was sent and queues nothing.
    assert notice.notification.subject == "2024 年度履职出勤通知书" and "应到接待日 4 次，实到 2 次" in notice.notification.body
    count = Notification.objects.count()
    assert notices.generate_year_end_notices(2024) == [] and Notification.objects.count() == count


def test_bad_year_and_unknown_position_are_field_errors(km):
    with pytest.raises(ServiceError) as exc:
        notices.generate_year_end_notices(1999, position=999999)
    assert fields(exc) == {"year": "invalid", "position": "not_found"}
    assert not AttendanceNotice.objects.exists()


def test_absence_flags_follow_the_threshold(year_2024):
    km = year_2024
    flagged = {f.deputy.pk: f.attendance.absent for f in sel.absence_flags(2024)}
    assert flagged == {km.deputies[2].pk: 4}  # threshold 3: deputy 2 missed two only
    assert {f.deputy.pk for f in sel.absence_flags(2024, position=km.station2)} == set()


def test_talk_then_advice_to_resign_with_history(year_2024):
    d = year_2024.deputies[2]
    with pytest.raises(ServiceError) as exc:
        notices.advise_resignation(d, advised_on=dt.date(2025, 1, 10), reason="长期缺席")
    assert fields(exc) == {"talk": "talk_first"}
    with pytest.raises(ServiceError) as exc:
        notices.record_talk(d, held_on=dt.date(2025, 1, 5), note=" ")
    assert fields(exc) == {"note": "required"}
    notices.record_talk(d, held_on=dt.date(2025, 1, 5), note="约谈：说明缺席原因", actor="人大办")
    advice = notices.advise_resignation(d, advised_on=dt.date(2025, 3, 1), reason="约谈后仍未参加", actor="人大办")
    with pytest.raises(ServiceError) as exc:
        notices.advise_resignation(d, advised_on=dt.date(2025, 3, 2), reason="again")
    assert fields(exc) == {"deputy": "already_advised"}
    notices.close_resignation_advice(advice, status="resigned", note="本人已提出辞职")
    with pytest.raises(ServiceError):
        notices.close_resignation_advice(advice, status="withdrawn")
    assert [e.status for e in advice.history.all()] == ["advised", "resigned"]
    flag = sel.absence_flags(2024)[0]
    assert [t.note for t in flag.talks] == ["约谈：说明缺席原因"] and flag.advice[0].status == "resigned"


def test_qujing_cannot_see_or_change_kunming_records(year_2024, qj_schema):
    d = year_2024.deputies[2]
    notices.generate_year_end_notices(2024)
    talk = notices.record_talk(d, held_on=dt.date(2025, 1, 5), note="约谈")
    advice = notices.advise_resignation(d, advised_on=dt.date(2025, 3, 1), reason="劝辞")
    with qj_schema():
        assert not AttendanceNotice.objects.exists() and not Talk.objects.filter(pk=talk.pk).exists()
        with pytest.raises(ServiceError) as exc:
            notices.close_resignation_advice(advice.pk, status="withdrawn")
        assert fields(exc) == {"advice": "not_found"}
        with pytest.raises(ServiceError) as exc:
            notices.record_talk(d.pk, held_on=dt.date(2025, 1, 5), note="x")
        assert "deputy" in fields(exc)
    assert ResignationAdvice.objects.get(pk=advice.pk).status == "advised"
