"""Queries of evidence items and their reviews. Items are scoped by their case: whoever may read the case
(``cases.repository.load``) may read its evidence."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chengguan.evidence.enums import EvidenceOrigin
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.evidence.review import UNREVIEWED
from chengguan.org.models import Officer


def of_case(session: Session, case_id: uuid.UUID) -> list[EvidenceItem]:
    """The case's evidence in capture order."""
    statement = select(EvidenceItem).where(EvidenceItem.case_id == case_id)
    return list(session.scalars(statement.order_by(EvidenceItem.captured_at, EvidenceItem.ledger_seq)))


def of_source(session: Session, source_id: uuid.UUID) -> list[EvidenceItem]:
    """The items fixed on a case source (those a case has adopted included), in capture order."""
    statement = select(EvidenceItem).where(EvidenceItem.source_id == source_id)
    return list(session.scalars(statement.order_by(EvidenceItem.captured_at, EvidenceItem.ledger_seq)))


def adopt(session: Session, source_id: uuid.UUID, case_id: uuid.UUID) -> int:
    """Give the source's items without a case to the case opened from it; how many."""
    done = session.execute(
        update(EvidenceItem)
        .where(EvidenceItem.source_id == source_id, EvidenceItem.case_id.is_(None))
        .values(case_id=case_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def reviews_of(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[EvidenceReview]]:
    """The reviews of the items, level order."""
    ids = list(ids)
    out: dict[uuid.UUID, list[EvidenceReview]] = {i: [] for i in ids}
    if ids:
        statement = select(EvidenceReview).where(EvidenceReview.evidence_id.in_(ids))
        for r in session.scalars(statement.order_by(EvidenceReview.level, EvidenceReview.at)):
            out[r.evidence_id].append(r)
    return out


def officer_names(session: Session, items: Iterable[EvidenceItem]) -> dict[uuid.UUID, str]:
    ids = {i.officer_id for i in items if i.officer_id}
    if not ids:
        return {}
    return dict(session.execute(select(Officer.id, Officer.name).where(Officer.id.in_(ids))).tuples().all())


def unreviewed_machine_evidence(session: Session, case_id: uuid.UUID) -> int:
    """Machine-recorded items of the case still awaiting a review level (第四十一条: not yet usable as evidence)."""
    statement = select(func.count()).where(
        EvidenceItem.case_id == case_id,
        EvidenceItem.origin == EvidenceOrigin.machine,
        EvidenceItem.review_status.in_(list(UNREVIEWED)),
    )
    return session.scalar(statement) or 0
