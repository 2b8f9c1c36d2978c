"""Queries of notices: scoped reads (the issuing squad in the reader's data scope), list filters, the history
warning first reads, and the notices the escalation job must act on."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from chengguan.cases.enums import CaseStatus
from chengguan.cases.models import Case
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.repository import Repository
from chengguan.merchants.models import Merchant
from chengguan.org.scope import scope_clause
from chengguan.rectification.enums import AWAITING_OFFICER, RectStatus
from chengguan.rectification.models import Notice

S = RectStatus
WAITING_ON_SHOP = (S.pending, S.rejected)


class NoticeRepository(Repository[Notice]):
    model = Notice
    order_by = (Notice.issued_at.desc(), Notice.code.desc())

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Notice]]:
        """Notices of squads in the reader's scope; a field officer (scope 本人) sees those of their own squad."""
        own = Notice.unit_id == principal.unit_id if principal.unit_id is not None else None
        return select(Notice).where(scope_clause(principal, Notice.unit_id, own=own))


def overdue_clause(today: date) -> ColumnElement[bool]:
    """Past the due date with the shop still to act, or already turned into a case source."""
    late = and_(Notice.status.in_([s.value for s in WAITING_ON_SHOP]), Notice.due_date < today)
    return or_(late, Notice.status == S.escalated)


def awaiting_clause() -> ColumnElement[bool]:
    """Submitted photos or a re-inspection: the officer's turn."""
    return Notice.status.in_([s.value for s in AWAITING_OFFICER])


def keyword_clause(q: str) -> ColumnElement[bool]:
    like = f"%{q.strip()}%"
    shops = select(Merchant.id).where(or_(Merchant.name.like(like), Merchant.code.like(like)))
    return or_(Notice.code.like(like), Notice.document_no.like(like), Notice.matter_name.like(like),
               Notice.merchant_id.in_(shops))  # fmt: skip


def of_merchant(session: Session, merchant_id: uuid.UUID) -> list[Notice]:
    """A shop's notices, newest first (the portal: the shop sees all of its own)."""
    statement = select(Notice).where(Notice.merchant_id == merchant_id).order_by(*NoticeRepository.order_by)
    return list(session.scalars(statement))


def party_clause(id_nos: list[str]) -> ColumnElement[bool]:
    """Cases whose party is one of these identity numbers (the shop's USCC, its operator's ID)."""
    return Case.party_id_no_hash.in_(id_nos)  # the keyed search hashes (the numbers themselves are sealed)


def prior_notices(session: Session, merchant_id: uuid.UUID, matter_code: str, since: datetime) -> int:
    """Notices of the same matter to the shop since ``since`` (a withdrawn one was a mistake and does not count)."""
    return session.scalar(
        select(func.count(Notice.id)).where(
            Notice.merchant_id == merchant_id, Notice.matter_code == matter_code, Notice.issued_at >= since,
            Notice.status != S.withdrawn,
        )
    ) or 0  # fmt: skip


def prior_cases(
    session: Session, merchant_id: uuid.UUID | None, id_nos: list[str], matter_code: str, since: datetime
) -> int:
    """Cases of the same matter since ``since`` against the shop or its party (declined or withdrawn ones were no
    finding of an offence and do not count)."""
    who = []
    if merchant_id is not None:
        who.append(Case.merchant_id == merchant_id)
    if id_nos:
        who.append(party_clause(id_nos))
    if not who:
        return 0
    dropped = [CaseStatus.declined.value, CaseStatus.withdrawn.value]
    return session.scalar(
        select(func.count(Case.id)).where(
            or_(*who), Case.matter_code == matter_code, Case.created_at >= since, Case.status.not_in(dropped)
        )
    ) or 0  # fmt: skip


def escalation_candidates(session: Session, today: date, rejections: int, limit: int = 200) -> list[Notice]:
    """Notices the job must look at: waiting on the shop past their due date, or rejected often enough."""
    statement = (
        select(Notice)
        .where(Notice.status.in_([s.value for s in WAITING_ON_SHOP]))
        .where(or_(Notice.due_date < today, and_(Notice.status == S.rejected, Notice.rejections >= rejections)))
        .order_by(Notice.due_date, Notice.id)
        .limit(limit)
    )
    return list(session.scalars(statement))
