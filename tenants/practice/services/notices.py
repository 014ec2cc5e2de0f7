"""Year-end attendance notices (an XLSX per deputy and station, queued in the outbox and
kept), talks (约谈) and advice to resign (劝辞) with its history."""
from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies import selectors as deputy_selectors
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.notifications import services as outbox
from liaison.tenants.positions.models import Position

from ..common import load, now, raise_if, required_text
from ..models import AttendanceNotice, ResignationAdvice, ResignationEvent, Talk
from ..selectors import notices as sel


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def build_document(year: int, deputy: Deputy, position: Position) -> tuple[bytes, sel.Attendance]:
    """The notice as XLSX: sheet 1 the deputy's own attendance, sheet 2 every deputy's at the station."""
    mates = sel.station_mates(year, position)
    att = sel.attendance(year, [d.pk for d in mates] + [deputy.pk], position=position)
    own = att[deputy.pk]
    wb = Workbook()
    ws = wb.active
    ws.title = _("本人出勤")
    ws.append([_("%(year)s 年度代表履职出勤通知书") % {"year": year}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("代表"), deputy.name])
    ws.append([_("代表证号"), deputy.roll_number])
    ws.append([_("阵地"), position.name])
    ws.append([_("应到接待日"), own.scheduled])
    ws.append([_("实到接待日"), own.attended])
    ws.append([_("缺席接待日"), own.absent])
    ws.append([_("出勤率"), _pct(own.rate)])
    ws.append([_("参加其他活动"), own.other_activities])
    mates_ws = wb.create_sheet(_("本站代表出勤"))
    mates_ws.append([_("代表"), _("代表证号"), _("应到接待日"), _("实到接待日"), _("缺席接待日"), _("出勤率"), _("参加其他活动")])
    for cell in mates_ws[1]:
        cell.font = Font(bold=True)
    for d in mates:
        a = att[d.pk]
        mates_ws.append([d.name, d.roll_number, a.scheduled, a.attended, a.absent, _pct(a.rate), a.other_activities])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), own


def generate_year_end_notices(year: int, position=None, *, at: dt.datetime | None = None) -> list[AttendanceNotice]:
    """One notice per deputy and station they were stationed at during `year` (all
    stations, or `position` only); existing notices are kept as they were sent. Each new
    notice is queued in the outbox for the deputy in the same transaction."""
    errors: list[FieldError] = []
    today = timezone.localdate(now(at))
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= today.year:
        errors.append(FieldError("year", _("年度须为 2000 年至今年之间的年份"), "invalid"))
    if position is not None:
        try:
            position = load(Position, position, "position")
        except ServiceError as exc:
            errors += exc.errors
    raise_if(errors)
    created = []
    with transaction.atomic():
        for st in sel.stationings_in_year(year, position):
            if AttendanceNotice.objects.filter(deputy=st.deputy, position=st.position, year=year).exists():
                continue
            document, own = build_document(year, st.deputy, st.position)
            notice = AttendanceNotice.objects.create(
                deputy=st.deputy, position=st.position, year=year, document=document, scheduled=own.scheduled, attended=own.attended,
                filename=f"{year}-{st.position.code}-{st.deputy.roll_number}.xlsx")
            channel, address = deputy_selectors.contact_for(st.deputy)
            notice.notification = outbox.enqueue(
                recipient_kind="deputy", recipient_id=st.deputy.pk, address=address, channel=channel,
                subject=_("%(year)s 年度履职出勤通知书") % {"year": year},
                body=_("%(name)s代表：您 %(year)s 年在%(position)s应到接待日 %(scheduled)s 次，实到 %(attended)s 次。"
                       "本站全体代表出勤情况见通知书（编号 %(id)s）。") % {
                    "name": st.deputy.name, "year": year, "position": st.position.name, "scheduled": own.scheduled,
                    "attended": own.attended, "id": notice.pk},
                dedupe_key=f"practice:notice:{notice.pk}")
            notice.save(update_fields=["notification"])
            created.append(notice)
    return created


def record_talk(deputy, *, held_on: dt.date, note: str, actor: str = "") -> Talk:
    errors: list[FieldError] = []
    try:
        deputy = load(Deputy, deputy, "deputy")
    except ServiceError as exc:
        errors += exc.errors
    if not isinstance(held_on, dt.date):
        errors.append(FieldError("held_on", _("须为日期"), "required"))
    elif held_on > timezone.localdate():
        errors.append(FieldError("held_on", _("约谈日期不能晚于今天"), "in_future"))
    note = required_text(note, "note", errors)
    raise_if(errors)
    return Talk.objects.create(deputy=deputy, held_on=held_on, note=note, recorded_by=actor[:128])


def advise_resignation(deputy, *, advised_on: dt.date, reason: str, actor: str = "", at: dt.datetime | None = None) -> ResignationAdvice:
    """劝辞 after a talk (约谈) on or before that day; one open advice per deputy."""
    errors: list[FieldError] = []
    try:
        deputy = load(Deputy, deputy, "deputy")
    except ServiceError as exc:
        errors += exc.errors
        deputy = None
    if not isinstance(advised_on, dt.date):
        errors.append(FieldError("advised_on", _("须为日期"), "required"))
        advised_on = None
    reason = required_text(reason, "reason", errors)
    talk = None
    if deputy is not None and advised_on is not None:
        talk = Talk.objects.filter(deputy=deputy, held_on__lte=advised_on).order_by("-held_on", "-id").first()
        if talk is None:
            errors.append(FieldError("talk", _("劝辞前须先约谈该代表"), "talk_first"))
        if ResignationAdvice.objects.filter(deputy=deputy, status=ResignationAdvice.Status.ADVISED).exists():
            errors.append(FieldError("deputy", _("该代表已有未结束的劝辞记录"), "already_advised"))
    raise_if(errors)
    with transaction.atomic():
        advice = ResignationAdvice.objects.create(deputy=deputy, talk=talk, advised_on=advised_on, reason=reason)
        ResignationEvent.objects.create(advice=advice, status=advice.status, note=reason, at=now(at), actor=actor[:128])
    return advice


def close_resignation_advice(advice, *, status: str, note: str = "", actor: str = "", at: dt.datetime | None = None) -> ResignationAdvice:
    """劝辞 ends: withdrawn (the deputy changed) or resigned; the history keeps every step."""
    with transaction.atomic():
        advice = load(ResignationAdvice, advice, "advice", lock=True)
        errors: list[FieldError] = []
        if status not in (ResignationAdvice.Status.WITHDRAWN, ResignationAdvice.Status.RESIGNED):
            errors.append(FieldError("status", _("只能改为已撤回或已辞职"), "invalid"))
        if advice.status != ResignationAdvice.Status.ADVISED:
            errors.append(FieldError("advice", _("该劝辞记录已结束"), "illegal_transition"))
        raise_if(errors)
        advice.status = status
        advice.save(update_fields=["status"])
        ResignationEvent.objects.create(advice=advice, status=status, note=(note or "").strip(), at=now(at), actor=actor[:128])
    return advice
