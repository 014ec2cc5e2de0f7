"""The project's own copy of Yunnan's prefectures and counties: data/yunnan.json
(prefectures, their counties by name, published figures) and data/yunnan_counties.csv
(each county's GB/T 2260 code and the coordinates of its county seat — five
newer county-level cities and districts have none — from the administrative-division
data as of 2025-12-31)."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "yunnan.json"
COUNTIES_FILE = Path(__file__).resolve().parent / "data" / "yunnan_counties.csv"


@dataclass(frozen=True)
class County:
    prefecture_code: str
    code: str          # GB/T 2260
    name: str
    longitude: Decimal | None  # of the county seat; None where the source gives none
    latitude: Decimal | None


@dataclass(frozen=True)
class PrefectureSeed:
    code: str
    name: str
    name_en: str
    slug: str
    kind: str
    counties: tuple[str, ...]

    def county(self, index: int) -> County:
        """The index-th county of yunnan.json, with its real code (never made up)."""
        name = self.counties[index]
        try:
            return counties()[(self.code, name)]
        except KeyError:
            raise LookupError(f"{self.name} {name}: not in {COUNTIES_FILE.name}") from None

    def county_code(self, index: int) -> str:
        return self.county(index).code


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


@lru_cache(maxsize=1)
def counties() -> dict[tuple[str, str], County]:
    """(prefecture code, county name) → County, from yunnan_counties.csv."""
    with COUNTIES_FILE.open(encoding="utf-8", newline="") as f:
        return {(r["prefecture_code"], r["county"]): County(r["prefecture_code"], r["county_code"], r["county"],
                                                            _decimal(r["longitude"]), _decimal(r["latitude"]))
                for r in csv.DictReader(f)}


def prefectures() -> list[PrefectureSeed]:
    kinds = {"city": "city", "autonomous_prefecture": "autonomous_prefecture"}
    return [
        PrefectureSeed(p["code"], p["name"], p["name_en"], p["slug"], kinds.get(p["kind"], p["kind"]), tuple(p["counties"]))
        for p in load()["prefectures"]
    ]


def by_slug(slug: str) -> PrefectureSeed | None:
    return next((p for p in prefectures() if p.slug == slug), None)


def published_figures() -> dict:
    return load()["published_figures"]
