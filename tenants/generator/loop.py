"""The opinion loop for generated opinions: each opinion is taken through the steps
the opinions services allow (register → triage → refer with a working-day deadline,
or explain (依法疏导), or raise as a deputy suggestion → reply → deliver → rate →
close; 不满意 reopens for a round due within one month), stopping where the as-of
date falls. The result is what the services would have written: the opinion's
handling fields, Referral, Reply, Evaluation, Suggestion and Transition rows.

Simulated in Python (no queries per opinion), written with COPY. Models that do not
exist are skipped; without Referral the status comes from a mix by age.
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from .bulk import choice_values, get_model
from .engine import aware, local_day
from . import text

LATE_STAGES: list = []

DEPARTMENTS = [  # (name suffix at county/prefecture level, province name, categories)
    ("交通运输局", "云南省交通运输厅", ["transport"]),
    ("教育体育局", "云南省教育厅", ["education_culture_health"]),
    ("卫生健康局", "云南省卫生健康委员会", ["education_culture_health"]),
    ("医疗保障局", "云南省医疗保障局", ["education_culture_health"]),
    ("农业农村局", "云南省农业农村厅", ["agriculture"]),
    ("水务局", "云南省水利厅", ["agriculture"]),
    ("住房和城乡建设局", "云南省住房和城乡建设厅", ["urban_rural"]),
    ("自然资源局", "云南省自然资源厅", ["urban_rural"]),
    ("生态环境局", "云南省生态环境厅", ["environment"]),
    ("人力资源和社会保障局", "云南省人力资源和社会保障厅", ["law_social_security"]),
    ("民政局", "云南省民政厅", ["law_social_security"]),
    ("公安局", "云南省公安厅", ["law_social_security"]),
    ("发展和改革局", "云南省发展和改革委员会", ["economy"]),
    ("商务局", "云南省商务厅", ["economy"]),
    ("政务服务管理局", "云南省政务服务管理局", ["other"]),
]
OUTCOMES = (("A", 50), ("B", 22), ("C", 18), ("D", 10))
SATISFACTION = {1: (("satisfied", 74), ("basically", 19), ("dissatisfied", 7)),
                2: (("satisfied", 78), ("basically", 19), ("dissatisfied", 3))}


def pick(rng: random.Random, mix) -> str:
    return rng.choices([k for k, _ in mix], weights=[w for _, w in mix])[0]


class Ref:
    """A row whose id is assigned when it is written (for ids inside JSON data)."""

    __slots__ = ("id", "row")

    def __init__(self, row: dict):
        self.id = None
        self.row = row


class Loop:
    def __init__(self, gen):
        self.gen = gen
        self.rng = gen.rng("loop")
        self.limit = aware(gen.as_of, time(18))
        m = {name: get_model(f"opinions.{name}") for name in
             ("Referral", "Reply", "Evaluation", "Transition", "HandlingUnit", "Suggestion", "DeadlinePolicy")}
        self.models = m
        self.units: list[Ref] = []
        self.unit_index: dict[tuple, Ref] = {}
        self.referrals: list[Ref] = []
        self.replies: list[Ref] = []
        self.evaluations: list[dict] = []
        self.transitions: list[tuple] = []  # (opinion Ref|id, suggestion Ref|None, action, from, to, kind, label, note, data, at)
        self.suggestions: list[Ref] = []
        self.policy = {"referral": 15, "rating_window": 15, "suggestion": 3, "suggestion_max": 6, "rehandle": 1}
        if m["DeadlinePolicy"] is not None:
            row = m["DeadlinePolicy"].objects.filter(level="").values().first()
            if row:
                self.policy = {"referral": row.get("referral_working_days", 15), "rating_window": row.get("rating_window_days", 15),
                               "suggestion": row.get("suggestion_months", 3), "suggestion_max": row.get("suggestion_max_months", 6),
                               "rehandle": row.get("rehandle_months", 1)}
        t = gen.targets
        # converted_to_deputy_suggestions / opinions, over the 91 % that are acceptable
        self.convert_p = min(0.4, t.suggestions / t.opinions / 0.91) if t.opinions else 0.0

    # --- handling units --------------------------------------------------------------------
    def make_units(self) -> None:
        if self.models["HandlingUnit"] is None:
            return
        ctx = self.gen.ctx
        kinds = set(choice_values(self.models["HandlingUnit"], "kind"))

        def add(key, name, kind, level, division, categories=(), supervises=False):
            if kind not in kinds:
                kind = "other"
            ref = Ref({"name": name[:128], "kind": kind, "level": level, "division_id": division.id, "supervises": supervises,
                       "contact_name": "", "notify_channel": "console", "notify_address": "", "active": True,
                       "_categories": [ctx.categories[c] for c in categories if c in ctx.categories]})
            self.units.append(ref)
            self.unit_index[key] = ref

        root = ctx.root
        for suffix, province_name, cats in DEPARTMENTS:
            add(("province", suffix), province_name, "province_department", "province", root, cats)
            add(("prefecture", root.code, suffix), f"{self.gen.prefecture.name}{suffix}", "prefecture_department", "prefecture", root, cats)
        add(("prefecture", root.code, "sc"), f"{self.gen.prefecture.name}人大常委会", "prefecture_standing_committee", "prefecture", root, (), True)
        for county in ctx.counties:
            for suffix, _, cats in DEPARTMENTS:
                add(("county", county.code, suffix), f"{county.name}{suffix}", "county_department", "county", county, cats)
            add(("county", county.code, "sc"), f"{county.name}人大常委会", "county_standing_committee", "county", county, (), True)
        for town in ctx.townships:
            street = town.name.endswith("街道")
            add(("township", town.id), f"{town.name}{'办事处' if street else '人民政府'}", "township_government", "township", town)
            add(("township", town.id, "p"), f"{town.name}{'人大工委' if street else '人大主席团'}", "township_presidium", "township", town, (), True)

    def unit_for(self, op) -> Ref | None:
        if not self.units:
            return None
        suffix = next((s for s, _, cats in DEPARTMENTS if op.category in cats and self.rng.random() < 0.7), None)
        if suffix is None:
            suffix = self.rng.choice([s for s, _, cats in DEPARTMENTS if op.category in cats] or ["政务服务管理局"])
        div = op.division
        town_id = div.id if div.level == "township" else (div.parent_id if div.level == "village" else None)
        level = op.jurisdiction
        if level == "township" and town_id is not None and ("township", town_id) in self.unit_index:
            return self.unit_index[("township", town_id)]
        if level in ("township", "county") and div.county:
            return self.unit_index.get(("county", div.county, suffix))
        if level == "province":
            return self.unit_index.get(("province", suffix))
        return self.unit_index.get(("prefecture", self.gen.ctx.root.code, suffix))

    # --- the loop ------------------------------------------------------------------------
    def t(self, op, action, frm, to, at, /, actor="user", label="", note="", suggestion=None, **data):
        if self.models["Transition"] is not None:
            self.transitions.append((op, suggestion, action, frm, to, actor, label, note, data, at))

    def simulate(self, op) -> None:
        rng, row, limit = self.rng, op.row, self.limit
        staff = f"{op.position.name}工作人员"[:128]
        t0 = op.registered_at
        self.t(op, "register", "", "registered", t0, "citizen" if op.channel == "online" else "user",
               "群众" if op.channel == "online" else staff, channel=op.channel)
        row["_updated"] = t0
        t1 = t0 + timedelta(minutes=rng.randint(10, 60 * 24 * 3))
        if t1 > limit:
            return
        row.update(category_id=self.gen.ctx.categories.get(op.category), jurisdiction_level=op.jurisdiction, triaged_at=t1,
                   status="triaged", _updated=t1)
        self.t(op, "triage", "registered", "triaged", t1, label=staff, category=op.category, jurisdiction_level=op.jurisdiction)
        status = "triaged"
        if op.jurisdiction == "not_acceptable":
            at = t1 + timedelta(minutes=rng.randint(30, 60 * 24 * 5))
            if at > limit:
                return
            reply = self.reply(op, at, status, "explanation", "D", None, None, staff)
            self.deliver_rate_close(op, reply, at, allow_dissatisfied=False)
            return
        if self.models["Suggestion"] is not None and rng.random() < self.convert_p:
            lead = self.lead_deputy(op)
            if lead is not None:
                self.suggestion(op, lead, t1, staff)
                return
        unit = self.unit_for(op)
        t2 = t1 + timedelta(minutes=rng.randint(10, 60 * 24 * 2))
        if t2 > limit or self.models["Referral"] is None:
            return
        round_ = 1
        due = self.gen.calendar.add(local_day(t2), self.policy["referral"])
        referral = self.refer(op, unit, t2, due, round_, status, staff)
        status = "referred"
        while True:
            u = rng.random()
            days_left = max(1, (due - local_day(t2)).days)
            if u < 0.72:
                at = t2 + timedelta(days=rng.uniform(0.5, days_left))
            elif u < 0.97:
                at = aware(due, time(17)) + timedelta(days=rng.uniform(1, 45))
            else:
                at = aware(due, time(17)) + timedelta(days=rng.uniform(45, 400))
            escalate_at = aware(self.gen.calendar.add(due, 3), time(9))
            if at > escalate_at and status in ("referred",) and rng.random() < 0.6 and escalate_at <= limit:
                self.t(op, "escalate", status, "escalated", escalate_at, "system", "系统", "逾期未答复，督办上提",
                       level=op.jurisdiction)
                status = "escalated"
                row.update(status=status, _updated=escalate_at)
            if at > limit:
                return
            reply = self.reply(op, at, status, "answer", pick(rng, OUTCOMES), unit, referral, unit.row["name"] if unit else staff)
            reopened_at = self.deliver_rate_close(op, reply, at, allow_dissatisfied=round_ < 3)
            if reopened_at is None:
                return
            round_ += 1
            t2 = reopened_at
            due = self.add_months(local_day(t2), self.policy["rehandle"])
            row.update(round=round_, due_on=due, closed_at=None, closed_reason="", status="reopened", _updated=t2)
            self.t(op, "reopen", "replied", "reopened", t2, label="群众", note="不满意，重新办理", round=round_, due_on=due.isoformat())
            status = "reopened"
            referral = self.new_referral(op, unit, t2, due, round_, note="不满意，重新办理")

    @staticmethod
    def add_months(d, months):
        from .engine import add_months

        return add_months(d, months)

    def refer(self, op, unit, at, due, round_, status, staff) -> Ref | None:
        referral = self.new_referral(op, unit, at, due, round_)
        op.row.update(handling_unit_id=unit, due_on=due, referred_at=op.row.get("referred_at") or at, status="referred", _updated=at)
        self.t(op, "refer", status, "referred", at, label=staff, unit_id=unit, unit=unit.row["name"] if unit else "",
               due_on=due.isoformat())
        return referral

    def new_referral(self, op, unit, at, due, round_, note="") -> Ref | None:
        if self.models["Referral"] is None or unit is None:
            return None
        ref = Ref({"opinion_id": op.id, "round": round_, "unit_id": unit, "to_schema": "", "cross_referral_id": None,
                   "state": "active", "referred_at": at, "due_on": due, "original_due_on": due, "extended_at": None,
                   "extension_approved_by": "", "note": note})
        self.referrals.append(ref)
        return ref

    def reply(self, op, at, status, kind, outcome, unit, referral, label) -> Ref:
        rng = self.rng
        content = text.reply_text(rng, op.keyword, at.year) if kind != "explanation" else \
            "经研究，该事项不属于人大代表联络站受理范围（涉及诉讼程序），已向群众解释相关法律政策，引导其依法通过司法途径解决。"
        reply = Ref({"opinion_id": op.id, "referral_id": referral, "round": op.row.get("round", 1), "kind": kind, "content": content,
                     "outcome": outcome, "unit_id": unit, "from_schema": "", "replied_at": at, "replied_by": label[:128],
                     "due_on": op.row.get("due_on"), "delivered_to_citizen_at": None, "delivered_to_deputy_at": None,
                     "delivered_to_origin_at": None, "_evaluations": []})
        if referral is not None:
            referral.row["state"] = "answered"
        self.replies.append(reply)
        due = op.row.get("due_on")
        on_time = None if due is None else local_day(at) <= due
        op.row.update(replied_at=at, status="replied", _updated=at)
        if kind == "explanation" and not op.row.get("jurisdiction_level"):
            op.row["jurisdiction_level"] = "not_acceptable"
        action = "explain" if kind == "explanation" else "reply"
        self.t(op, action, status, "replied", at, label=label, reply_id=reply, outcome=outcome, kind=kind, on_time=on_time)
        return reply

    def deliver_rate_close(self, op, reply: Ref, replied_at: datetime, allow_dissatisfied: bool) -> datetime | None:
        """Deliver, rate and close a reply; returns the reopening time after a 不满意."""
        rng, limit, row = self.rng, self.limit, op.row
        at = replied_at + timedelta(minutes=rng.randint(30, 60 * 24 * 3))
        if at > limit:
            return None
        to_citizen = bool(row.get("citizen_name") or row.get("citizen_phone") or op.channel == "online")
        to_deputy = op.deputy is not None and rng.random() < 0.9
        if not (to_citizen or to_deputy):
            to_citizen = True
        if to_citizen:
            reply.row["delivered_to_citizen_at"] = at
        if to_deputy:
            reply.row["delivered_to_deputy_at"] = at
        row["_updated"] = at
        self.t(op, "deliver", "replied", "replied", at, label=reply.row["replied_by"],
               to=[w for w, ok in (("citizen", to_citizen), ("deputy", to_deputy)) if ok], reply_id=reply)
        window_end = aware(local_day(at) + timedelta(days=self.policy["rating_window"] + 1), time(2))
        ratings = []
        if to_citizen and rng.random() < 0.62:
            ratings.append(("citizen", None, at + timedelta(minutes=rng.randint(30, 60 * 24 * 14))))
        if to_deputy and rng.random() < 0.75:
            ratings.append(("deputy", op.deputy, at + timedelta(minutes=rng.randint(30, 60 * 24 * 14))))
        ratings.sort(key=lambda r: r[2])
        mix = SATISFACTION[min(row.get("round", 1), 2)]
        if not allow_dissatisfied or reply.row["kind"] != "answer":
            mix = tuple(m for m in mix if m[0] != "dissatisfied")
        rated = 0
        for rater, deputy, rated_at in ratings:
            if rated_at > limit:
                return None
            satisfaction = pick(rng, mix)
            reply.row["_evaluations"].append({"rater": rater, "deputy_id": deputy.id if deputy else None, "satisfaction": satisfaction,
                                              "comment": "" if satisfaction != "dissatisfied" else "问题没有得到解决",
                                              "rated_at": rated_at})
            self.t(op, "rate", "replied", "replied", rated_at, "deputy" if deputy else "citizen", deputy.name if deputy else "群众",
                   rater=rater, satisfaction=satisfaction)
            row["_updated"] = rated_at
            rated += 1
            if satisfaction == "dissatisfied":
                return rated_at
        needed = int(to_citizen) + int(to_deputy)
        if rated == needed:
            close_at, reason, kind, label = ratings[-1][2], "rated", "citizen", "群众"
        else:
            close_at, reason, kind, label = window_end, "rated" if rated else "unrated", "system", "系统"
        if close_at > limit:
            return None
        row.update(status="closed", closed_at=close_at, closed_reason=reason, _updated=close_at)
        self.t(op, "close", "replied", "closed", close_at, kind, label, "" if kind != "system" else "评价期限届满", reason=reason)
        return None

    def lead_deputy(self, op):
        if op.deputy is not None and op.deputy.active:
            return op.deputy
        pool = [d for d in self.gen.ctx.deputies_by_county.get(op.position.county or "", []) if d.active and d.level in ("county", "prefecture")]
        return self.rng.choice(pool) if pool else None

    def suggestion(self, op, lead, t1, staff) -> None:
        rng, limit, row = self.rng, self.limit, op.row
        filed = t1 + timedelta(hours=rng.uniform(2, 24 * 20))
        if filed > limit:
            return
        level = op.jurisdiction if op.jurisdiction in ("township", "county", "prefecture", "province") else "county"
        pool = [d for d in self.gen.ctx.deputies_by_county.get(op.position.county or "", []) if d.active and d.id != lead.id]
        signers = rng.sample(pool, min(len(pool), rng.randint(0, 3)))
        title = row["title"].replace("的意见", "的建议")
        s = Ref({"number": None, "title": title[:200], "content": row["content"], "level": level, "lead_deputy_id": lead.id,
                 "lead_unit_id": None, "status": "filed", "round": 1, "filed_at": filed, "assigned_at": None, "due_on": None,
                 "max_due_on": None, "extension_approved_by": "", "answer": "", "outcome": "", "answered_at": None,
                 "deputy_satisfaction": "", "rated_at": None, "closed_at": None, "_signers": [d.id for d in signers]})
        self.suggestions.append(s)
        self.t(None, "file_suggestion", "", "filed", filed, label=staff, suggestion=s, opinion_ids=[op.id], lead_deputy=lead.name,
               co_signers=[d.name for d in signers])
        row.update(suggestion_id=s, due_on=None, status="converted", _updated=filed)
        self.t(op, "convert_to_suggestion", "triaged", "converted", filed, label=staff, suggestion_id=s)
        assigned = filed + timedelta(days=rng.uniform(3, 20))
        if assigned > limit:
            return
        unit = self.unit_for(op)
        due, max_due = self.add_months(local_day(assigned), self.policy["suggestion"]), self.add_months(local_day(assigned), self.policy["suggestion_max"])
        s.row.update(lead_unit_id=unit, assigned_at=assigned, due_on=due, max_due_on=max_due, status="assigned")
        self.t(None, "assign_suggestion", "filed", "assigned", assigned, label="人大常委会选联工委", suggestion=s,
               lead_unit=unit.row["name"] if unit else "", due_on=due.isoformat())
        row.update(due_on=due, handling_unit_id=unit, _updated=assigned)
        if rng.random() < 0.9:
            answered = assigned + timedelta(days=rng.uniform(15, (due - local_day(assigned)).days))
        else:
            new_due = max_due - timedelta(days=rng.randint(0, 40))
            ext_at = aware(due, time(10)) - timedelta(days=rng.randint(1, 10))
            if ext_at > limit:
                return
            s.row.update(due_on=new_due, extension_approved_by="人大常委会选联工委")
            self.t(None, "extend_suggestion_deadline", "assigned", "assigned", ext_at, label="人大常委会选联工委", suggestion=s,
                   old_due_on=due.isoformat(), new_due_on=new_due.isoformat())
            row.update(due_on=new_due, _updated=ext_at)
            due = new_due
            answered = ext_at + timedelta(days=rng.uniform(5, max(6, (due - local_day(ext_at)).days + 20)))
        if answered > limit:
            return
        outcome = pick(rng, OUTCOMES)
        content = text.reply_text(rng, op.keyword, answered.year)
        s.row.update(answer=content, outcome=outcome, answered_at=answered, status="answered")
        self.t(None, "answer_suggestion", "assigned", "answered", answered, label=unit.row["name"] if unit else "承办单位",
               suggestion=s, outcome=outcome, on_time=local_day(answered) <= due)
        reply = self.reply(op, answered, "converted", "suggestion_answer", outcome, unit, None, unit.row["name"] if unit else "承办单位")
        self.deliver_rate_close(op, reply, answered, allow_dissatisfied=False)
        rated_at = answered + timedelta(days=rng.uniform(1, 20))
        if rated_at > limit:
            return
        satisfaction = pick(rng, (("satisfied", 78), ("basically", 17), ("dissatisfied", 5)))
        s.row.update(deputy_satisfaction=satisfaction, rated_at=rated_at)
        if satisfaction != "dissatisfied":
            s.row.update(status="closed", closed_at=rated_at)
            self.t(None, "rate_suggestion", "answered", "closed", rated_at, "deputy", lead.name, suggestion=s, satisfaction=satisfaction)
            return
        due2 = self.add_months(local_day(rated_at), self.policy["rehandle"])
        s.row.update(status="rehandling", round=2, due_on=due2, max_due_on=due2)
        self.t(None, "rate_suggestion", "answered", "rehandling", rated_at, "deputy", lead.name, "答复不满意", suggestion=s,
               satisfaction=satisfaction, due_on=due2.isoformat())
        again = rated_at + timedelta(days=rng.uniform(5, 28))
        if again > limit:
            return
        s.row.update(answer=text.reply_text(rng, op.keyword, again.year), outcome="A", answered_at=again, status="answered",
                     deputy_satisfaction="", rated_at=None)
        self.t(None, "answer_suggestion", "rehandling", "answered", again, label=unit.row["name"] if unit else "承办单位",
               suggestion=s, outcome="A", on_time=local_day(again) <= due2)
        final = again + timedelta(days=rng.uniform(1, 15))
        if final > limit:
            return
        s.row.update(deputy_satisfaction="satisfied", rated_at=final, status="closed", closed_at=final)
        self.t(None, "rate_suggestion", "answered", "closed", final, "deputy", lead.name, suggestion=s, satisfaction="satisfied")

    # --- writing ----------------------------------------------------------------------
    def write(self, refs) -> None:
        L, m = self.gen.loader, self.models

        def assign(model, items):
            for item, pk in zip(items, L.reserve_ids(model, len(items))):
                item.id = pk

        def resolve(value):
            if isinstance(value, Ref):
                return value.id
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return value

        def resolved(row):
            return {k: resolve(v) for k, v in row.items() if not k.startswith("_") or k in ("_when", "_updated")}

        # Suggestion numbers: YYYY-NNNN in filing order within each year.
        self.suggestions.sort(key=lambda s: s.row["filed_at"])
        seq: dict[int, int] = {}
        for s in self.suggestions:
            year = local_day(s.row["filed_at"]).year
            seq[year] = seq.get(year, 0) + 1
            s.row["number"] = f"{year}-{seq[year]:04d}"
        HU = m["HandlingUnit"]
        if HU is not None and self.units:
            assign(HU, self.units)
            L.copy(HU, (dict(resolved(u.row), id=u.id, _when=self.limit) for u in self.units), label="handling units")
            if _has_m2m(HU, "categories"):
                pairs = [(u.id, c) for u in self.units for c in u.row["_categories"]]
                m2m(L, HU, "categories", pairs, "unit categories")
        if m["Suggestion"] is not None and self.suggestions:
            assign(m["Suggestion"], self.suggestions)
            L.copy(m["Suggestion"], (dict(resolved(s.row), id=s.id, _when=s.row["filed_at"]) for s in self.suggestions), label="suggestions")
            if _has_m2m(m["Suggestion"], "co_signers"):
                pairs = [(s.id, d) for s in self.suggestions for d in s.row["_signers"]]
                m2m(L, m["Suggestion"], "co_signers", pairs, "suggestion co-signers")
        # Opinion rows reference units and suggestions: resolve them now.
        for op in refs:
            for key in ("handling_unit_id", "suggestion_id"):
                if isinstance(op.row.get(key), Ref):
                    op.row[key] = op.row[key].id
        if m["Referral"] is not None and self.referrals:
            assign(m["Referral"], self.referrals)
        if m["Reply"] is not None and self.replies:
            assign(m["Reply"], self.replies)

    def write_after_opinions(self) -> None:
        L, m = self.gen.loader, self.models

        def resolve(value):
            if isinstance(value, Ref):
                return value.id
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return value

        if m["Referral"] is not None and self.referrals:
            L.copy(m["Referral"], ({**{k: resolve(v) for k, v in r.row.items()}, "id": r.id} for r in self.referrals), label="referrals",
                   size=len(self.referrals))
        if m["Reply"] is not None and self.replies:
            L.copy(m["Reply"], ({**{k: resolve(v) for k, v in r.row.items() if k != "_evaluations"}, "id": r.id, "_when": r.row["replied_at"]}
                                for r in self.replies), label="replies", size=len(self.replies))
            if m["Evaluation"] is not None:
                evals = [(r.id, e) for r in self.replies for e in r.row["_evaluations"]]
                ids = L.reserve_ids(m["Evaluation"], len(evals))
                L.copy(m["Evaluation"], ({**e, "id": pk, "reply_id": rid} for pk, (rid, e) in zip(ids, evals)), label="evaluations",
                       size=len(evals))
        T = m["Transition"]
        if T is not None and self.transitions:
            self.transitions.sort(key=lambda x: x[9])
            ids = L.reserve_ids(T, len(self.transitions))

            def rows():
                for pk, (op, s, action, frm, to, kind, label, note, data, at) in zip(ids, self.transitions):
                    yield {"id": pk, "opinion_id": op.id if op is not None else None, "suggestion_id": s.id if s is not None else None,
                           "action": action, "from_status": frm, "to_status": to, "actor_kind": kind, "actor_id": None,
                           "actor_label": label, "note": note, "data": {k: resolve(v) for k, v in data.items() if v is not None}, "at": at}

            L.copy(T, rows(), label="transitions", size=len(self.transitions))


def m2m(loader, model, name: str, pairs: list[tuple[int, int]], label: str) -> None:
    """Rows of an auto-created many-to-many table: (this model's id, the other's id)."""
    f = model._meta.get_field(name)
    through = f.remote_field.through
    src, dst = f.m2m_column_name(), f.m2m_reverse_name()
    ids = loader.reserve_ids(through, len(pairs))
    loader.copy(through, ({"id": pk, src: a, dst: b} for pk, (a, b) in zip(ids, pairs)), label=label)


def _has_m2m(model, name: str) -> bool:
    try:
        f = model._meta.get_field(name)
    except Exception:
        return False
    from . import bulk

    through = f.remote_field.through._meta if f.many_to_many else None
    return bool(through and through.auto_created and (bulk.TABLES is None or through.db_table in bulk.TABLES))


def simulate(gen, refs) -> None:
    """Fill in each opinion's handling fields and the loop's rows (written by `write`)."""
    loop = Loop(gen)
    gen.loop = loop
    if loop.models["Referral"] is None:
        for op in refs:
            age = (gen.as_of - local_day(op.registered_at)).days
            op.row.update(status=status_by_age(loop.rng, age), jurisdiction_level=op.jurisdiction,
                          category_id=gen.ctx.categories.get(op.category))
        return
    loop.make_units()
    for op in refs:
        loop.simulate(op)
    loop.write(refs)


def write(gen, refs) -> None:
    loop = getattr(gen, "loop", None)
    if loop is not None and loop.models["Referral"] is not None:
        loop.write_after_opinions()


def status_by_age(rng: random.Random, age_days: int) -> str:
    """Without the loop models: most old opinions closed, recent ones still moving."""
    if age_days > 120:
        mix = (("closed", 86), ("replied", 9), ("referred", 4), ("triaged", 0.6), ("registered", 0.4))
    elif age_days > 30:
        mix = (("closed", 45), ("replied", 25), ("referred", 24), ("triaged", 4), ("registered", 2))
    else:
        mix = (("closed", 8), ("replied", 17), ("referred", 40), ("triaged", 20), ("registered", 15))
    return pick(rng, mix)
