"""The gateway's callbacks, and what a payment does once the platform knows of it.

A callback is taken as the channel sent it (headers and raw bytes) and handed to the channel's adapter, which
verifies serial, time window and signature and decrypts the resource; then it must name an order of that channel
for that amount. Any refusal answers 4xx problem+json and changes nothing but the callback log. A callback that
reports what is already recorded (a replay within the window, or the channel's retry) is acknowledged and changes
nothing. Otherwise the order is paid (``pay``): what the case still owed on the payment's day is recorded on the
case through the workflow (``cases.collection``: paid_fen, fine_paid_on, the timeline entry), any excess is set
aside for refund, the receipt is numbered and the audit log appended — all in the callback's unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.collection import record_collected
from chengguan.cases.models import Case
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, DomainError
from chengguan.core.principals import Actor
from chengguan.payments import receipts, repository, rules
from chengguan.payments.enums import NotifyOutcome, OrderStatus, PaidVia
from chengguan.payments.gateway import PaidNotice, gateway_for
from chengguan.payments.models import PaymentNotification, PaymentOrder
from chengguan.payments.service import due_of
from chengguan.payments.signing import NONCE, SERIAL, TIMESTAMP, NotifyRefused


def channel_actor(provider: str) -> Actor:
    """Who the case's timeline and the audit log name for a payment a channel reported (no person)."""
    return Actor("system", None, f"电子支付系统（{provider}）")


class NotifyRejected(NotifyRefused):
    """A verified callback that contradicts the order it names (amount, order, a second transaction)."""

    status_code = 422
    code = "payment.notify.mismatch"
    title = "Unprocessable Content"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value[:64] if value else None


def handle(
    session: Session, settings: Settings, provider: str, headers: Mapping[str, str], body: bytes, ip: str | None
) -> NotifyOutcome:
    """Take one callback (see module); the outcome, or a refusal raised after it was logged."""
    gateway = gateway_for(session, settings, provider)  # 404 for a provider the platform does not know
    log = PaymentNotification(provider=provider, received_at=clock.now(), outcome=NotifyOutcome.refused,
                              body_sha256=hashlib.sha256(body).hexdigest(), ip=ip,
                              signed_at=(_header(headers, TIMESTAMP) or "")[:20] or None,
                              nonce=_header(headers, NONCE), serial=_header(headers, SERIAL))  # fmt: skip
    session.add(log)
    try:
        notice = gateway.verify_notify(headers, body)
    except NotifyRefused as exc:
        log.code, log.detail = exc.code, exc.detail[:300]
        raise
    log.notify_id, log.event_type = notice.notify_id[:64], notice.event_type[:40]
    log.order_no, log.transaction_id = notice.order_no[:32], notice.transaction_id[:64]
    log.amount_fen = notice.amount_fen
    if not notice.paid:
        log.outcome = NotifyOutcome.ignored
        return log.outcome
    order = repository.order_by_no(session, notice.order_no, lock=True)
    refusal = _refusal(order, provider, notice)
    if refusal is not None:
        log.code, log.detail = refusal.code, refusal.detail[:300]
        raise refusal
    assert order is not None
    if order.status in (OrderStatus.paid, OrderStatus.refunded):
        log.outcome = NotifyOutcome.duplicate  # a replay or a retry: recorded before, nothing changes
        return log.outcome
    pay(session, settings, order, notice.transaction_id, notice.paid_at, PaidVia.notify)
    log.outcome = NotifyOutcome.accepted
    return log.outcome


def _refusal(order: PaymentOrder | None, provider: str, notice: PaidNotice) -> NotifyRejected | None:
    if order is None or order.provider != provider:
        return NotifyRejected("回调中的订单号不是本平台在该渠道的订单", code="payment.notify.unknown_order")
    mismatch = rules.notice_refusal(order.order_no, order.amount_fen, notice.order_no, notice.amount_fen)
    if mismatch is not None:
        return NotifyRejected(mismatch.message, code=mismatch.code)
    if order.transaction_id is not None and order.transaction_id != notice.transaction_id:
        return NotifyRejected("该订单已由另一笔交易支付", code="payment.notify.paid_twice")
    return None


def pay(
    session: Session, settings: Settings, order: PaymentOrder, transaction_id: str, paid_at: datetime, via: PaidVia
) -> None:
    """The order was paid at ``paid_at`` (a closed order too: the money was taken). The case takes what it still
    owed on that day (第七十二条: the late fee stops with the fine paid, 第六十七条 the channel reports it); the rest
    is to be returned. A version conflict with an officer's action propagates (the callback is answered 409 and the
    channel retries); a case that no longer takes payments keeps the money aside, with the reason, for refund."""
    case = session.get(Case, order.case_id)
    assert case is not None
    actor = channel_actor(order.provider)
    paid_on = clock.local_date(paid_at)
    order.status, order.paid_at, order.paid_via, order.transaction_id = OrderStatus.paid, paid_at, via, transaction_id
    receipt = receipts.issue(session, order)
    applied, excess = rules.split_payment(order.amount_fen, due_of(case, paid_on).total_fen)
    record = {"channel": order.provider, "order_no": order.order_no, "transaction_id": transaction_id,
              "receipt_no": receipt.receipt_no, "paid_at": clock.as_utc(paid_at).isoformat()}  # fmt: skip
    if applied:
        try:
            with session.begin_nested():  # a refusal leaves the case as it was
                record_collected(session, case.id, amount_fen=applied, on=paid_on, actor=actor,
                                 key=repository.case_key(order.order_no), record=record)  # fmt: skip
        except Conflict:
            raise
        except DomainError as exc:  # the case is closed, or its decision changed: the money is not taken
            order.case_error = exc.detail[:500]
            applied, excess = 0, order.amount_fen
    order.applied_fen, order.excess_fen = applied, excess
    now = clock.now()
    if excess:
        add_event(session, case, "payment_excess", actor, now, from_status=case.status, to_status=case.status,
                  reason=order.case_error, data={**record, "excess_fen": excess})  # fmt: skip
    session.flush()
    audit.record(session, actor, "payment.paid", target_type="payment_order", target_id=order.id,
                 target_label=order.order_no, summary={"case": case.code, "amount_fen": order.amount_fen,
                                                       "applied_fen": applied, "excess_fen": excess,
                                                       "receipt_no": receipt.receipt_no, "via": via.value})  # fmt: skip
