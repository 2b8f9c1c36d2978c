"""The payments' part of the minute job (``chengguan.jobs``), each step safe when several processes run it:

- orders still pending a while after they were made are asked about at their channel (a callback can be lost):
  paid there → paid here by the same path as a callback (``PaidVia.query``); expired → closed, there and here;
- receipts whose file is not made yet are rendered and sealed (a few per pass);
- once a day, after the channel's bill of yesterday is complete, yesterday is reconciled and the result kept.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.errors import DomainError
from chengguan.payments import receipts, reconcile, repository
from chengguan.payments.enums import OrderStatus, PaidVia
from chengguan.payments.gateway import gateway_for
from chengguan.payments.models import PaymentOrder, PaymentReconciliation
from chengguan.payments.notify import pay

log = logging.getLogger(__name__)
QUERY_AFTER = timedelta(minutes=2)  # a callback normally arrives within seconds; later than this, ask
BATCH = 50
RECEIPTS_PER_PASS = 5
RECONCILE_AFTER = time(0, 30)  # local time by which the channel's bill of yesterday is complete


def sync_pending(session: Session, settings: Settings) -> dict[str, int]:
    """Ask the channel about pending orders older than ``QUERY_AFTER`` (see module); counts of paid and closed."""
    now = clock.now()
    paid = closed = 0
    for candidate in repository.pending_before(session, now - QUERY_AFTER, BATCH):
        try:
            with session.begin_nested():
                order = session.scalars(
                    select(PaymentOrder).where(PaymentOrder.id == candidate.id,
                                               PaymentOrder.status == OrderStatus.pending).with_for_update()
                ).first()  # fmt: skip
                if order is None:
                    continue  # another process (or the callback) got there first
                gateway = gateway_for(session, settings, order.provider)
                state = gateway.query(order.order_no)
                if state.state in ("SUCCESS", "REFUND") and state.transaction_id and state.paid_at:
                    if state.amount_fen != order.amount_fen:
                        log.error(
                            "order %s: channel reports %s fen, order is %s",
                            order.order_no,
                            state.amount_fen,
                            order.amount_fen,
                        )  # left pending: reconciliation shows it
                        continue
                    pay(session, settings, order, state.transaction_id, state.paid_at, PaidVia.query)
                    paid += 1
                elif state.state in ("CLOSED", "NOT_FOUND") or clock.as_utc(order.expires_at) <= now:
                    if state.state == "NOTPAY":
                        gateway.close_order(order.order_no)
                    order.status, order.closed_at = OrderStatus.closed, now
                    order.close_reason = "已过期未支付" if state.state != "NOT_FOUND" else "渠道无此订单"
                    closed += 1
        except DomainError as exc:  # one order's trouble (a case being edited: 409) waits for the next pass
            log.warning("payment order %s not synced: %s", candidate.order_no, exc.detail)
    return {"paid": paid, "closed": closed}


def render_receipts(session: Session, settings: Settings) -> int:
    made = 0
    for receipt in repository.unrendered_receipts(session, RECEIPTS_PER_PASS):
        receipts.ensure_pdf(session, settings, receipt)
        made += 1
    return made


def reconcile_yesterday(session: Session, settings: Settings) -> bool:
    """Reconcile yesterday once (after ``RECONCILE_AFTER``); True when it ran now."""
    local = clock.local_now()
    if local.time() < RECONCILE_AFTER:
        return False
    day = local.date() - timedelta(days=1)
    done = session.scalar(select(PaymentReconciliation.id).where(
        PaymentReconciliation.provider == settings.payment_provider, PaymentReconciliation.day == day))  # fmt: skip
    if done is not None:
        return False
    out = reconcile.report(session, settings, day)
    reconcile.store(session, out, reconcile.RECONCILER)
    if not out.ok:
        log.warning("payment reconciliation of %s: %d mismatches", day, len(out.mismatches))
    return True


def run(db: Database, settings: Settings) -> dict[str, int]:
    """One pass of the payments' jobs, each in its own unit of work; nothing without a usable channel (production
    with no real channel configured: the simulated one is refused there)."""
    with db.session(write=False) as session:
        try:
            gateway_for(session, settings)
        except DomainError:
            return {}
    with db.session() as session, session.begin():
        synced = sync_pending(session, settings)
    with db.session() as session, session.begin():
        rendered = render_receipts(session, settings)
    with db.session() as session, session.begin():
        reconciled = reconcile_yesterday(session, settings)
    return {"payments_paid_by_query": synced["paid"], "payments_closed": synced["closed"],
            "receipts_sealed": rendered, "payments_reconciled": int(reconciled)}  # fmt: skip
