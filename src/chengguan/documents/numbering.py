"""Document numbers (文号): per issuing bureau, kind and year, gap-free and unique under concurrency.

Format: ``{bureau}{word}字〔{year}〕第{n:04d}号``, e.g. 市南区综执罚决字〔2026〕第0012号. The number comes from
``core.counters.reserve`` inside the transaction that creates the document, so a rolled-back generation gives its
number back (no gaps) and concurrent generations queue on the counter row (no duplicates).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from chengguan.core.counters import reserve
from chengguan.org.enums import OrgLevel
from chengguan.org.models import OrgUnit
from chengguan.org.repository import OrgUnitRepository

SUFFIXES = ("城市管理综合行政执法局", "综合行政执法局", "城市管理局", "执法局")


def issuing_bureau(session: Session, unit_id) -> OrgUnit:
    """The bureau that issues a case's documents: the district bureau above the squad (a squad has no seal)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise LookupError(unit_id)
    if unit.level is OrgLevel.squad:
        district = OrgUnitRepository(session).ancestor_of_level(unit.id, OrgLevel.district)
        return district or unit
    return unit


def bureau_prefix(bureau: OrgUnit) -> str:
    """市南区综合行政执法局 → 市南区综执; 青岛市城市管理综合行政执法局 → 青岛市城管."""
    for suffix in SUFFIXES:
        if bureau.name.endswith(suffix):
            base = bureau.name[: -len(suffix)]
            return base + ("城管" if suffix.startswith("城市管理") else "综执")
    return bureau.short_name or bureau.name


def format_number(prefix: str, word: str, year: int, n: int) -> str:
    return f"{prefix}{word}字〔{year}〕第{n:04d}号"


def next_number(session: Session, bureau: OrgUnit, word: str, year: int) -> str:
    """Reserve the next number of this bureau, kind and year."""
    n = reserve(session, f"doc:{bureau.id}:{word}:{year}")
    return format_number(bureau_prefix(bureau), word, year, n)
