"""Queries of evidence items and their reviews. Items are scoped by their case: whoever may read the case
(``cases.repository.load``) may read its evidence."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.evidence.enums import EvidenceOrigin
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.evidence.review import UNREVIEWED
from chengguan.org.models import Officer


def of_case(session: Session, case_id: uuid.UUID) -> list[EvidenceItem]:
    """The case's evidence in capture order."""
    statement = select(EvidenceItem).where(EvidenceItem.case_id == case_id)
    return list(session.scalars(statement.order_by(EvidenceItem.captured_at, EvidenceItem.ledger_seq)))


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
