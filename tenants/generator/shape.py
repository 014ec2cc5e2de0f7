"""How much of what, where: Yunnan's published totals scaled by S and spread over the
real prefectures and counties.

Every count is a province total times S, split over the 129 counties by fixed,
seed-dependent county weights (largest-remainder rounding, so totals are exact and
the split is the same whether one prefecture or all sixteen are generated).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

from liaison.tenants.registry import yunnan

# Published (yunnan.json) and derived province totals at S = 1.0.
PUBLISHED = yunnan.published_figures()
HOMES = PUBLISHED["homes"]  # 142
STATIONS = PUBLISHED["stations"]  # 1,547
OFFICES = PUBLISHED["offices"]  # 12,867
OPINIONS = PUBLISHED["since_2019"]["opinions_collected"]  # 590,500
PEOPLE_RECEIVED = PUBLISHED["since_2019"]["people_received"]  # 1,387,200
DEPUTY_VISITS = PUBLISHED["since_2019"]["deputy_visits_person_times"]  # 820,600
SUGGESTIONS = PUBLISHED["since_2019"]["converted_to_deputy_suggestions"]  # 101,900

# Not published; chosen to match Yunnan's administrative shape (about 1,420
# townships and streets, 14,600 villages and communities) and the usual size of its
# congresses at each level. Stations outnumber townships (some townships keep two),
# offices cover about 88 % of villages.
TOWNSHIPS = 1_419
VILLAGES = 14_593
DEPUTIES = {"national": 91, "provincial": 626, "prefecture": 6_900, "county": 25_800, "township": 66_600}  # ≈ 100,017
# Extra tiers beside the published three (not counted in the 14,556).
ONLINE = HOMES  # one online position per home
PROFESSIONAL = 160  # Kunming alone reported 21 in 2022
SPECIAL = 64  # buildings, business districts, campuses

# Activity shape: reception days per position-year and people per reception are set
# so that people received and deputy visits land on the published totals.
PEOPLE_PER_RECEPTION = 8


@dataclass(frozen=True)
class CountyRef:
    prefecture: str  # slug
    index: int  # position in yunnan.json (county code = prefecture code[:4] + index+1)
    name: str
    code: str
    weight: float


@lru_cache(maxsize=8)
def county_refs(seed: int) -> tuple[CountyRef, ...]:
    """All 129 counties with a seed-dependent weight (a log-normal "size")."""
    rng = random.Random(f"liaison-generate:{seed}:weights")
    refs = []
    for pref in yunnan.prefectures():
        for index, name in enumerate(pref.counties):
            refs.append(CountyRef(pref.slug, index, name, pref.county_code(index), rng.lognormvariate(0.0, 0.35)))
    return tuple(refs)


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights)
    if wsum <= 0:
        weights, wsum = [1.0] * len(weights), float(len(weights))
    quotas = [total * w / wsum for w in weights]
    counts = [math.floor(q) for q in quotas]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


@dataclass
class CountyTargets:
    townships: int = 0
    villages: int = 0
    homes: int = 0
    stations: int = 0
    offices: int = 0
    deputies_county: int = 0
    deputies_township: int = 0


@dataclass
class PrefectureTargets:
    """What to generate in one prefecture; counties are keyed by county code."""

    slug: str
    scale: float
    counties: dict[str, CountyTargets] = field(default_factory=dict)
    prefecture_homes: int = 0
    online: int = 0
    professional: int = 0
    special: int = 0
    deputies: dict[str, int] = field(default_factory=dict)  # national/provincial/prefecture
    opinions: int = 0
    people_received: int = 0
    deputy_visits: int = 0
    suggestions: int = 0

    def total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.counties.values())

    @property
    def positions(self) -> int:
        return self.prefecture_homes + self.total("homes") + self.total("stations") + self.total("offices")


def _scaled(value: int, scale: float) -> int:
    return int(round(value * scale))


@lru_cache(maxsize=16)
def province_targets(scale: float, seed: int) -> dict[str, PrefectureTargets]:
    """Targets for all 16 prefectures at scale S (cached: a subset reuses the split)."""
    refs = county_refs(seed)
    weights = [r.weight for r in refs]
    slugs = [p.slug for p in yunnan.prefectures()]
    targets = {slug: PrefectureTargets(slug=slug, scale=scale) for slug in slugs}
    # Townships: at least one per prefecture (so every prefecture has villages, offices
    # and somewhere to receive opinions even at S = 0.001), split by prefecture weight,
    # then over each prefecture's counties.
    pref_of = [slugs.index(r.prefecture) for r in refs]
    pref_w = [sum(w for w, p in zip(weights, pref_of) if p == i) for i in range(len(slugs))]
    total_t = _scaled(TOWNSHIPS, scale)
    per_pref = [1 + n for n in allocate(max(0, total_t - len(slugs)), pref_w)]
    townships = [0] * len(refs)
    for i, n in enumerate(per_pref):
        idx = [k for k, p in enumerate(pref_of) if p == i]
        for k, c in zip(idx, allocate(n, [weights[k] for k in idx])):
            townships[k] = c
    # Below S ≈ 0.1 some counties get no township; everything that sits in a township
    # or a village then goes to the counties that have one, so every tree is whole
    # (no village without its township, no station without a township to sit in).
    inner = [w if t else 0.0 for w, t in zip(weights, townships)]
    per_county = {
        "townships": townships,
        "villages": allocate(_scaled(VILLAGES, scale), inner),
        "stations": allocate(_scaled(STATIONS, scale), inner),
        "offices": allocate(_scaled(OFFICES, scale), inner),
        "deputies_county": allocate(_scaled(DEPUTIES["county"], scale), inner),
        "deputies_township": allocate(_scaled(DEPUTIES["township"], scale), inner),
    }
    # Homes: one per county first (county congresses), the rest at prefecture level;
    # below S = 129/142 the county homes go to the heaviest counties.
    total_homes = _scaled(HOMES, scale)
    county_homes = min(total_homes, len(refs))
    home_flags = [0] * len(refs)
    for i in sorted(range(len(refs)), key=lambda i: (-weights[i], i))[:county_homes]:
        home_flags[i] = 1
    for i, ref in enumerate(refs):
        ct = CountyTargets(homes=home_flags[i], **{k: v[i] for k, v in per_county.items()})
        targets[ref.prefecture].counties[ref.code] = ct
    pref_weights = [sum(r.weight for r in refs if r.prefecture == slug) for slug in slugs]

    def split(total: int) -> dict[str, int]:
        return dict(zip(slugs, allocate(total, pref_weights)))

    for key, total in (
        ("prefecture_homes", total_homes - county_homes),
        ("online", _scaled(ONLINE, scale)),
        ("professional", _scaled(PROFESSIONAL, scale)),
        ("special", _scaled(SPECIAL, scale)),
        ("opinions", _scaled(OPINIONS, scale)),
        ("people_received", _scaled(PEOPLE_RECEIVED, scale)),
        ("deputy_visits", _scaled(DEPUTY_VISITS, scale)),
        ("suggestions", _scaled(SUGGESTIONS, scale)),
    ):
        for slug, n in split(total).items():
            setattr(targets[slug], key, n)
    for level in ("national", "provincial", "prefecture"):
        for slug, n in split(_scaled(DEPUTIES[level], scale)).items():
            targets[slug].deputies[level] = n
    return targets


def summary(targets: dict[str, PrefectureTargets]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in targets.values():
        for key in ("townships", "villages", "homes", "stations", "offices"):
            out[key] = out.get(key, 0) + t.total(key)
        out["homes"] += t.prefecture_homes
        out["positions"] = out.get("positions", 0) + t.positions
        out["deputies"] = out.get("deputies", 0) + t.total("deputies_county") + t.total("deputies_township") + sum(t.deputies.values())
        for key in ("opinions", "people_received", "deputy_visits"):
            out[key] = out.get(key, 0) + getattr(t, key)
    return out
