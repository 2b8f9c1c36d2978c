"""The party's side of paying (商户端 · 码上付): the decisions served to the account's phone that impose a fine, what
each asks to pay today (live, with the 第七十二条 late fee), the order to pay it with, and the receipts."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.models import Case
from chengguan.core.config import Settings
from chengguan.core.errors import NotFound
from chengguan.documents.enums import DeliveryStatus
from chengguan.documents.kinds import DocumentKind
from chengguan.identity.models import MerchantAccount
from chengguan.payments import repository, service
from chengguan.payments.enums import OrderStatus
from chengguan.payments.schemas import PortalPayable
from chengguan.portal import service as portal
from chengguan.portal.service import ServedDocument

DECISIONS = frozenset({DocumentKind.penalty_decision.value, DocumentKind.on_site_decision.value})


def _decisions(session: Session, account: MerchantAccount) -> dict[uuid.UUID, ServedDocument]:
    """The account's served decisions, one per case (the latest service)."""
    found: dict[uuid.UUID, ServedDocument] = {}
    for served in portal.documents(session, account):  # newest first
        if served.document.kind in DECISIONS:
            found.setdefault(served.document.case_id, served)
    return found


def case_of(session: Session, account: MerchantAccount, case_id: uuid.UUID) -> Case:
    """A case whose decision was served to the account; 404 otherwise (the portal tells nothing of other cases)."""
    if case_id not in _decisions(session, account):
        raise NotFound("未找到送达给您的该处罚决定", code="payment.portal.not_found")
    case = session.get(Case, case_id)
    assert case is not None
    return case


def owns(session: Session, account: MerchantAccount, case_id: uuid.UUID) -> bool:
    return case_id in _decisions(session, account)


def payables(session: Session, settings: Settings, account: MerchantAccount) -> list[PortalPayable]:
    """Every decision served to the account that imposes a fine, newest first, with today's amount due."""
    decisions = _decisions(session, account)
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(list(decisions))))}
    orders = repository.orders_of_cases(session, [cid for cid, c in cases.items() if c.fine_fen])
    receipts = repository.receipts_of_orders(session, [o.id for o in orders])
    on = service.today()
    out = []
    for case_id, served in decisions.items():
        case = cases[case_id]
        if not case.fine_fen:
            continue
        mine = [o for o in orders if o.case_id == case_id]
        pending = next((o for o in mine if o.status is OrderStatus.pending), None)
        refusal = service.refusal_of(case, on)
        due = service.due_out(case, on)
        out.append(PortalPayable(
            case_id=case.id, case_code=case.code, decision_title=served.document.title,
            decision_no=served.document.document_no, delivery_id=served.delivery.id, bureau=served.bureau,
            served=served.delivery.status is DeliveryStatus.served, due=due, payable=refusal is None,
            refusal=refusal, open_order=service.order_out(pending, case.code) if pending and refusal is None else None,
            receipts=[service.receipt_out(settings, receipts[o.id], o.order_no) for o in mine if o.id in receipts],
            paid=due.amount_due_fen == 0 and case.paid_fen > 0,
        ))  # fmt: skip
    return out
