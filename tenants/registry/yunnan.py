"""The project's own copy of Yunnan's prefectures and counties (data/yunnan.json)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "yunnan.json"


@dataclass(frozen=True)
class PrefectureSeed:
    code: str
    name: str
    name_en: str
    slug: str
    kind: str
    counties: tuple[str, ...]

    def county_code(self, index: int) -> str:
        # yunnan.json lists counties by name only; codes are positional under the
        # prefecture code (530100 → 530101, 530102, …), stable for the seeded order.
        return f"{self.code[:4]}{index + 1:02d}"


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


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
