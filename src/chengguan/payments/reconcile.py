"""Daily reconciliation (对账) and refunds of what was not owed.

``report(day)`` reads the channel's bill of the day through the adapter and compares it with the orders, the
callbacks and the cases (``matching.compare``); the console shows it live, and the daily job keeps each day's
result (``store``). ``refund_excess`` returns money a case did not take, through the channel that took it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.models import Case
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict
from chengguan.core.principals import Actor
from chengguan.payments import repository
from chengguan.payments.enums import ORDER_STATUS_LABELS, OrderStatus
from chengguan.payments.gateway import gateway_for
from chengguan.payments.matching import OrderFacts, compare
from chengguan.payments.models import PaymentOrder, PaymentReconciliation
from chengguan.payments.schemas import MismatchOut, ReconciliationOut, ReconOrderOut

RECONCILER = Actor("system", None, "每日对账")


def _in_day(value, start, end) -> bool:  # type: ignore[no-untyped-def]
    return value is not None and start <= clock.as_utc(value) < end


def report(session: Session, settings: Settings, day: date, *, provider: str | None = None) -> ReconciliationOut:
    """The day's reconciliation, computed now (the channel's bill is asked for again)."""
    gateway = gateway_for(session, settings, provider)
    bill = gateway.reconcile(day)
    orders = repository.orders_of_day(session, gateway.provider, day, {line.order_no for line in bill})
    notified = repository.accepted_notifications(session, [o.order_no for o in orders])
    recorded = repository.recorded_on_cases(session, [o for o in orders if o.applied_fen or o.paid_at])
    start, end = repository.day_bounds(day)
    facts = [
        OrderFacts(o.order_no, o.status, o.amount_fen, _in_day(o.paid_at, start, end), o.paid_via, o.applied_fen,
                   o.excess_fen, o.refunded_fen, _in_day(o.refunded_at, start, end), o.order_no in notified,
                   recorded.get(o.order_no))
        for o in orders
    ]  # fmt: skip
    result = compare(bill, facts)
    counts = repository.notification_counts(session, gateway.provider, day)
    result.totals |= {f"notify_{k}": v for k, v in counts.items()}
    billed = {line.order_no: line.amount_fen for line in bill if line.kind == "pay"}
    codes = dict(
        session.execute(select(Case.id, Case.code).where(Case.id.in_({o.case_id for o in orders}))).all()
    )
    stored = session.scalars(select(PaymentReconciliation).where(
        PaymentReconciliation.provider == gateway.provider, PaymentReconciliation.day == day)).first()  # fmt: skip
    return ReconciliationOut(
        day=day, provider=gateway.provider, provider_label=gateway.label, ok=result.ok, totals=result.totals,
        mismatches=[MismatchOut(kind=m.kind.value, label=m.label, order_no=m.order_no, detail=m.detail,
                                gateway_fen=m.gateway_fen, platform_fen=m.platform_fen) for m in result.mismatches],
        orders=[ReconOrderOut(order_no=o.order_no, case_code=codes.get(o.case_id, ""), status=o.status,
                              status_label=ORDER_STATUS_LABELS[o.status], amount_fen=o.amount_fen,
                              applied_fen=o.applied_fen, excess_fen=o.excess_fen, refunded_fen=o.refunded_fen,
                              created_at=o.created_at, paid_at=o.paid_at,
                              paid_via=o.paid_via.value if o.paid_via else None, transaction_id=o.transaction_id,
                              gateway_fen=billed.get(o.order_no)) for o in orders],
        cash=[], stored_at=stored.ran_at if stored else None,
    )  # fmt: skip


def store(session: Session, out: ReconciliationOut, actor: Actor) -> PaymentReconciliation:
    """Keep the day's result (the day's row replaced when run again) and log it in ``actor``'s name."""
    row = session.scalars(select(PaymentReconciliation).where(
        PaymentReconciliation.provider == out.provider, PaymentReconciliation.day == out.day)).first()  # fmt: skip
    if row is None:
        row = PaymentReconciliation(provider=out.provider, day=out.day)
        session.add(row)
    row.ran_at, row.ran_by, row.ok, row.totals = clock.now(), actor.actor_name[:100], out.ok, dict(out.totals)
    row.mismatches = [m.model_dump() for m in out.mismatches]
    session.flush()
    audit.record(session, actor, "payment.reconcile", target_type="payment_reconciliation", target_id=row.id,
                 target_label=f"{out.provider} {out.day.isoformat()}",
                 summary={"ok": out.ok, "mismatches": len(out.mismatches), **out.totals})  # fmt: skip
    return row


def refund_excess(session: Session, settings: Settings, order: PaymentOrder, actor: Actor, reason: str) -> PaymentOrder:
    """Return what the case did not take of a paid order (多缴退还) through its channel; 409 when nothing is due back.
    A payment the case recorded is not refunded here: that is a change of the decision, not of the payment."""
    order = repository.order_by_no(session, order.order_no, lock=True) or order
    amount = order.excess_fen - order.refunded_fen
    if order.status is not OrderStatus.paid or amount <= 0:
        raise Conflict("该订单没有待退还的多缴款项（已计入案件的缴款不在此退还）", code="payment.nothing_to_refund")
    refund_no = f"RF{order.order_no[2:]}"[:32]
    gateway_for(session, settings, order.provider).refund(order.order_no, refund_no, amount, reason)
    order.refunded_fen += amount
    order.refunded_at = clock.now()
    if order.applied_fen == 0:
        order.status = OrderStatus.refunded
    case = session.get(Case, order.case_id)
    assert case is not None
    add_event(session, case, "payment_refund", actor, order.refunded_at, from_status=case.status,
              to_status=case.status, reason=reason,
              data={"order_no": order.order_no, "refund_no": refund_no, "amount_fen": amount})  # fmt: skip
    session.flush()
    audit.record(session, actor, "payment.refund", target_type="payment_order", target_id=order.id,
                 target_label=order.order_no, summary={"amount_fen": amount, "reason": reason})  # fmt: skip
    return order


def case_code(session: Session, case_id: uuid.UUID) -> str:
    return session.scalar(select(Case.code).where(Case.id == case_id)) or ""
