"""One scenario per enforcement matter (``data/scenarios.toml``): who commits the act, where, what the facts say,
what the photos show, what an AI camera would label — so every part of a demo case describes the same act."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FILE = Path(__file__).parent / "data" / "scenarios.toml"
PARTIES = ("shop", "company", "builder", "individual", "driver", "property")
SCENES = ("stall", "street", "site", "billboard", "truck", "smoke", "building", "garbage", "facade", "green", "night")
NIGHT_SCENES = frozenset({"night"})


@dataclass(frozen=True)
class Scenario:
    matter: str
    party: str
    scene: str
    place: str
    facts: str
    photos: tuple[str, str, str]
    terms: tuple[str, ...]
    detection: str | None = None
    n: tuple[int, int] | None = None
    m: tuple[int, int] | None = None

    def facts_at(self, rng: random.Random, addr: str) -> str:
        """The facts with the place and the figures filled in."""
        n = rng.randint(*self.n) if self.n else 0
        m = rng.randint(*self.m) if self.m else 0
        return self.facts.format(addr=addr, n=n, m=m)

    @property
    def at_night(self) -> bool:
        return self.scene in NIGHT_SCENES or any(word in self.facts for word in ("夜间", "22时", "凌晨"))


def _pair(value: list[int] | None) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if value else None


@cache
def scenarios() -> dict[str, Scenario]:
    """The shipped scenarios by matter code."""
    rows = tomllib.loads(FILE.read_text(encoding="utf-8")).get("scenario", []) if FILE.exists() else []
    return {
        row["matter"]: Scenario(
            matter=row["matter"],
            party=row["party"],
            scene=row["scene"],
            place=row["place"],
            facts=row["facts"],
            photos=tuple(row["photos"]),  # type: ignore[arg-type]
            terms=tuple(row.get("terms", ())),
            detection=row.get("detection"),
            n=_pair(row.get("n")),
            m=_pair(row.get("m")),
        )
        for row in rows
    }
