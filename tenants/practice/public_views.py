"""公示: published random-audit results on the prefecture's own host, for anyone. Only
deputies, positions, record kinds and dates, results and the office's notes — never a
citizen's name, phone, address or the content of what they raised."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from .selectors import audits as sel


def audit_list(request):
    return render(request, "practice/audit_list.html", {"audits": sel.published_audits(), "prefecture": request.tenant})


def audit_page(request, pk: int):
    audit = sel.published_audits().filter(pk=pk).first()
    if audit is None:
        raise Http404("no such published audit")
    rows = sel.public_rows(audit)
    counts = {label: sum(1 for r in rows if r.result == label) for label in {r.result for r in rows}}
    return render(request, "practice/audit.html", {"audit": audit, "rows": rows, "counts": counts, "prefecture": request.tenant})
