"""Loads the shipped knowledge base (statutes, checklists, matters, discretion standards, hearing thresholds).

Idempotent: statutes and rows that already exist are left as they are (an administrator may have edited them), so
``chengguan migrate`` and ``chengguan demo`` can both call it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.law import search
from chengguan.law.assess import SIMPLE_PROCEDURE_CAP_FEN
from chengguan.law.enums import PartyType, PenaltyKind
from chengguan.law.models import (
    Checklist,
    DiscretionStandard,
    DiscretionTier,
    EnforcementMatter,
    HearingThreshold,
    Law,
    LawArticle,
)
from chengguan.law.statutes import Citation, ParsedStatute, shipped_statutes
from chengguan.law.versions import keep_version


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("chengguan.law").joinpath("data", name).read_text(encoding="utf-8"))


@cache
def categories() -> dict[str, str]:
    """GB/T 47678.5 event categories known to the platform: code → name."""
    return dict(_data("categories.toml")["category"])


def parse_ref(ref: str) -> dict[str, Any]:
    """``"daqi 第一百一十八条第三款"`` → ``{"law": "daqi", "article": "第一百一十八条", "clause": "第三款"}``."""
    law, _, cited = ref.partition(" ")
    citation = Citation.parse(cited)
    return {"law": law, "article": citation.article_label, "clause": citation.clause_label}


def simple_procedure_possible(kinds: list[str], individual_min: int | None, organization_min: int | None) -> bool:
    """第五十一条: a warning, or a statutory minimum (fen) within 200 / 3,000 yuan, may be given on the spot."""
    if PenaltyKind.warning.value in kinds:
        return True
    caps = SIMPLE_PROCEDURE_CAP_FEN
    return (individual_min is not None and individual_min <= caps[PartyType.individual]) or (
        organization_min is not None and organization_min <= caps[PartyType.organization]
    )


@dataclass
class SeedReport:
    laws: int = 0
    articles: int = 0
    matters: int = 0
    standards: int = 0


def seed_knowledge_base(session: Session) -> SeedReport:
    """Insert whatever of the shipped knowledge base is missing; returns what was added."""
    report = SeedReport()
    _seed_statutes(session, report)
    _seed_checklists(session)
    _seed_matters(session, report)
    _seed_standards(session, report)
    session.flush()
    return report


def _seed_statutes(session: Session, report: SeedReport) -> None:
    existing = set(session.scalars(select(Law.code)))
    for source in shipped_statutes():
        if source.code in existing:
            continue
        parsed = source.parse()
        _, articles = store_statute(
            session, parsed, code=source.code, short_title=source.short_title, level=source.level,
            issuing_body=source.issuing_body, region_code=source.region or None,
            effective_date=source.effective_date, version=source.version,
        )  # fmt: skip
        report.laws += 1
        report.articles += len(articles)


def store_statute(session: Session, parsed: ParsedStatute, **meta: Any) -> tuple[Law, list[LawArticle]]:
    """Insert a parsed statute with every article and index it for search; ``meta`` are the ``Law`` columns."""
    law = Law(title=parsed.title, history="\n".join(parsed.history), article_count=len(parsed.articles), **meta)
    session.add(law)
    session.flush()
    articles = [
        LawArticle(law_id=law.id, number=a.number, label=a.label, chapter=a.chapter, section=a.section, text=a.text)
        for a in parsed.articles
    ]
    session.add_all(articles)
    session.flush()
    search.index_law(session, law, articles)
    return law, articles


def _seed_checklists(session: Session) -> None:
    existing = set(session.scalars(select(Checklist.code)))
    for entry in _data("checklists.toml")["checklist"]:
        if entry["code"] not in existing:
            items = [{"text": text} for text in entry["items"]]
            session.add(Checklist(code=entry["code"], name=entry["name"], items=items))
    session.flush()


def matter_from_seed(entry: dict[str, Any]) -> dict[str, Any]:
    """One ``matters.toml`` table → column values (yuan → fen)."""
    individual = entry.get("individual")
    organization = entry.get("organization")
    kinds = list(entry["kinds"])
    ratio = entry.get("ratio_pct")
    return {
        "code": entry["code"],
        "name": entry["name"],
        "category_code": entry["category"],
        "region_code": entry.get("region") or None,
        "description": entry.get("description", ""),
        "violated": [parse_ref(r) for r in entry["violated"]],
        "penalty": [parse_ref(r) for r in entry["penalty"]],
        "penalty_kinds": kinds,
        "individual_min_fen": individual[0] * 100 if individual else None,
        "individual_max_fen": individual[1] * 100 if individual else None,
        "organization_min_fen": organization[0] * 100 if organization else None,
        "organization_max_fen": organization[1] * 100 if organization else None,
        "ratio_min_pct": ratio[0] if ratio else None,
        "ratio_max_pct": ratio[1] if ratio else None,
        "ratio_base": entry.get("ratio_base", ""),
        "fine_note": entry.get("note", ""),
        "simple_procedure_possible": simple_procedure_possible(
            kinds, individual[0] * 100 if individual else None, organization[0] * 100 if organization else None
        ),
        "first_offense_exempt_possible": entry.get("first_offense_exempt", True),
        "keywords": list(entry.get("keywords", [])),
        "checklist_code": entry.get("checklist"),
    }


def _seed_matters(session: Session, report: SeedReport) -> None:
    existing = set(session.scalars(select(EnforcementMatter.code)))
    for entry in _data("matters.toml")["matter"]:
        if entry["code"] in existing:
            continue
        matter = EnforcementMatter(**matter_from_seed(entry))
        session.add(matter)
        session.flush()
        keep_version(session, matter)
        search.index_matter(session, matter)
        report.matters += 1


def _seed_standards(session: Session, report: SeedReport) -> None:
    existing = set(session.scalars(select(DiscretionStandard.code)))
    raw = _data("standards.toml")
    for entry in raw["standard"]:
        if entry["code"] in existing:
            continue
        standard = DiscretionStandard(
            code=entry["code"],
            name=entry["name"],
            region_code=entry.get("region") or None,
            issuing_body=entry.get("issuing_body", ""),
            effective_date=entry["effective_date"],
            description=entry.get("description", ""),
        )
        session.add(standard)
        session.flush()
        for tier in entry.get("tier", []):
            pct = tier.get("pct")
            yuan = tier.get("yuan")
            session.add(
                DiscretionTier(
                    standard_id=standard.id,
                    matter_code=tier.get("matter"),
                    party_type=tier.get("party_type"),
                    tier=tier["tier"],
                    circumstances=tier.get("circumstances", ""),
                    lower_pct=pct[0] if pct else None,
                    upper_pct=pct[1] if pct else None,
                    min_fen=yuan[0] * 100 if yuan else None,
                    max_fen=yuan[1] * 100 if yuan else None,
                )
            )
        session.flush()
        keep_version(session, standard)
        report.standards += 1
    have = {row for row in session.scalars(select(HearingThreshold.region_code))}
    for entry in raw.get("hearing", []):
        region = entry.get("region") or None
        if region not in have:
            session.add(
                HearingThreshold(
                    region_code=region,
                    individual_fen=entry["individual"] * 100,
                    organization_fen=entry["organization"] * 100,
                    basis=entry.get("basis", ""),
                )
            )
