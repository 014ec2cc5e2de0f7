"""Generating one prefecture's data inside its schema.

Each stage draws from its own random stream (seeded by seed, prefecture and stage
name), so adding a stage for a newly landed model never changes what the earlier
stages produce. Stages for models that do not exist (yet) are skipped; the core
stages (divisions, positions, deputies, opinions) always run.

The data follows the domain's rules as the services enforce them: tiers sit at the
division levels rules.py allows, with the parents it allows; a position's status has
a history ending in that status; "standard" positions meet every checklist item and
stations have at least three stationed deputies; opinions go through the loop
(triage → referral with a working-day deadline → reply → delivery → rating → close)
as far as the as-of date lets them (see loop.py).
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo

from django.db import connection

from liaison.tenants.registry import yunnan

from . import text
from .bulk import Loader, choice_values, get_model, has_fields
from .shape import PrefectureTargets, allocate

TZ = ZoneInfo("Asia/Shanghai")
SINCE = date(2019, 1, 1)
# Yunnan's rough bounding box; each county gets a deterministic centre inside it.
LAT_RANGE, LNG_RANGE = (21.5, 28.5), (98.0, 105.5)
OPERATING = ("open", "standard")


class Div:
    __slots__ = ("id", "code", "name", "level", "parent_id", "path", "county", "is_community")

    def __init__(self, id, code, name, level, parent_id, path, is_community=False):
        self.id, self.code, self.name, self.level, self.parent_id, self.path = id, code, name, level, parent_id, path
        parts = path.split("/")
        self.county = parts[1] if len(parts) > 1 else None
        self.is_community = is_community


class Pos:
    __slots__ = ("id", "code", "name", "tier", "division", "county", "status", "parent_id", "established", "history", "field")

    def __init__(self, id, code, name, tier, division, status, parent_id=None, established=None, history=(), field=""):
        self.id, self.code, self.name, self.tier, self.division, self.status = id, code, name, tier, division, status
        self.parent_id, self.established, self.history, self.field = parent_id, established, list(history), field
        self.county = division.county

    @property
    def operating(self) -> bool:
        return self.status in OPERATING or (self.status == "closed" and self.established is not None)


class Dep:
    __slots__ = ("id", "name", "level", "division", "county", "active")

    def __init__(self, id, name, level, division, active=True):
        self.id, self.name, self.level, self.division, self.active = id, name, level, division, active
        self.county = division.county if division else None


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
    stationed: dict[int, list[Dep]] = field(default_factory=dict)  # position id → deputies stationed there
    opinions: list = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)

    def divisions_by_id(self) -> dict[int, Div]:
        return {d.id: d for d in [self.root, *self.counties, *self.townships, *self.villages] if d is not None}


def aware(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=TZ)


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


class MonthPicker:
    """Dates since 2019 weighted by a growing monthly volume (quieter at Spring Festival)."""

    def __init__(self, as_of: date, since: date = SINCE):
        self.as_of = as_of
        self.months: list[tuple[int, int]] = []
        y, m = since.year, since.month
        while (y, m) <= (as_of.year, as_of.month):
            self.months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        n = len(self.months)
        self.cum = []
        total = 0.0
        for i, (yy, mm) in enumerate(self.months):
            w = 1.0 + 0.8 * i / max(n - 1, 1)
            if mm == 2:
                w *= 0.55
            if (yy, mm) == (as_of.year, as_of.month):
                w *= as_of.day / 31
            total += w
            self.cum.append(total)

    def day(self, rng: random.Random, after: date | None = None) -> date:
        for _ in range(8):
            i = bisect.bisect_left(self.cum, rng.random() * self.cum[-1])
            y, m = self.months[min(i, len(self.months) - 1)]
            last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
            if (y, m) == (self.as_of.year, self.as_of.month):
                last = self.as_of.day
            d = date(y, m, rng.randint(1, last))
            if after is None or d >= after:
                return d
        # rarely: the position opened late; a uniform day after it
        return after + timedelta(days=rng.randint(0, max(0, (self.as_of - after).days)))

    def moment(self, rng: random.Random, after: date | None = None) -> datetime:
        return aware(self.day(rng, after), time(rng.randint(8, 17), rng.randrange(60), rng.randrange(60)))


class WorkingDays:
    """The official calendar (province.CalendarDay) loaded once, for fast deadline arithmetic."""

    def __init__(self, first: date, last: date):
        try:
            from liaison.platform.province.calendar import exceptions_between

            exc = exceptions_between(first, last)
            is_working = exc.is_working_day
        except Exception:  # calendar not there (yet): Monday to Friday
            def is_working(d):
                return d.weekday() < 5
        self.days = [first + timedelta(days=i) for i in range((last - first).days + 1) if is_working(first + timedelta(days=i))]

    def add(self, start: date, n: int) -> date:
        if n <= 0:
            return start
        i = bisect.bisect_right(self.days, start) + n - 1
        if i < len(self.days):
            return self.days[i]
        return start + timedelta(days=n * 7 // 5 + 2)


def add_months(start: date, months: int) -> date:
    import calendar as _c

    index = start.month - 1 + months
    y, m = start.year + index // 12, index % 12 + 1
    return date(y, m, min(start.day, _c.monthrange(y, m)[1]))


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
        self.calendar = WorkingDays(date(2018, 12, 1), as_of + timedelta(days=400))
        self.skipped: list[str] = []

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"liaison-generate:{self.seed}:{self.prefecture.slug}:{stage}")

    # --- stages ------------------------------------------------------------------------
    def run(self) -> None:
        from . import activity, loop

        from liaison.platform.province.models import Category

        self.ctx.categories = dict(Category.objects.values_list("code", "id"))
        self.divisions()
        self.positions()
        self.deputies()
        self.optional(activity.STAGES)
        self.opinions()
        self.optional(loop.LATE_STAGES)

    def optional(self, stages) -> None:
        # Every stage runs; a model the generator does not know how to fill (a new
        # required field, a renamed model) raises MissingField/LookupError and fails the
        # prefecture's load as a whole (its transaction), never a silent gap.
        for _name, stage in stages:
            stage(self)

    def divisions(self) -> None:
        from liaison.tenants.divisions.models import Division

        rows = [Div(*r) for r in Division.objects.order_by("code").values_list("id", "code", "name", "level", "parent_id", "path", "is_community")]
        ctx = self.ctx
        ctx.root = next(d for d in rows if d.level == "prefecture")
        ctx.counties = [d for d in rows if d.level == "county"]
        ctx.townships = [d for d in rows if d.level == "township"]
        ctx.villages = [d for d in rows if d.level == "village"]
        if ctx.townships or ctx.villages:
            return  # made by `liaison demo`: generate content over them
        rng = self.rng("divisions")
        townships: list[Div] = []
        villages: list[tuple[Div, Div]] = []
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
                    villages.append((township, Div(None, code, name, "village", None, f"{township.path}/{code}", suffix == "社区")))
            townships.extend(these)
        for d, pk in zip(townships, self.loader.reserve_ids(Division, len(townships))):
            d.id = pk
        for (township, d), pk in zip(villages, self.loader.reserve_ids(Division, len(villages))):
            d.id, d.parent_id = pk, township.id
        vills = [d for _, d in villages]
        self.loader.copy(Division, ({"id": d.id, "code": d.code, "name": d.name, "level": d.level, "parent_id": d.parent_id,
                                     "path": d.path, "is_community": d.is_community} for d in townships + vills), label="divisions")
        ctx.townships, ctx.villages = townships, vills

    # --- positions ---------------------------------------------------------------------
    def _status_story(self, rng: random.Random, tier: str, status: str) -> tuple[date | None, list[tuple[str, str, date]]]:
        """(established_on, [(from, to, on)…]) ending in `status`, all on or before as-of."""
        as_of = self.as_of
        span = (as_of - date(2012, 1, 1)).days
        # Yunnan had 14,380 positions by November 2019: most were built before.
        if rng.random() < 0.85:
            est = date(2012, 1, 1) + timedelta(days=rng.randint(0, (date(2019, 11, 1) - date(2012, 1, 1)).days))
        else:
            est = date(2019, 11, 1) + timedelta(days=rng.randint(0, max(1, (as_of - date(2019, 11, 1)).days - 30)))
        est = min(est, as_of - timedelta(days=30))
        planned_on = est - timedelta(days=rng.randint(200, 500))
        building_on = est - timedelta(days=rng.randint(30, 180))
        if status == "planned":
            d = as_of - timedelta(days=rng.randint(10, min(span, 400)))
            return None, [("", "planned", d)]
        if status == "building":
            d0 = as_of - timedelta(days=rng.randint(120, 600))
            return None, [("", "planned", d0), ("planned", "building", d0 + timedelta(days=rng.randint(20, 100)))]
        story = [("", "planned", planned_on), ("planned", "building", building_on), ("building", "open", est)]
        if tier == "online":
            return est, [("", "open", est)]
        if status == "standard":
            story.append(("open", "standard", min(as_of, est + timedelta(days=rng.randint(30, 700)))))
        elif status == "closed":
            story.append(("open", "closed", min(as_of, est + timedelta(days=rng.randint(300, 1500)))))
        return est, story

    def positions(self) -> None:
        from liaison.tenants.positions.models import Position

        rng = self.rng("positions")
        ctx, t = self.ctx, self.targets
        statuses = [s for s in ("standard", "open", "building", "planned", "closed") if s in choice_values(Position, "status")]
        status_w = {"standard": 62, "open": 30, "building": 4, "planned": 3, "closed": 1}
        townships_by_county: dict[str, list[Div]] = {}
        for d in ctx.townships:
            townships_by_county.setdefault(d.county, []).append(d)
        villages_by_county: dict[str, list[Div]] = {}
        for d in ctx.villages:
            villages_by_county.setdefault(d.county, []).append(d)
        # Township deputies per village decide which villages "must" have an office (两个必建).
        self.village_weight = {v.id: max(0, int(rng.gauss(4.6, 2.2))) for v in ctx.villages}
        # (tier, code, name, division, parent code, extra, counterpart code)
        out: list[tuple] = []
        pref_home = None
        for k in range(t.prefecture_homes):
            code = f"H{ctx.root.code}" + (f"-{k + 1}" if k else "")
            pref_home = pref_home or code
            out.append(("home", code, f"{self.prefecture.name}人大代表之家" + (f"（{k + 1}）" if k else ""), ctx.root, None, "", None))
        county_home: dict[str, str] = {}
        for county in ctx.counties:
            ct = t.counties.get(county.code)
            if ct is None:
                continue
            home_code = None
            if ct.homes:
                home_code = f"H{county.code}"
                county_home[county.code] = home_code
                out.append(("home", home_code, f"{county.name}人大代表之家", county, pref_home, "", None))
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
                    out.append(("station", code, name, town, home_code, "", None))
            vills = villages_by_county.get(county.code, [])
            if vills and ct.offices:
                weights = [10.0 if self.village_weight[v.id] >= 3 else 1.0 for v in vills]
                for v in sorted(weighted_sample(rng, vills, weights, ct.offices), key=lambda d: d.code):
                    out.append(("office", f"O{v.code}", f"{v.name}人大代表联络室", v, station_of.get(v.parent_id), "", None))
        homes = [o for o in out if o[0] == "home"]
        for k in range(min(t.online, len(homes))):
            h = homes[k]
            out.append(("online", f"W{h[1][1:]}", f"{h[2]}网上代表活动阵地", h[3], None, "", h[1]))
        fields = ["旅游", "生态环境", "卫生健康", "教育", "农业", "法律", "金融", "商贸物流", "科技"]
        for k in range(t.professional):
            county = rng.choice(ctx.counties)
            f = fields[k % len(fields)]
            out.append(("professional", f"P{county.code}-{k + 1}", f"{county.name}{f}专业代表工作站", county,
                        county_home.get(county.code, pref_home), f, None))
        kinds = choice_values(Position, "special_kind") or ["building"]
        special_names = {"building": "楼宇", "business_district": "商圈", "campus": "校园"}
        for k in range(t.special):
            county = rng.choice(ctx.counties)
            kind = kinds[k % len(kinds)]
            out.append(("special", f"T{county.code}-{k + 1}", f"{county.name}{text.place_name(rng, '')}{special_names.get(kind, '')}代表工作站",
                        county, county_home.get(county.code, pref_home), kind, None))
        tiers = set(choice_values(Position, "tier"))
        out = [o for o in out if o[0] in tiers]
        ids = self.loader.reserve_ids(Position, len(out))
        id_of = {o[1]: pk for o, pk in zip(out, ids)}
        # Positions scatter around their county's seat (tenants/registry/data); a county
        # without a known seat gets a random centre (drawn for every county, so the
        # rest of the random sequence does not depend on which seats are known).
        seats = {c.code: (float(c.latitude), float(c.longitude)) for c in yunnan.counties().values() if c.latitude is not None}
        centres = {c.code: seats.get(c.code, (rng.uniform(*LAT_RANGE), rng.uniform(*LNG_RANGE))) for c in ctx.counties}
        hours = ["周一至周五 9:00-12:00，14:30-17:30", "每周三全天接待", "每月10日、25日接待日", "工作日 8:30-17:30", "每月第一个周五接待日"]
        names = ctx.divisions_by_id()
        has_counterpart = has_fields(Position, "counterpart_id")
        ctx.positions = []
        rows = []
        for (tier, code, name, div, parent_code, extra, counterpart), pk in zip(out, ids):
            status = rng.choices(statuses, weights=[status_w[s] for s in statuses])[0] if tier != "online" else "open"
            established, story = self._status_story(rng, tier, status)
            lat, lng = centres.get(div.county or "", (25.04, 102.71))
            pos = Pos(pk, code, name, tier, div, status, id_of.get(parent_code), established, story, extra if tier == "professional" else "")
            ctx.positions.append(pos)
            row = {
                "id": pk, "code": code, "name": name, "tier": tier, "special_kind": extra if tier == "special" else "",
                "field": extra if tier == "professional" else "", "division_id": div.id, "parent_id": id_of.get(parent_code),
                "status": status, "address": "" if tier == "online" else self.prefecture.name + address(div, names),
                "latitude": None if tier == "online" else Decimal(f"{lat + rng.uniform(-0.25, 0.25):.6f}"),
                "longitude": None if tier == "online" else Decimal(f"{lng + rng.uniform(-0.25, 0.25):.6f}"),
                "opening_hours": "全天在线" if tier == "online" else rng.choice(hours), "established_on": established,
                "status_since": story[-1][2], "_when": aware(story[0][2], time(9)),
            }
            if tier == "online":
                row["online_url"] = f"https://{self.prefecture.slug}.rd.yn.gov.cn/p/{code}"
                if has_counterpart:
                    row["counterpart_id"] = id_of.get(counterpart)
            rows.append(row)
        self.loader.copy(Position, rows, label="positions")

    # --- deputies ----------------------------------------------------------------------
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
        village_weight = getattr(self, "village_weight", {})
        for county in ctx.counties:
            ct = t.counties.get(county.code)
            if ct is None:
                continue
            towns = towns_by_county.get(county.code) or [county]
            for _ in range(ct.deputies_county):
                plan.append(("county", rng.choice(towns)))
            vills = vills_by_county.get(county.code) or towns
            weights = [village_weight.get(v.id, 1) + 0.2 for v in vills]
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
            active = rng.random() < 0.97
            dep = Dep(pk, name, level, div, active)
            ctx.deputies.append(dep)
            ctx.deputies_by_county.setdefault(dep.county or "", []).append(dep)
            birth = date(rng.randint(1958, 1995), rng.randint(1, 12), rng.randint(1, 28))
            rows.append({
                "id": pk, "roll_number": f"{prefix[level]}{self.prefecture.code[:4]}{seq[level]:06d}", "name": name, "level": level,
                "constituency_id": div.id, "gender": "女" if female else "男", "ethnicity": text.ethnicity(rng),
                "occupation": rng.choice(text.OCCUPATIONS), "phone": text.phone(rng),
                "id_number": id_number((div.county or self.prefecture.code)[:6], birth, seq[level] % 1000),
                "active": active, "on_roll": True,
            })
        if has_fields(Deputy, "identity_id"):
            self._identities(rows)
        self.loader.copy(Deputy, rows, label="deputies")

    def _identities(self, rows: list[dict]) -> None:
        """Provincial and national deputies get their province-wide identity (public
        schema, roster.ProvinceDeputy), upserted by code so that ids stay stable."""
        model = get_model("roster.ProvinceDeputy")
        wide = [r for r in rows if r["level"] in ("national", "provincial")]
        if not wide:
            return
        table = model._meta.db_table
        cols = ["code", "name", "level", "home_prefecture_id", "gender", "ethnicity", "occupation", "phone", "email", "id_number", "active", "created_at"]
        cols = [c for c in cols if c in {f.attname for f in model._meta.concrete_fields}]
        values, params = [], []
        for r in wide:
            rec = {"code": f"{self.prefecture.code}-{r['roll_number']}", "name": r["name"], "level": r["level"],
                   "home_prefecture_id": self.prefecture.pk, "gender": r["gender"], "ethnicity": r["ethnicity"],
                   "occupation": r["occupation"], "phone": r["phone"], "email": "", "id_number": r["id_number"],
                   "active": r["active"], "created_at": self.loader.when}
            values.append("(" + ", ".join(["%s"] * len(cols)) + ")")
            params += [rec[c] for c in cols]
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c not in ("code", "created_at"))
        with connection.cursor() as cursor:
            cursor.execute(f'INSERT INTO public."{table}" ({", ".join(cols)}) VALUES {", ".join(values)} '
                           f"ON CONFLICT (code) DO UPDATE SET {updates} RETURNING code, id", params)
            ids = dict(cursor.fetchall())
        for r in wide:
            r["identity_id"] = ids[f"{self.prefecture.code}-{r['roll_number']}"]

    # --- opinions ----------------------------------------------------------------------
    def opinions(self) -> None:
        """Opinions, taken through the loop as far as the as-of date lets them (loop.py)."""
        from liaison.tenants.opinions.models import Opinion

        from . import loop

        rng = self.rng("opinions")
        ctx, n = self.ctx, self.targets.opinions
        places = [p for p in ctx.positions if p.tier != "online" and p.established is not None]
        if not places or n <= 0:
            return
        tier_w = {"home": 3.0, "station": 6.0, "office": 1.2, "professional": 2.0, "special": 1.5}
        weights = [tier_w.get(p.tier, 1.0) * rng.lognormvariate(0, 0.5) for p in places]
        picks = rng.choices(places, weights=weights, k=n)
        channels = [c for c in ("reception", "deputy", "observer", "box", "online") if c in choice_values(Opinion, "channel")]
        channel_w = {"reception": 40, "deputy": 25, "observer": 12, "box": 8, "online": 15}
        juris = choice_values(Opinion, "jurisdiction_level")
        juris_w = {"township": 45, "county": 33, "prefecture": 8, "province": 3, "not_acceptable": 9}
        villages_by_parent: dict[int, list[Div]] = {}
        for v in ctx.villages:
            villages_by_parent.setdefault(v.parent_id, []).append(v)
        all_places = [d.name for d in ctx.villages or ctx.townships or ctx.counties]
        registered = [self.months.moment(rng, p.established) for p in picks]
        order = sorted(range(n), key=lambda i: registered[i])
        ids = self.loader.reserve_ids(Opinion, n)
        codes = tracking_codes(rng, n)
        refs = []
        for k, i in enumerate(order):
            pos, when = picks[i], registered[i]
            div = pos.division
            if pos.tier == "station" and div.id in villages_by_parent and rng.random() < 0.6:
                div = rng.choice(villages_by_parent[div.id])
            channel = rng.choices(channels, weights=[channel_w[c] for c in channels])[0]
            deputy = None
            if channel == "deputy" or (channel == "reception" and rng.random() < 0.85):
                pool = ctx.stationed.get(pos.id) or ctx.deputies_by_county.get(pos.county or "") or ctx.deputies
                deputy = rng.choice(pool) if pool else None
                if deputy is None:
                    channel = "observer"
            citizen = text.masked_citizen(rng) if channel != "box" or rng.random() < 0.4 else ""
            cat = text.category_code(rng)
            title, content, keyword = text.opinion_text(rng, cat, div.name, rng.choice(all_places), citizen or "群众", channel)
            j = rng.choices(juris, weights=[juris_w.get(x, 1) for x in juris])[0] if juris else ""
            ref = OpinionRef(ids[k], when, j, pos, div, deputy, cat, keyword, channel)
            ref.row = {
                "id": ids[k], "tracking_code": codes[k], "channel": channel, "position_id": pos.id,
                "division_id": div.id, "deputy_id": deputy.id if deputy else None, "citizen_name": citizen,
                "citizen_phone": text.phone(rng) if citizen and rng.random() < 0.8 else "", "title": title, "content": content,
                # category known at registration for some; triage sets it for the rest (loop.py)
                "category_id": ctx.categories.get(cat) if rng.random() < 0.3 else None,
                "jurisdiction_level": "", "status": "registered", "registered_at": when, "_when": when,
            }
            refs.append(ref)
        ctx.opinions = refs
        loop.simulate(self, refs)
        self.loader.copy(Opinion, (r.row for r in refs), label="opinions", size=len(refs))
        loop.write(self, refs)


class OpinionRef:
    __slots__ = ("id", "registered_at", "jurisdiction", "position", "division", "deputy", "category", "keyword", "channel", "row")

    def __init__(self, id, registered_at, jurisdiction, position, division, deputy, category, keyword, channel):
        self.id, self.registered_at, self.jurisdiction = id, registered_at, jurisdiction
        self.position, self.division, self.deputy, self.category, self.keyword, self.channel = position, division, deputy, category, keyword, channel
        self.row: dict = {}


def address(div: Div, names: dict[int, Div]) -> str:
    parts, d = [], div
    while d is not None and d.level != "prefecture":
        parts.append(d.name)
        d = names.get(d.parent_id)
    return "".join(reversed(parts))


def tracking_codes(rng: random.Random, n: int) -> list[str]:
    """n distinct codes in the opinions app's alphabet and length."""
    from liaison.tenants.opinions.models import TRACKING_ALPHABET, TRACKING_LENGTH
    seen: set[str] = set()
    out = []
    while len(out) < n:
        code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
        if code not in seen:
            seen.add(code)
            out.append(code)
    return out


def id_number(region: str, birth: date, serial: int) -> str:
    """A well-formed (checksum-valid) but synthetic 18-digit resident ID number."""
    body = f"{region:0<6}{birth:%Y%m%d}{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check
