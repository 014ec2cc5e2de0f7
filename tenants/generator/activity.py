"""Optional stages for the domain models of issue 3: status history, checklist and
checks, stationing, staff, annual plans, events with scheduled deputies, sign-ins,
receptions and visitors, points rules. Each runs only when its model exists.

Totals follow the published figures: sign-ins at activities are "deputy visits"
(person-times) and receptions' people_received sum to "people received", both
exactly the scaled targets.
"""
from __future__ import annotations

from datetime import date, time, timedelta

from . import text
from .bulk import get_model, has_fields
from .engine import SINCE, Dep, Pos, aware
from .shape import allocate

STATION_TIERS = ("station", "professional", "special")


def status_history(gen) -> None:
    model = get_model("positions.PositionStatusChange")
    ids = gen.loader.reserve_ids(model, sum(len(p.history) for p in gen.ctx.positions))
    it = iter(ids)
    rows = []
    for p in gen.ctx.positions:
        for frm, to, on in p.history:
            rows.append({"id": next(it), "position_id": p.id, "from_status": frm, "to_status": to, "changed_on": on,
                         "note": "", "derived": to == "standard", "_when": aware(on, time(10))})
    gen.loader.copy(model, rows, label="status changes")


def checklist(gen) -> None:
    """The prefecture's checklist (from the province's 七有 template when empty) and one
    check per item for every physical position that got that far."""
    item_model, check_model = get_model("positions.StandardItem"), get_model("positions.StandardCheck")
    rng = gen.rng("checklist")
    items = list(item_model.objects.filter(active=True).order_by("order", "code").values_list("id", flat=True))
    if not items:
        template = get_model("roster.StandardTemplateItem")
        source = list(template.objects.filter(active=True).order_by("order", "code").values_list("code", "name", "description", "order"))
        if not source:
            source = [(f"item{i + 1}", name, "", i) for i, name in enumerate(["有场所", "有标识", "有制度", "有设施", "有活动", "有台账", "有成效"])]
        items = gen.loader.reserve_ids(item_model, len(source))
        gen.loader.copy(item_model, ({"id": pk, "code": c, "name": n, "description": d, "order": o, "active": True, "from_template": True}
                                     for pk, (c, n, d, o) in zip(items, source)), label="checklist items")
    rows = []
    for p in gen.ctx.positions:
        if p.tier == "online" or p.status in ("planned",):
            continue
        checked = p.history[-1][2]
        for item in items:
            if p.status == "standard":
                met = True
            elif p.status == "building":
                met = rng.random() < 0.3
            else:
                met = rng.random() < 0.75
            rows.append({"position_id": p.id, "item_id": item, "met": met, "checked_on": checked,
                         "evidence_note": "现场核查，资料齐全" if met else "", "_when": aware(checked, time(11))})
    for row, pk in zip(rows, gen.loader.reserve_ids(check_model, len(rows))):
        row["id"] = pk
    gen.loader.copy(check_model, rows, label="standard checks")
    # An "open" position that happens to meet every item would be derived as standard by
    # the services; the generator keeps its status, which only means evidence is pending.


def stationing(gen) -> None:
    model = get_model("deputies.Stationing")
    rng = gen.rng("stationing")
    ctx = gen.ctx
    physical = [p for p in ctx.positions if p.tier != "online" and p.established is not None]
    by_division: dict[int, list[Pos]] = {}
    by_county: dict[str, list[Pos]] = {}
    for p in physical:
        by_division.setdefault(p.division.id, []).append(p)
        by_county.setdefault(p.county or "", []).append(p)
    homes = [p for p in physical if p.tier == "home"]
    share = {"township": 0.8, "county": 0.85, "prefecture": 0.9, "provincial": 0.95, "national": 0.95}
    pairs: list[tuple[Dep, Pos, str]] = []
    for d in ctx.deputies:
        if not d.active or rng.random() > share.get(d.level, 0.8):
            continue
        div = d.division
        candidates = by_division.get(div.id)
        if not candidates and div.level == "village":
            candidates = [p for p in by_division.get(div.parent_id, []) if p.tier == "station"]
        if not candidates:
            pool = by_county.get(d.county or "", [])
            if d.level in ("national", "provincial", "prefecture"):
                candidates = [p for p in pool if p.tier == "home"] or homes
            else:
                candidates = [p for p in pool if p.tier == "station"] or pool
        if candidates:
            pairs.append((d, rng.choice(candidates), "area"))
    at: dict[int, set[int]] = {}
    for d, p, _ in pairs:
        at.setdefault(p.id, set()).add(d.id)
    # Every station-type position needs three deputies; professional ones by field.
    for p in physical:
        if p.tier not in STATION_TIERS:
            continue
        here = at.setdefault(p.id, set())
        need = (rng.randint(3, 8) if p.tier == "professional" else 3) - len(here)
        if need <= 0:
            continue
        pool = [d for d in ctx.deputies_by_county.get(p.county or "", []) if d.active and d.id not in here] or \
            [d for d in ctx.deputies if d.active and d.id not in here]
        for d in rng.sample(pool, min(need, len(pool))):
            pairs.append((d, p, "field" if p.tier == "professional" else "area"))
            here.add(d.id)
    ids = gen.loader.reserve_ids(model, len(pairs))
    ctx.stationed = {}
    rows = []
    for (d, p, basis), pk in zip(pairs, ids):
        start = max(p.established or SINCE, SINCE - timedelta(days=rng.randint(0, 700)))
        start = min(start, gen.as_of)
        rows.append({"id": pk, "deputy_id": d.id, "position_id": p.id, "basis": basis, "start_on": start, "end_on": None,
                     "note": "", "_when": aware(start, time(9))})
        ctx.stationed.setdefault(p.id, []).append(d)
    gen.loader.copy(model, rows, label="stationings")


def staff(gen) -> None:
    model = get_model("positions.Staff")
    rng = gen.rng("staff")
    roles = {
        "home": [("head", 1), ("deputy_head", 1), ("liaison", 2), ("network_admin", 1)],
        "station": [("head", 1), ("deputy_head", 0.6), ("liaison", 1), ("consultant", 0.3), ("observer", 2)],
        "office": [("head", 1), ("liaison", 1), ("observer", 1)],
        "professional": [("head", 1), ("liaison", 1), ("consultant", 1)],
        "special": [("head", 1), ("liaison", 1)],
    }
    rows = []
    for p in gen.ctx.positions:
        if p.tier not in roles or p.established is None:
            continue
        stationed = gen.ctx.stationed.get(p.id, [])
        for role, expected in roles[p.tier]:
            n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            for _ in range(n):
                start = max(p.established, SINCE - timedelta(days=rng.randint(0, 900)))
                deputy = rng.choice(stationed) if stationed and role in ("head", "deputy_head") and rng.random() < 0.4 else None
                name = deputy.name if deputy else text.person_name(rng)
                if role == "head" and rng.random() < 0.15 and (gen.as_of - start).days > 400:
                    # a former head, replaced
                    end = start + timedelta(days=rng.randint(200, (gen.as_of - start).days - 100))
                    rows.append({"position_id": p.id, "role": role, "name": text.person_name(rng), "deputy_id": None,
                                 "phone": text.phone(rng), "email": "", "start_on": start, "end_on": end, "_when": aware(start, time(9))})
                    start = end + timedelta(days=1)
                rows.append({"position_id": p.id, "role": role, "name": name, "deputy_id": deputy.id if deputy else None,
                             "phone": text.phone(rng), "email": "", "start_on": start, "end_on": None, "_when": aware(start, time(9))})
    for row, pk in zip(rows, gen.loader.reserve_ids(model, len(rows))):
        row["id"] = pk
    gen.loader.copy(model, rows, label="staff")


def points_rules(gen) -> None:
    """About half the prefectures score the performance record with points."""
    model = get_model("deputies.PointsRule")
    if gen.rng("points").random() < 0.5:
        return
    from .bulk import choice_values

    points = {"duty_day": 2, "reception": 2, "people_received": 0.2, "visit": 1, "inspection": 2, "survey": 2, "training": 1,
              "campaign": 1, "report": 5, "opinion": 0.5, "suggestion": 3}
    metrics = [m for m in choice_values(model, "metric") if m in points]
    ids = gen.loader.reserve_ids(model, len(metrics))
    from decimal import Decimal

    gen.loader.copy(model, ({"id": pk, "metric": m, "points": Decimal(str(points[m])), "cap_per_year": Decimal("100") if m == "people_received" else None,
                             "active": True} for pk, m in zip(ids, metrics)), label="points rules")


def events(gen) -> None:
    """Reception days and other activities since 2019, with sign-ins and receptions."""
    Event = get_model("activities.Event")
    SignIn, Scheduled = get_model("activities.SignIn"), get_model("activities.ScheduledDeputy")
    Reception, Visitor, Plan = get_model("activities.Reception"), get_model("activities.Visitor"), get_model("activities.AnnualPlan")
    rng = gen.rng("events")
    ctx, t = gen.ctx, gen.targets
    places = [p for p in ctx.positions if p.tier != "online" and p.established is not None]
    if not places:
        return
    visits = t.deputy_visits
    people = t.people_received
    # 55 % of deputy visits are duty on reception days (about 2.25 deputies signed in
    # each); the rest are visits, inspections, surveys, training… (about 4 each).
    n_rec = max(1, round(visits * 0.55 / 2.25)) if visits else 0
    n_other = max(0, round(visits * 0.45 / 4.0))
    tier_w = {"home": 6.0, "station": 4.0, "office": 0.5, "professional": 2.0, "special": 1.5}
    weights = [tier_w.get(p.tier, 1.0) * rng.lognormvariate(0, 0.4) for p in places]
    plan_ids = {}
    if Plan is not None:
        plan_rows = []
        for p in places:
            first = max(SINCE.year, p.established.year, gen.as_of.year - 1 if gen.demo else 0)
            for year in range(first, gen.as_of.year + 1):
                n_days = {"home": 24, "station": 12, "office": 6}.get(p.tier, 8)
                plan_rows.append({"position_id": p.id, "year": year, "title": f"{p.name}{year}年度活动计划",
                                  "content": f"全年安排接待日{n_days}次，开展走访、视察、调研等活动。",
                                  "reception_days_planned": n_days, "other_activities_planned": n_days // 2,
                                  "_when": aware(date(year, 1, 5), time(9))})
        for row, pk in zip(plan_rows, gen.loader.reserve_ids(Plan, len(plan_rows))):
            row["id"] = pk
            plan_ids[(row["position_id"], row["year"])] = pk
        gen.loader.copy(Plan, plan_rows, label="annual plans")
    kinds = [("visit", 40), ("inspection", 15), ("survey", 15), ("training", 12), ("campaign", 12), ("report", 6)]
    kind_names = {"reception_day": "接待日", "visit": "走访", "inspection": "视察", "survey": "调研", "training": "培训",
                  "campaign": "主题活动", "report": "向选民述职"}
    picks = rng.choices(places, weights=weights, k=n_rec + n_other)
    signed = allocate(round(visits * 0.55), [rng.uniform(0.5, 1.5) for _ in range(n_rec)]) + \
        allocate(visits - round(visits * 0.55), [rng.uniform(0.4, 1.6) for _ in range(n_other)])
    received = allocate(people, [rng.lognormvariate(0, 0.6) for _ in range(n_rec)])
    specs = []
    for i, p in enumerate(picks):
        kind = "reception_day" if i < n_rec else rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
        day = gen.months.day(rng, p.established)
        specs.append((day, rng.randint(8, 15), i, p, kind))
    # Beyond the targets: a few cancelled activities, and upcoming reception days
    # announced but not yet held (neither has sign-ins or people received).
    for j in range((n_rec + n_other) // 50):
        p = rng.choice(places)
        specs.append((gen.months.day(rng, p.established), 9, None, p, "reception_day" if j % 2 else "visit"))
    upcoming = max(1, n_rec // 200) if n_rec else 0
    for j in range(upcoming):
        p = rng.choice(places)
        specs.append((gen.as_of + timedelta(days=rng.randint(1, 20)), 9, None, p, "reception_day"))
    specs.sort(key=lambda s: (s[0], s[1], s[2] if s[2] is not None else 10**9))
    ids = gen.loader.reserve_ids(Event, len(specs))
    event_rows, sched_rows, sign_rows, rec_rows, visitor_rows = [], [], [], [], []
    for (day, hour, i, p, kind), pk in zip(specs, ids):
        start = aware(day, time(hour))
        future = day > gen.as_of
        cancelled = not future and i is None
        status = "announced" if future else ("cancelled" if cancelled else "held")
        k_signed = 0 if (future or cancelled or i is None) else signed[i]
        pool = ctx.stationed.get(p.id) or ctx.deputies_by_county.get(p.county or "") or ctx.deputies
        want = min(len(pool), max(k_signed, 1) + (1 if kind == "reception_day" and rng.random() < 0.25 else 0))
        chosen = rng.sample(pool, want) if pool else []
        attendees = chosen[:k_signed]
        if len(attendees) < k_signed:  # more person-times than deputies stationed: widen to county, then prefecture
            for wider in (ctx.deputies_by_county.get(p.county or "") or [], ctx.deputies):
                taken = {d.id for d in chosen} | {d.id for d in attendees}
                extra = [d for d in wider if d.id not in taken]
                attendees += rng.sample(extra, min(len(extra), k_signed - len(attendees)))
        title = f"{p.name}{kind_names[kind]}" if kind == "reception_day" else f"代表{kind_names[kind]}：{text.rng_topic(rng)}"
        event_rows.append({
            "id": pk, "position_id": p.id, "plan_id": plan_ids.get((p.id, day.year)), "kind": kind, "title": title[:200],
            "starts_at": start, "ends_at": start + timedelta(hours=3 if kind == "reception_day" else 2), "place": p.name,
            "description": "", "status": status, "announced_at": start - timedelta(days=3) if kind == "reception_day" else None,
            "_when": start - timedelta(days=5),
        })
        scheduled = chosen + attendees if kind == "reception_day" else attendees
        for d in {d.id: d for d in scheduled}.values():
            sched_rows.append({"event_id": pk, "deputy_id": d.id, "_when": start - timedelta(days=4)})
        for d in attendees:
            sign_rows.append({"event_id": pk, "deputy_id": d.id, "signed_at": start + timedelta(minutes=rng.randint(-15, 40)),
                              "method": rng.choice(("staff", "qr", "qr", "self")), "_when": start})
        if kind == "reception_day" and i is not None and status == "held":
            n_people = received[i]
            lead = attendees[0] if attendees else None
            rec_rows.append({"event_id": pk, "deputy_id": lead.id if lead else None, "people_received": n_people,
                             "summary": f"接待群众{n_people}人次，收集意见建议{max(0, n_people // 3)}条。",
                             "recorded_at": start + timedelta(hours=3), "_when": start + timedelta(hours=3)})
    gen.loader.copy(Event, event_rows, label="events")
    if Scheduled is not None:
        for row, pk in zip(sched_rows, gen.loader.reserve_ids(Scheduled, len(sched_rows))):
            row["id"] = pk
        gen.loader.copy(Scheduled, sched_rows, label="scheduled deputies")
    if SignIn is not None:
        for row, pk in zip(sign_rows, gen.loader.reserve_ids(SignIn, len(sign_rows))):
            row["id"] = pk
        gen.loader.copy(SignIn, sign_rows, label="sign-ins")
    if has_fields(Reception, "people_received"):
        rec_ids = gen.loader.reserve_ids(Reception, len(rec_rows))
        for row, pk in zip(rec_rows, rec_ids):
            row["id"] = pk
            if Visitor is not None and rng.random() < 0.2:
                for _ in range(rng.randint(1, 2)):
                    visitor_rows.append({"reception_id": pk, "name": text.person_name(rng), "phone": text.phone(rng),
                                         "address": "", "matter": text.rng_topic(rng)})
        gen.loader.copy(Reception, rec_rows, label="receptions")
        if visitor_rows:
            for row, pk in zip(visitor_rows, gen.loader.reserve_ids(Visitor, len(visitor_rows))):
                row["id"] = pk
            gen.loader.copy(Visitor, visitor_rows, label="visitors")


STAGES = [
    ("status history", status_history),
    ("checklist", checklist),
    ("stationing", stationing),
    ("staff", staff),
    ("points rules", points_rules),
    ("events", events),
]
