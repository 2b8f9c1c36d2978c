"""Read models of notices: the list with its filters (awaiting the officer, overdue), one notice with its timeline,
the shop's submissions and their photos as fixed in the evidence ledger."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence.models import EvidenceItem
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.merchants.models import Merchant
from chengguan.org.repository import unit_names
from chengguan.org.scope import units_below
from chengguan.rectification import repository, rules
from chengguan.rectification.enums import KIND_LABELS, STATUS_LABELS, Actor
from chengguan.rectification.models import Notice, RectificationSubmission, WarningDecision
from chengguan.rectification.schemas import (
    EventRead,
    NoticeDetail,
    NoticeFilter,
    NoticeRead,
    PhotoRead,
    SubmissionRead,
)
from chengguan.rectification.timeline import events, label
from chengguan.rectification.warning import decision_read

PhotoUrl = Callable[[Notice, uuid.UUID], str]


def staff_photo_url(notice: Notice, evidence_id: uuid.UUID) -> str:
    return f"/api/v1/notices/{notice.id}/photos/{evidence_id}"


def reads(session: Session, notices: list[Notice]) -> list[NoticeRead]:
    today = clock.local_now().date()
    shops = {
        m.id: m for m in session.scalars(select(Merchant).where(Merchant.id.in_({n.merchant_id for n in notices})))
    }
    names = unit_names(session, {n.unit_id for n in notices})
    out = []
    for n in notices:
        shop = shops[n.merchant_id]
        waiting = n.status in repository.WAITING_ON_SHOP
        out.append(NoticeRead(
            id=n.id, code=n.code, kind=n.kind, kind_label=KIND_LABELS[n.kind], document_no=n.document_no,
            merchant_id=n.merchant_id, merchant_code=shop.code, merchant_name=shop.name, unit_id=n.unit_id,
            unit_name=names.get(n.unit_id, ""), bureau_name=n.bureau_name, matter_code=n.matter_code,
            matter_name=n.matter_name, basis=n.basis, facts=n.facts, requirement=n.requirement, due_date=n.due_date,
            origin=n.origin, source_id=n.source_id, case_id=n.case_id, issued_by_name=n.issued_by_name,
            issued_at=n.issued_at, sms_status=n.sms_status, read_at=n.read_at, status=n.status,
            status_label=STATUS_LABELS[n.status], rejections=n.rejections, reinspection_on=n.reinspection_on,
            closed_at=n.closed_at, escalated_source_id=n.escalated_source_id,
            overdue=waiting and today > n.due_date, days_left=(n.due_date - today).days,
            has_pdf=n.document_no is not None, version=n.version,
        ))  # fmt: skip
    return out


def listing(session: Session, principal: StaffPrincipal, filters: NoticeFilter, page: PageParams
            ) -> Paginated[NoticeRead]:  # fmt: skip
    rows, total = repository.NoticeRepository(session).page(filtered(session, principal, filters), page)
    return Paginated[NoticeRead](items=reads(session, rows), total=total)


def filtered(session: Session, principal: StaffPrincipal, filters: NoticeFilter) -> Select[tuple[Notice]]:
    """The readable notices matching the list's filters, unordered (the list and its export share it)."""
    statement = repository.NoticeRepository(session).readable(principal)
    today = clock.local_now().date()
    if filters.status is not None:
        statement = statement.where(Notice.status == filters.status)
    if filters.kind is not None:
        statement = statement.where(Notice.kind == filters.kind)
    if filters.merchant_id is not None:
        statement = statement.where(Notice.merchant_id == filters.merchant_id)
    if filters.unit_id is not None:
        statement = statement.where(Notice.unit_id.in_(units_below(filters.unit_id)))
    if filters.awaiting:
        statement = statement.where(repository.awaiting_clause())
    if filters.overdue:
        statement = statement.where(repository.overdue_clause(today))
    if filters.q and filters.q.strip():
        statement = statement.where(repository.keyword_clause(filters.q))
    return statement


def photos(session: Session, notice: Notice, url: PhotoUrl) -> list[SubmissionRead]:
    subs = list(session.scalars(select(RectificationSubmission).where(RectificationSubmission.notice_id == notice.id)
                                .order_by(RectificationSubmission.submitted_at)))  # fmt: skip
    ids = [uuid.UUID(i) for s in subs for i in s.evidence_ids]
    items = {i.id: i for i in session.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(ids)))} if ids else {}
    return [
        SubmissionRead(
            id=s.id, note=s.note, submitted_at=s.submitted_at,
            photos=[PhotoRead(id=it.id, sha256=it.sha256, mime=it.mime, size=it.size, captured_at=it.captured_at,
                              lng=it.lng, lat=it.lat, device=it.device, ledger_seq=it.ledger_seq,
                              url=url(notice, it.id))
                    for i in s.evidence_ids if (it := items.get(uuid.UUID(i))) is not None],
        )
        for s in subs
    ]  # fmt: skip


def photo_of(session: Session, notice: Notice, evidence_id: uuid.UUID) -> EvidenceItem | None:
    """A photo the shop submitted on this notice (None for any other item)."""
    for sub in session.scalars(select(RectificationSubmission).where(RectificationSubmission.notice_id == notice.id)):
        if str(evidence_id) in sub.evidence_ids:
            return session.get(EvidenceItem, evidence_id)
    return None


def detail(session: Session, notice: Notice, *, who: Actor, url: PhotoUrl = staff_photo_url) -> NoticeDetail:
    base = reads(session, [notice])[0]
    decision = session.get(WarningDecision, notice.decision_id) if notice.decision_id else None
    return NoticeDetail(
        **base.model_dump(),
        events=[
            EventRead(
                at=e.at,
                action=e.action,
                action_label=label(e.action),
                from_status=e.from_status,
                to_status=e.to_status,
                actor_type=e.actor_type,
                actor_name=e.actor_name,
                reason=e.reason,
                data=e.data,
            )
            for e in events(session, notice)
        ],
        submissions=photos(session, notice, url),
        actions=rules.allowed(notice.status, who),
        decision=decision_read(decision) if decision else None,
    )
