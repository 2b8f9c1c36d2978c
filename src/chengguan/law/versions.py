"""Versions of matters and discretion standards: every change is kept whole, so a case shows what it applied."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.law.models import DiscretionStandard, DiscretionTier, EnforcementMatter, KnowledgeSnapshot

MATTER_FIELDS = (
    "code",
    "name",
    "category_code",
    "region_code",
    "description",
    "violated",
    "penalty",
    "penalty_kinds",
    "individual_min_fen",
    "individual_max_fen",
    "organization_min_fen",
    "organization_max_fen",
    "ratio_min_pct",
    "ratio_max_pct",
    "ratio_base",
    "fine_note",
    "simple_procedure_possible",
    "first_offense_exempt_possible",
    "keywords",
    "checklist_code",
    "status",
    "version",
)
TIER_FIELDS = ("matter_code", "party_type", "tier", "circumstances", "lower_pct", "upper_pct", "min_fen", "max_fen")


def matter_content(matter: EnforcementMatter) -> dict[str, Any]:
    return {name: _plain(getattr(matter, name)) for name in MATTER_FIELDS}


def standard_content(session: Session, standard: DiscretionStandard) -> dict[str, Any]:
    tiers = session.scalars(select(DiscretionTier).where(DiscretionTier.standard_id == standard.id)).all()
    return {
        "code": standard.code,
        "name": standard.name,
        "region_code": standard.region_code,
        "issuing_body": standard.issuing_body,
        "effective_date": standard.effective_date.isoformat(),
        "description": standard.description,
        "version": standard.version,
        "tiers": [{name: _plain(getattr(t, name)) for name in TIER_FIELDS} for t in tiers],
    }


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def keep_version(session: Session, obj: EnforcementMatter | DiscretionStandard) -> KnowledgeSnapshot:
    """Store the object's current content under its current ``version``."""
    if isinstance(obj, EnforcementMatter):
        kind, content = "matter", matter_content(obj)
    else:
        kind, content = "standard", standard_content(session, obj)
    snapshot = KnowledgeSnapshot(kind=kind, code=obj.code, version=obj.version, content=content, created_at=clock.now())
    session.add(snapshot)
    session.flush()
    return snapshot


def get_version(session: Session, kind: str, code: str, version: int) -> KnowledgeSnapshot | None:
    return session.scalar(
        select(KnowledgeSnapshot).where(
            KnowledgeSnapshot.kind == kind, KnowledgeSnapshot.code == code, KnowledgeSnapshot.version == version
        )
    )


def list_versions(session: Session, kind: str, code: str) -> list[KnowledgeSnapshot]:
    return list(
        session.scalars(
            select(KnowledgeSnapshot)
            .where(KnowledgeSnapshot.kind == kind, KnowledgeSnapshot.code == code)
            .order_by(KnowledgeSnapshot.version.desc())
        )
    )
