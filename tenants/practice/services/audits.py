"""随机抽查: draw a seeded sample of deputies' records, record each check, publish (公示)."""
from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import FieldError

from ..common import load, now, raise_if, required_text
from ..models import Audit, AuditItem, AuditResult
from ..selectors import audits as sel


def draw_audit(*, title: str, period_start: dt.date, period_end: dt.date, sample_size: int, seed: int | None = None,
               actor: str = "", at: dt.datetime | None = None) -> Audit:
    errors: list[FieldError] = []
    title = required_text(title, "title", errors, 200)
    if not isinstance(period_start, dt.date):
        errors.append(FieldError("period_start", _("须为日期"), "required"))
    if not isinstance(period_end, dt.date):
        errors.append(FieldError("period_end", _("须为日期"), "required"))
    elif isinstance(period_start, dt.date) and period_end < period_start:
        errors.append(FieldError("period_end", _("抽查期间止不能早于起"), "before_start"))
    if not isinstance(sample_size, int) or isinstance(sample_size, bool) or sample_size < 1:
        errors.append(FieldError("sample_size", _("样本量须为正整数"), "invalid"))
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63):
        errors.append(FieldError("seed", _("随机种子须为非负整数"), "invalid"))
    raise_if(errors)
    records = sel.population(period_start, period_end)
    if sample_size > len(records):
        raise_if([FieldError("sample_size", _("样本量 %(n)s 大于该期间的记录总数 %(total)s") % {"n": sample_size, "total": len(records)},
                             "too_large")])
    seed = secrets.randbelow(2**31) if seed is None else seed
    with transaction.atomic():
        audit = Audit.objects.create(title=title, period_start=period_start, period_end=period_end, seed=seed, sample_size=sample_size,
                                     population_size=len(records), drawn_at=now(at), drawn_by=actor[:128])
        AuditItem.objects.bulk_create([AuditItem(audit=audit, kind=r.kind, record_id=r.record_id, deputy_id=r.deputy_id,
                                                 position_id=r.position_id, record_date=r.day)
                                       for r in sel.sample(records, sample_size, seed)])
    return audit


def record_check(item, *, result: str, note: str = "", actor: str = "", at: dt.datetime | None = None) -> AuditItem:
    """核查结果: 真实 / 不实 / 待核实; 不实 needs a note. A published audit is final."""
    with transaction.atomic():
        item = load(AuditItem, item, "item", lock=True)
        errors: list[FieldError] = []
        if result not in AuditResult.values:
            errors.append(FieldError("result", _("结果须为真实、不实或待核实"), "invalid"))
        note = (note or "").strip()
        if result == AuditResult.FALSE and not note:
            errors.append(FieldError("note", _("不实须说明情况"), "required"))
        if item.audit.published_at:
            errors.append(FieldError("item", _("已公示的抽查不能再修改"), "published"))
        raise_if(errors)
        item.result, item.note, item.checked_at, item.checked_by = result, note, now(at), actor[:128]
        item.save(update_fields=["result", "note", "checked_at", "checked_by"])
    return item


def publish_audit(audit, *, at: dt.datetime | None = None) -> Audit:
    with transaction.atomic():
        audit = load(Audit, audit, "audit", lock=True)
        if audit.published_at:
            raise_if([FieldError("audit", _("已经公示"), "published")])
        audit.published_at = now(at)
        audit.save(update_fields=["published_at"])
    return audit
