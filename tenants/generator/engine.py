"""Generating one prefecture's data inside its schema.

Each stage draws from its own random stream (seeded by seed, prefecture and stage
name), so adding a stage for a newly landed model never changes what the earlier
stages produce. Stages for models that do not exist (yet) are skipped; the core
stages (divisions, positions, deputies, opinions) always run.
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo

from . import text
from .bulk import Loader, MissingField, choice_values, get_model, has_fields
from .shape import PrefectureTargets, allocate

TZ = ZoneInfo("Asia/Shanghai")
SINCE = date(2019, 1, 1)
# Yunnan's rough bounding box; each county gets a deterministic centre inside it.
LAT_RANGE, LNG_RANGE = (21.5, 28.5), (98.0, 105.5)


class Div:
    __slots__ = ("id", "code", "name", "level", "parent_id", "path", "county", "is_community")

    def __init__(self, id, code, name, level, parent_id, path, is_community=False):
        self.id, self.code, self.name, self.level, self.parent_id, self.path = id, code, name, level, parent_id, path
        parts = path.split("/")
        self.county = parts[1] if len(parts) > 1 else None
        self.is_community = is_community


class Pos:
    __slots__ = ("id", "code", "name", "tier", "division", "county", "status", "parent_id")

    def __init__(self, id, code, name, tier, division, status, parent_id=None):
        self.id, self.code, self.name, self.tier, self.division, self.status, self.parent_id = id, code, name, tier, division, status, parent_id
        self.county = division.county


class Dep:
    __slots__ = ("id", "name", "level", "division", "county")

    def __init__(self, id, name, level, division):
        self.id, self.name, self.level, self.division = id, name, level, division
        self.county = division.county


@dataclass
class Context:
    """What later stages can use: divisions, positions and deputies by county."""

    root: Div | None = None
    counties: list[Div] = field(default_factory=list)
    townships: list[Div] = field(default_factory=list)
    villages: list[Div] = field(default_factory=list)
    positions: list[Pos] = field(default_factory=list)
    deputies: list[Dep] = field(default_factory=list)
    deputies_by_county: dict[str, list[Dep]] = field(default_factory=dict)
    stationed: dict[int, list[int]] = field(default_factory=dict)  # position id → deputy ids
    opinions: list = field(default_factory=list)


def aware(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=TZ)


class MonthPicker:
    """Dates since 2019 weighted by a growing monthly volume (quieter at Spring Festival)."""

    def __init__(self, as_of: date):
        self.as_of = as_of
        self.months: list[tuple[int, int]] = []
        y, m = SINCE.year, SINCE.month
        while (y, m) <= (as_of.year, as_of.month):
            self.months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        n = len(self.months)
        weights = []
        for i, (yy, mm) in enumerate(self.months):
            w = 1.0 + 0.8 * i / max(n - 1, 1)
            if mm == 2:
                w *= 0.55
            if (yy, mm) == (as_of.year, as_of.month):
                w *= as_of.day / 31
            weights.append(w)
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def day(self, rng: random.Random) -> date:
        i = bisect.bisect_left(self.cum, rng.random() * self.cum[-1])
        y, m = self.months[min(i, len(self.months) - 1)]
        last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
        if (y, m) == (self.as_of.year, self.as_of.month):
            last = self.as_of.day
        return date(y, m, rng.randint(1, last))

    def moment(self, rng: random.Random) -> datetime:
        d = self.day(rng)
        return aware(d, time(rng.randint(8, 18), rng.randrange(60), rng.randrange(60)))


def weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, heavier ones likelier (Efraimidis–Spirakis keys)."""
    if k >= len(items):
        return list(items)
    keyed = sorted(((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)), reverse=True)
    return [items[i] for _, i in keyed[:k]]


class PrefectureGenerator:
    def __init__(self, prefecture, targets: PrefectureTargets, *, seed: int, as_of: date, loader: Loader,
                 echo: Callable[[str], None] = print, demo: bool = False):
        self.prefecture = prefecture
        self.targets = targets
        self.seed = seed
        self.as_of = as_of
        self.loader = loader
        self.echo = echo
        self.demo = demo
        self.ctx = Context()
        self.months = MonthPicker(as_of)
        self.skipped: list[str] = []

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"liaison-generate:{self.seed}:{self.prefecture.slug}:{stage}")

    # --- stages ------------------------------------------------------------------------
    def run(self) -> None:
        from . import loop, activity  # noqa: F401  (optional stages, tolerant of missing models)

        self.divisions()
        self.positions()
        self.deputies()
        self.optional(activity.STAGES)
        self.opinions()
        self.optional(loop.STAGES)

    def optional(self, stages) -> None:
        for name, stage in stages:
            try:
                stage(self)
            except MissingField as exc:
                self.skipped.append(f"{name}: {exc}")
                self.echo(f"    skipped {name}: {exc}")

    def divisions(self) -> None:
        from liaison.tenants.divisions.models import Division

        rows = [Div(*r) for r in Division.objects.order_by("code").values_list("id", "code", "name", "level", "parent_id", "path", "is_community")]
        ctx = self.ctx
        ctx.root = next(d for d in rows if d.level == "prefecture")
        ctx.counties = [d for d in rows if d.level == "county"]
        ctx.townships = [d for d in rows if d.level == "township"]
        ctx.villages = [d for d in rows if d.level == "village"]
        if ctx.townships or ctx.villages:
            return  # the demo already made them (or a previous partial run was replaced)
        rng = self.rng("divisions")
        townships: list[Div] = []
        villages: list[Div] = []
        for county in ctx.counties:
            ct = self.targets.counties.get(county.code)
            if ct is None:
                continue
            n_t = ct.townships or (1 if ct.villages else 0)
            used: set[str] = set()
            these = []
            for t in range(n_t):
                suffix = rng.choice(text.TOWNSHIP_SUFFIXES)
                name = text.place_name(rng, suffix)
                while name in used:
                    name = text.place_name(rng, suffix)
                used.add(name)
                code = f"{county.code}{t + 1:03d}"
                these.append(Div(None, code, name, "township", county.id, f"{county.path}/{code}", False))
            per_t = allocate(ct.villages, [rng.lognormvariate(0, 0.4) for _ in these])
            for township, n_v in zip(these, per_t):
                for v in range(n_v):
                    suffix = "社区" if township.name.endswith("街道") and rng.random() < 0.7 else rng.choice(text.VILLAGE_SUFFIXES)
                    name = text.place_name(rng, suffix)
                    while name in used:
                        name = text.place_name(rng, suffix)
                    used.add(name)
                    code = f"{township.code}{v + 1:03d}"
                    villages.append(Div(None, code, name, "village", township, f"{township.path}/{code}", suffix == "社区"))
            townships.extend(these)
        for d, pk in zip(townships, self.loader.reserve_ids(Division, len(townships))):
            d.id = pk
        for d, pk in zip(villages, self.loader.reserve_ids(Division, len(villages))):
            d.id, d.parent_id = pk, d.parent_id.id
        self.loader.copy(Division, ({"id": d.id, "code": d.code, "name": d.name, "level": d.level, "parent_id": d.parent_id,
                                     "path": d.path, "is_community": d.is_community} for d in townships + villages), label="divisions")
        ctx.townships, ctx.villages = townships, villages

    def positions(self) -> None:
        from liaison.tenants.positions.models import Position

        rng = self.rng("positions")
        ctx, t = self.ctx, self.targets
        statuses = [s for s in ("standard", "open", "building", "planned", "closed") if s in choice_values(Position, "status")]
        status_w = {"standard": 55, "open": 35, "building": 6, "planned": 3, "closed": 1}
        townships_by_county: dict[str, list[Div]] = {}
        for d in ctx.townships:
            townships_by_county.setdefault(d.county, []).append(d)
        villages_by_county: dict[str, list[Div]] = {}
        for d in ctx.villages:
            villages_by_county.setdefault(d.county, []).append(d)
        # Township deputies per village decide which villages "must" have an office (两个必建).
        self._village_deputies = {v.id: max(0, int(rng.gauss(4.6, 2.2))) for v in ctx.villages}
        out: list[tuple[str, str, str, Div, str | None, str]] = []  # tier, code, name, division, parent code, extra
        for k in range(t.prefecture_homes):
            out.append(("home", f"H{ctx.root.code}-{k + 1}", f"{self.prefecture.name}人大代表之家" + (f"（{k + 1}）" if k else ""), ctx.root, None, ""))
        for county in ctx.counties:
            ct = t.counties.get(county.code)
            if ct is None:
                continue
            home_code = None
            if ct.homes:
                home_code = f"H{county.code}"
                out.append(("home", home_code, f"{county.name}人大代表之家", county, None, ""))
            towns = townships_by_county.get(county.code, [])
            station_of: dict[int, str] = {}
            if towns and ct.stations:
                order = rng.sample(towns, len(towns))
                covered = order[: max(1, round(len(order) * 0.97))] if ct.stations < len(order) * 1.05 else order
                picks = covered[: ct.stations] + [rng.choice(towns) for _ in range(max(0, ct.stations - len(covered)))]
                seen: dict[int, int] = {}
                for town in picks:
                    seen[town.id] = seen.get(town.id, 0) + 1
                    n = seen[town.id]
                    code = f"S{town.code}" + (f"-{n}" if n > 1 else "")
                    name = f"{town.name}人大代表工作站" if n == 1 else f"{town.name}{text.place_name(rng, '')}人大代表工作站"
                    station_of.setdefault(town.id, code)
                    out.append(("station", code, name, town, home_code, ""))
            vills = villages_by_county.get(county.code, [])
            if vills and ct.offices:
                weights = [10.0 if self._village_deputies[v.id] >= 3 else 1.0 for v in vills]
                for v in sorted(weighted_sample(rng, vills, weights, ct.offices), key=lambda d: d.code):
                    out.append(("office", f"O{v.code}", f"{v.name}人大代表联络室", v, station_of.get(v.parent_id), ""))
        homes = [o for o in out if o[0] == "home"]
        for k in range(t.online):
            if not homes:
                break
            h = homes[k % len(homes)]
            out.append(("online", f"W{h[1][1:]}" + (f"-{k // len(homes) + 1}" if k >= len(homes) else ""), f"{h[2]}网上代表活动阵地", h[3], h[1], ""))
        fields = ["旅游", "生态环境", "卫生健康", "教育", "农业", "法律", "金融", "商贸物流", "科技"]
        for k in range(t.professional):
            county = rng.choice(ctx.counties)
            f = fields[k % len(fields)]
            out.append(("professional", f"P{county.code}-{k + 1}", f"{county.name}{f}专业代表工作站", county, None, f))
        kinds = choice_values(Position, "special_kind") or ["building"]
        special_names = {"building": "楼宇", "business_district": "商圈", "campus": "校园"}
        for k in range(t.special):
            county = rng.choice(ctx.counties)
            kind = kinds[k % len(kinds)]
            out.append(("special", f"T{county.code}-{k + 1}", f"{county.name}{text.place_name(rng, '')}{special_names.get(kind, '')}代表工作站", county, None, kind))
        tiers = set(choice_values(Position, "tier"))
        out = [o for o in out if o[0] in tiers]
        ids = self.loader.reserve_ids(Position, len(out))
        id_of = {o[1]: pk for o, pk in zip(out, ids)}
        centres = {c.code: (rng.uniform(*LAT_RANGE), rng.uniform(*LNG_RANGE)) for c in ctx.counties}
        hours = ["周一至周五 9:00-12:00，14:30-17:30", "每周三全天接待", "每月10日、25日接待日", "工作日 8:30-17:30", "每月第一个周五接待日"]
        ctx.positions = []
        rows = []
        for (tier, code, name, div, parent_code, extra), pk in zip(out, ids):
            status = rng.choices(statuses, weights=[status_w[s] for s in statuses])[0] if tier != "online" else "open"
            established = None if status == "planned" else SINCE + timedelta(days=rng.randint(-1500, (self.as_of - SINCE).days - 30))
            lat, lng = centres.get(div.county or "", (25.04, 102.71))
            ctx.positions.append(Pos(pk, code, name, tier, div, status, id_of.get(parent_code)))
            rows.append({
                "id": pk, "code": code, "name": name, "tier": tier, "special_kind": extra if tier == "special" else "",
                "field": extra if tier == "professional" else "", "division_id": div.id, "parent_id": id_of.get(parent_code),
                "status": status, "address": f"{self.prefecture.name}{self._address(div)}",
                "latitude": Decimal(f"{lat + rng.uniform(-0.25, 0.25):.6f}"), "longitude": Decimal(f"{lng + rng.uniform(-0.25, 0.25):.6f}"),
                "opening_hours": rng.choice(hours), "established_on": established,
                "_when": aware(established or self.as_of, time(9)),
            })
        self.loader.copy(Position, rows, label="positions")

    def _address(self, div: Div) -> str:
        names = {d.id: d for d in [self.ctx.root, *self.ctx.counties, *self.ctx.townships]}
        parts = [div.name]
        parent = div.parent_id.id if isinstance(div.parent_id, Div) else div.parent_id
        while parent in names and names[parent].level != "prefecture":
            parts.append(names[parent].name)
            p = names[parent].parent_id
            parent = p.id if isinstance(p, Div) else p
        return "".join(reversed(parts)) + ("" if div.level == "prefecture" else "")

    def deputies(self) -> None:
        from liaison.tenants.deputies.models import Deputy

        rng = self.rng("deputies")
        ctx, t = self.ctx, self.targets
        levels = set(choice_values(Deputy, "level"))
        plan: list[tuple[str, Div]] = []
        for level in ("national", "provincial", "prefecture"):
            for _ in range(t.deputies.get(level, 0)):
                plan.append((level, rng.choice(ctx.counties) if ctx.counties else ctx.root))
        towns_by_county: dict[str, list[Div]] = {}
        for d in ctx.townships:
            towns_by_county.setdefault(d.county, []).append(d)
        vills_by_county: dict[str, list[Div]] = {}
        for d in ctx.villages:
            vills_by_county.setdefault(d.county, []).append(d)
        village_deputies = getattr(self, "_village_deputies", {})
        for county in ctx.counties:
            ct = t.counties.get(county.code)
            if ct is None:
                continue
            towns = towns_by_county.get(county.code) or [county]
            for _ in range(ct.deputies_county):
                plan.append(("county", rng.choice(towns)))
            vills = vills_by_county.get(county.code) or towns
            weights = [village_deputies.get(v.id, 1) + 0.2 for v in vills]
            for v in rng.choices(vills, weights=weights, k=ct.deputies_township) if ct.deputies_township else []:
                plan.append(("township", v))
        plan = [p for p in plan if p[0] in levels]
        ids = self.loader.reserve_ids(Deputy, len(plan))
        prefix = {"national": "N", "provincial": "P", "prefecture": "C", "county": "X", "township": "Z"}
        seq: dict[str, int] = {}
        rows = []
        ctx.deputies = []
        for (level, div), pk in zip(plan, ids):
            seq[level] = seq.get(level, 0) + 1
            name = text.person_name(rng)
            female = rng.random() < 0.31
            dep = Dep(pk, name, level, div)
            ctx.deputies.append(dep)
            ctx.deputies_by_county.setdefault(dep.county or "", []).append(dep)
            birth = date(rng.randint(1958, 1995), rng.randint(1, 12), rng.randint(1, 28))
            rows.append({
                "id": pk, "roll_number": f"{prefix[level]}{self.prefecture.code[:4]}{seq[level]:06d}", "name": name, "level": level,
                "constituency_id": div.id, "gender": "女" if female else "男", "ethnicity": text.ethnicity(rng),
                "occupation": rng.choice(text.OCCUPATIONS), "phone": text.phone(rng),
                "id_number": id_number((div.county or self.prefecture.code)[:6], birth, rng.randrange(1000)),
                "active": rng.random() < 0.97,
            })
        self.loader.copy(Deputy, rows, label="deputies")

    def opinions(self) -> None:
        """Opinions with a realistic state mix; the loop rows (referrals, replies,
        ratings…) are added by loop.py for the models that exist."""
        from liaison.platform.province.models import Category
        from liaison.tenants.opinions.models import Opinion

        rng = self.rng("opinions")
        ctx, n = self.ctx, self.targets.opinions
        physical = [p for p in ctx.positions if p.tier not in ("online",)]
        if not physical or n <= 0:
            return
        categories = dict(Category.objects.values_list("code", "id"))
        tier_w = {"home": 3.0, "station": 6.0, "office": 1.2, "professional": 2.0, "special": 1.5}
        weights = [tier_w.get(p.tier, 1.0) * rng.lognormvariate(0, 0.5) for p in physical]
        picks = rng.choices(physical, weights=weights, k=n)
        channels = [c for c in ("reception", "deputy", "observer", "box", "online") if c in choice_values(Opinion, "channel")]
        channel_w = {"reception": 40, "deputy": 25, "observer": 12, "box": 8, "online": 15}
        juris = choice_values(Opinion, "jurisdiction_level")
        juris_w = {"township": 45, "county": 33, "prefecture": 8, "province": 3, "not_acceptable": 9}
        villages_by_parent: dict[int, list[Div]] = {}
        for v in ctx.villages:
            villages_by_parent.setdefault(v.parent_id.id if isinstance(v.parent_id, Div) else v.parent_id, []).append(v)
        all_places = [d.name for d in ctx.villages or ctx.townships or ctx.counties]
        ids = self.loader.reserve_ids(Opinion, n)
        code_prefix = self.prefecture.code[:4]
        registered = sorted((self.months.moment(rng) for _ in range(n)))
        rows = []
        ctx.opinions = []
        for k, (pos, pk, when) in enumerate(zip(picks, ids, registered)):
            div = pos.division
            if pos.tier == "station" and div.id in villages_by_parent and rng.random() < 0.6:
                div = rng.choice(villages_by_parent[div.id])
            channel = rng.choices(channels, weights=[channel_w[c] for c in channels])[0]
            deputy = None
            if channel in ("deputy", "reception") and rng.random() < 0.85:
                pool = ctx.deputies_by_county.get(pos.county or "") or ctx.deputies
                deputy = rng.choice(pool) if pool else None
            citizen = text.masked_citizen(rng) if channel != "box" else ""
            cat = text.category_code(rng)
            title, content, keyword = text.opinion_text(rng, cat, div.name, rng.choice(all_places), citizen or "群众", channel)
            age = (self.as_of - when.date()).days
            j = rng.choices(juris, weights=[juris_w.get(x, 1) for x in juris])[0] if juris else ""
            status = opinion_status(rng, age)
            op = OpinionRef(pk, when, status, j, pos, div, deputy, cat, keyword, channel)
            ctx.opinions.append(op)
            rows.append({
                "id": pk, "tracking_code": f"{code_prefix}{when:%y}{k + 1:08d}", "channel": channel, "position_id": pos.id,
                "division_id": div.id, "deputy_id": deputy.id if deputy else None, "citizen_name": citizen,
                "citizen_phone": text.phone(rng) if citizen and rng.random() < 0.8 else "", "title": title, "content": content,
                "category_id": categories.get(cat), "jurisdiction_level": j if status != "registered" else "",
                "status": status, "registered_at": when, "_when": when,
            })
        self.loader.copy(Opinion, rows, label="opinions")


class OpinionRef:
    __slots__ = ("id", "registered_at", "status", "jurisdiction", "position", "division", "deputy", "category", "keyword", "channel", "extra")

    def __init__(self, id, registered_at, status, jurisdiction, position, division, deputy, category, keyword, channel):
        self.id, self.registered_at, self.status, self.jurisdiction = id, registered_at, status, jurisdiction
        self.position, self.division, self.deputy, self.category, self.keyword, self.channel = position, division, deputy, category, keyword, channel
        self.extra: dict = {}


def opinion_status(rng: random.Random, age_days: int) -> str:
    """Most old opinions are closed; recent ones are still moving through the loop."""
    if age_days > 120:
        mix = (("closed", 86), ("replied", 9), ("referred", 4), ("triaged", 0.6), ("registered", 0.4))
    elif age_days > 30:
        mix = (("closed", 45), ("replied", 25), ("referred", 24), ("triaged", 4), ("registered", 2))
    else:
        mix = (("closed", 8), ("replied", 17), ("referred", 40), ("triaged", 20), ("registered", 15))
    return rng.choices([s for s, _ in mix], weights=[w for _, w in mix])[0]


def id_number(region: str, birth: date, serial: int) -> str:
    """A well-formed (checksum-valid) but synthetic 18-digit resident ID number."""
    body = f"{region:0<6}{birth:%Y%m%d}{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check
