"""The demo's payments tell the truth: fines paid online through the simulated gateway on their own days (one late,
with its late fee), each recorded on its case with a receipt and a verified callback, days reconciled clean; orders
open today; small fines collected in cash and handed in or not; nothing dated after now."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chengguan.cases.models import Case, CaseEvent
from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.payments.enums import CashStatus, NotifyOutcome, OrderStatus
from chengguan.payments.models import (
    CashCollection,
    PaymentNotification,
    PaymentOrder,
    PaymentReceipt,
    PaymentReconciliation,
)


def test_paid_orders_are_on_their_cases_with_a_receipt_and_a_verified_callback(shared_db: Database):
    now = clock.now()
    with shared_db.session(write=False) as s:
        orders = list(s.scalars(select(PaymentOrder)))
        paid = [o for o in orders if o.status is OrderStatus.paid]
        assert len(paid) >= 4 and any(o.late_fee_fen > 0 for o in paid)  # one paid late (第七十二条)
        assert [o for o in orders if o.status is OrderStatus.pending]  # awaiting payment today
        receipts = {r.order_id: r for r in s.scalars(select(PaymentReceipt))}
        accepted = set(s.scalars(select(PaymentNotification.order_no)
                                 .where(PaymentNotification.outcome == NotifyOutcome.accepted)))  # fmt: skip
        for order in paid:
            case = s.get(Case, order.case_id)
            assert case.paid_fen >= order.applied_fen == order.amount_fen and case.fine_paid_on is not None
            assert order.order_no in accepted and order.id in receipts
            event = s.scalars(select(CaseEvent).where(CaseEvent.idempotency_key == f"payment:{order.order_no}")).one()
            assert event.action == "record_payment" and clock.as_utc(event.at) <= now
            assert clock.as_utc(order.paid_at) <= now and clock.as_utc(order.created_at) <= now
        # today's payments are reconciled tomorrow, yesterday's by the job after 00:30 (the demo may be older)
        today = clock.local_now().date()
        days = {clock.local_date(o.paid_at) for o in paid} - {today, today - timedelta(days=1)}
        kept = {r.day: r for r in s.scalars(select(PaymentReconciliation))}
        assert days <= kept.keys() and all(r.ok for r in kept.values())


def test_small_fines_were_collected_in_cash_and_handed_in_or_not(shared_db: Database):
    with shared_db.session(write=False) as s:
        rows = list(s.scalars(select(CashCollection)))
        assert {r.status for r in rows} >= {CashStatus.collected, CashStatus.handed_in}
        for row in rows:
            assert row.amount_fen <= 100_00 and row.handin_due_on > row.collected_on
            assert clock.as_utc(row.collected_at) <= clock.now()
            assert s.get(Case, row.case_id).paid_fen >= row.amount_fen
