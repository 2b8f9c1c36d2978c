"""Every query of payments: orders, callbacks, receipts, cash collections and the rows reconciliation reads."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.cases.models import CaseEvent
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.org.scope import scope_clause
from chengguan.payments.enums import CashStatus, NotifyOutcome, OrderStatus
from chengguan.payments.models import CashCollection, PaymentNotification, PaymentOrder, PaymentReceipt

CASE_KEY = "payment:"  # the idempotency key of the case entry a paid order made: payment:<order_no>


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local (Asia/Shanghai) day starts and ends at."""
    start = datetime.combine(day, time(0, 0), clock.SHANGHAI)
    return start, start + timedelta(days=1)


def case_key(order_no: str) -> str:
    return f"{CASE_KEY}{order_no}"


def order_by_no(session: Session, order_no: str, *, lock: bool = False) -> PaymentOrder | None:
    statement = select(PaymentOrder).where(PaymentOrder.order_no == order_no)
    return session.scalars(statement.with_for_update() if lock else statement).first()


def pending_order(session: Session, case_id: uuid.UUID) -> PaymentOrder | None:
    return session.scalars(
        select(PaymentOrder).where(PaymentOrder.case_id == case_id, PaymentOrder.status == OrderStatus.pending)
    ).first()


def orders_of_cases(session: Session, case_ids: Iterable[uuid.UUID]) -> list[PaymentOrder]:
    ids = list(case_ids)
    if not ids:
        return []
    return list(session.scalars(
        select(PaymentOrder).where(PaymentOrder.case_id.in_(ids)).order_by(PaymentOrder.created_at.desc())
    ))  # fmt: skip


def receipts_of_orders(session: Session, order_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PaymentReceipt]:
    ids = list(order_ids)
    if not ids:
        return {}
    return {r.order_id: r for r in session.scalars(select(PaymentReceipt).where(PaymentReceipt.order_id.in_(ids)))}


def receipt_by_token(session: Session, token: str) -> PaymentReceipt | None:
    return session.scalars(select(PaymentReceipt).where(PaymentReceipt.verify_token == token)).first()


def unrendered_receipts(session: Session, limit: int) -> list[PaymentReceipt]:
    return list(session.scalars(
        select(PaymentReceipt).where(PaymentReceipt.pdf_sha256.is_(None)).order_by(PaymentReceipt.created_at)
        .limit(limit)
    ))  # fmt: skip


def pending_before(session: Session, before: datetime, limit: int) -> list[PaymentOrder]:
    """Pending orders created before ``before`` (their callback is late or they expired), oldest first."""
    return list(session.scalars(
        select(PaymentOrder).where(PaymentOrder.status == OrderStatus.pending, PaymentOrder.created_at < before)
        .order_by(PaymentOrder.created_at).limit(limit)
    ))  # fmt: skip


def orders_of_day(session: Session, provider: str, day: date, extra_order_nos: Iterable[str]) -> list[PaymentOrder]:
    """The orders a day's reconciliation looks at: created or paid that day, or named by the day's bill."""
    start, end = day_bounds(day)
    created = (PaymentOrder.created_at >= start) & (PaymentOrder.created_at < end)
    paid = (PaymentOrder.paid_at >= start) & (PaymentOrder.paid_at < end)
    named = PaymentOrder.order_no.in_(list(extra_order_nos))
    return list(session.scalars(
        select(PaymentOrder).where(PaymentOrder.provider == provider, created | paid | named)
        .order_by(PaymentOrder.created_at)
    ))  # fmt: skip


def accepted_notifications(session: Session, order_nos: Iterable[str]) -> set[str]:
    nos = list(order_nos)
    if not nos:
        return set()
    return set(session.scalars(
        select(PaymentNotification.order_no).where(
            PaymentNotification.order_no.in_(nos), PaymentNotification.outcome == NotifyOutcome.accepted
        )
    ))  # fmt: skip


def notification_counts(session: Session, provider: str, day: date) -> dict[str, int]:
    start, end = day_bounds(day)
    rows = session.execute(
        select(PaymentNotification.outcome, func.count()).where(
            PaymentNotification.provider == provider,
            PaymentNotification.received_at >= start, PaymentNotification.received_at < end,
        ).group_by(PaymentNotification.outcome)
    )  # fmt: skip
    return {outcome.value: n for outcome, n in rows}


def recorded_on_cases(session: Session, orders: Iterable[PaymentOrder]) -> dict[str, int]:
    """{order_no: amount} of the case entries the orders made (登记缴款 with the key ``payment:<order_no>``)."""
    by_key = {case_key(o.order_no): o for o in orders}
    if not by_key:
        return {}
    rows = session.execute(
        select(CaseEvent.idempotency_key, CaseEvent.data).where(
            CaseEvent.case_id.in_({o.case_id for o in by_key.values()}), CaseEvent.idempotency_key.in_(list(by_key))
        )
    )  # fmt: skip
    return {by_key[key].order_no: int((data or {}).get("amount_fen") or 0) for key, data in rows}


def cash_statement(principal: StaffPrincipal) -> Select[tuple[CashCollection]]:
    """Cash collections of the units the principal may read, and the principal's own (an officer's scope 仅本人)."""
    own = CashCollection.officer_id == principal.officer_id if principal.officer_id else None
    return select(CashCollection).where(scope_clause(principal, CashCollection.unit_id, own=own))


def cash_of_day(session: Session, principal: StaffPrincipal | None, day: date) -> list[CashCollection]:
    statement = select(CashCollection) if principal is None else cash_statement(principal)
    return list(session.scalars(statement.where(CashCollection.collected_on == day)
                                .order_by(CashCollection.collected_at)))  # fmt: skip


CASH_ORDER = (CashCollection.handin_due_on, CashCollection.collected_at)  # the first to fall due first


def cash_list(
    session: Session,
    principal: StaffPrincipal,
    *,
    status: CashStatus | None,
    overdue_on: date | None,
    case_id: uuid.UUID | None,
) -> list[CashCollection]:
    """The first 500 of ``cash_filtered``, the first to fall due first."""
    statement = cash_filtered(principal, status=status, overdue_on=overdue_on, case_id=case_id)
    return list(session.scalars(statement.order_by(*CASH_ORDER).limit(500)))


def cash_filtered(
    principal: StaffPrincipal, *, status: CashStatus | None, overdue_on: date | None, case_id: uuid.UUID | None
) -> Select[tuple[CashCollection]]:
    """Collections the principal may read, filtered, unordered; ``overdue_on``: still with the officer past the
    hand-in day, or handed in and not paid into the bank past that day (第七十一条)."""
    statement = cash_statement(principal)
    if status is not None:
        statement = statement.where(CashCollection.status == status)
    if case_id is not None:
        statement = statement.where(CashCollection.case_id == case_id)
    if overdue_on is not None:
        late_handin = (CashCollection.status == CashStatus.collected) & (CashCollection.handin_due_on < overdue_on)
        late_remit = (CashCollection.status == CashStatus.handed_in) & (CashCollection.remit_due_on < overdue_on)
        statement = statement.where(late_handin | late_remit)
    return statement
