"""Payment orders: what a case asks to pay today (fine + 第七十二条 late fee, live), the order opened at the channel
for it, and how an order reads (status, receipt).

Reuse or supersede: a case has at most one pending order. Asked again while it is pending, unexpired and still for
the amount owed now, the same order is returned (``reused``: the party who reopens the page pays the order already
open, and two tabs do not make two payments). Otherwise — the amount changed (another payment was recorded, a new
day added late fee) or it is about to expire — it is closed at the channel first and a new one is opened, so the
old one can no longer be paid."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict
from chengguan.core.principals import Actor
from chengguan.documents.numbering import issuing_bureau
from chengguan.law.late_fee import LATE_FEE_BASIS
from chengguan.payments import repository, rules
from chengguan.payments.enums import ORDER_STATUS_LABELS, OrderStatus
from chengguan.payments.gateway import OrderRequest, gateway_for
from chengguan.payments.models import PaymentOrder, PaymentReceipt
from chengguan.payments.schemas import DueOut, PaymentOrderOut, PaymentStatusOut, ReceiptOut
from chengguan.payments.simulated import adapter as _simulated  # noqa: F401  (registers the channel "sim")

NOTIFY_PATH = "/api/v1/payments/notify/{provider}"
REUSE_MARGIN = timedelta(minutes=5)  # an order this close to expiry is replaced: the payer needs time to pay it


def today() -> date:
    return clock.local_now().date()


def paused_of(case: Case) -> list[tuple[date, date | None]]:
    """The review and litigation periods recorded on the case (第七十三条第三款: the late fee is not counted)."""
    return [(date.fromisoformat(a), date.fromisoformat(b) if b else None) for a, b in case.remedy_periods]  # type: ignore[arg-type]


def due_of(case: Case, on: date) -> rules.Due:
    """What the case asks the party to pay on ``on`` (第六十七条、第七十二条)."""
    return rules.due_on(case.fine_fen, case.paid_fen, case.payment_due_on, case.fine_paid_on, paused_of(case), on)


def due_out(case: Case, on: date) -> DueOut:
    d = due_of(case, on)
    return DueOut(fine_fen=case.fine_fen or 0, paid_fen=case.paid_fen, unpaid_fine_fen=d.fine_fen,
                  late_fee_fen=d.late_fee_fen, late_fee_days=d.late_fee_days, late_fee_capped=d.late_fee_capped,
                  amount_due_fen=d.total_fen, payment_due_on=d.payment_due_on, overdue=d.overdue, as_of=on,
                  basis=LATE_FEE_BASIS)  # fmt: skip


def refusal_of(case: Case, on: date) -> str | None:
    """Why no order can be made for the case now (None: it can)."""
    r = rules.order_refusal(case.status, case.decision_kind, case.fine_fen, case.payment_due_on,
                            due_of(case, on).total_fen)  # fmt: skip
    return r.message if r else None


def new_order_no(now: datetime) -> str:
    """CG + local time to the second + 8 random digits: unique, not guessable from a neighbour's."""
    return f"CG{now.astimezone(clock.SHANGHAI):%Y%m%d%H%M%S}{secrets.randbelow(10**8):08d}"


def notify_url(settings: Settings, provider: str) -> str:
    return settings.public_base_url.rstrip("/") + NOTIFY_PATH.format(provider=provider)


@dataclass(frozen=True)
class Opened:
    order: PaymentOrder
    reused: bool


def open_order(
    session: Session, settings: Settings, case: Case, actor: Actor, *, return_url: str | None = None
) -> Opened:
    """The order to pay the case's fine now: the pending one reused, or a new one (see module); 409 with the
    article when nothing can be paid now (no fine, not served yet, settled)."""
    case = session.scalars(select(Case).where(Case.id == case.id).with_for_update()).one()  # one opener per case
    on, now = today(), clock.now()
    d = due_of(case, on)
    refusal = rules.order_refusal(case.status, case.decision_kind, case.fine_fen, case.payment_due_on, d.total_fen)
    if refusal is not None:
        raise Conflict(refusal.message, code=refusal.code)
    gateway = gateway_for(session, settings)
    current = repository.pending_order(session, case.id)
    if current is not None:
        fresh = clock.as_utc(current.expires_at) > now + REUSE_MARGIN
        if fresh and current.amount_fen == d.total_fen and current.provider == gateway.provider:
            return Opened(current, True)
        close(session, settings, current, "金额已变化或即将过期，已由新的缴款单取代")
    bureau = issuing_bureau(session, case.unit_id)
    order_no = new_order_no(now)
    expires = rules.order_expiry(now, settings.payment_order_minutes)
    description = f"罚没款 {case.code}"
    request = OrderRequest(order_no, d.total_fen, description, notify_url(settings, gateway.provider), expires,
                           return_url)  # fmt: skip
    created = gateway.create_order(request)
    order = PaymentOrder(order_no=order_no, provider=gateway.provider, case_id=case.id, unit_id=case.unit_id,
                         bureau_id=bureau.id, fine_fen=d.fine_fen, late_fee_fen=d.late_fee_fen,
                         late_fee_days=d.late_fee_days, amount_fen=d.total_fen, description=description,
                         status=OrderStatus.pending, pay_url=created.pay_url, code_url=created.code_url,
                         return_url=return_url, created_at=now, expires_at=expires,
                         created_by_type=actor.actor_type, created_by_name=actor.actor_name[:100])  # fmt: skip
    session.add(order)
    session.flush()
    summary = {"case": case.code, "amount_fen": order.amount_fen, "late_fee_fen": order.late_fee_fen,
               "provider": order.provider}  # fmt: skip
    audit.record(
        session,
        actor,
        "payment.order",
        target_type="payment_order",
        target_id=order.id,
        target_label=order_no,
        summary=summary,
    )
    return Opened(order, False)


def close(session: Session, settings: Settings, order: PaymentOrder, reason: str) -> None:
    """Close an unpaid order at the channel, then here. The channel may answer that it was paid meanwhile: then
    nothing is closed and the payment is confirmed first (409: try again in a moment)."""
    try:
        gateway_for(session, settings, order.provider).close_order(order.order_no)
    except Conflict as exc:
        raise Conflict("上一张缴款单刚刚已支付，正在确认缴款结果，请稍后刷新", code="payment.order_paying") from exc
    order.status, order.closed_at, order.close_reason = OrderStatus.closed, clock.now(), reason[:200]


def receipt_url(settings: Settings, receipt: PaymentReceipt) -> str:
    return f"{settings.public_base_url.rstrip('/')}/api/v1/public/receipts/{receipt.verify_token}.pdf"


def verify_url(settings: Settings, receipt: PaymentReceipt) -> str:
    return f"{settings.public_base_url.rstrip('/')}/verify/{receipt.verify_token}"


def qr_svg(content: str) -> str:
    svg = segno.make(content, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def order_out(order: PaymentOrder, case_code: str, *, reused: bool = False, qr: bool = False) -> PaymentOrderOut:
    return PaymentOrderOut(
        order_no=order.order_no, case_id=order.case_id, case_code=case_code, provider=order.provider,
        status=order.status, status_label=ORDER_STATUS_LABELS[order.status], amount_fen=order.amount_fen,
        fine_fen=order.fine_fen, late_fee_fen=order.late_fee_fen, late_fee_days=order.late_fee_days,
        pay_url=order.pay_url, code_url=order.code_url, created_at=order.created_at, expires_at=order.expires_at,
        reused=reused, qr_svg=qr_svg(order.code_url) if qr else None,
    )  # fmt: skip


def status_out(settings: Settings, order: PaymentOrder, receipt: PaymentReceipt | None) -> PaymentStatusOut:
    paid = order.status in (OrderStatus.paid, OrderStatus.refunded)
    return PaymentStatusOut(
        order_no=order.order_no, status=order.status, status_label=ORDER_STATUS_LABELS[order.status],
        amount_fen=order.amount_fen, paid_fen=order.amount_fen if paid else 0, applied_fen=order.applied_fen,
        excess_fen=order.excess_fen, refunded_fen=order.refunded_fen, paid_at=order.paid_at,
        expires_at=order.expires_at, receipt_no=receipt.receipt_no if receipt else None,
        receipt_url=receipt_url(settings, receipt) if receipt else None,
        verify_url=verify_url(settings, receipt) if receipt else None,
    )  # fmt: skip


def receipt_out(settings: Settings, receipt: PaymentReceipt, order_no: str) -> ReceiptOut:
    return ReceiptOut(receipt_no=receipt.receipt_no, order_no=order_no, amount_fen=receipt.amount_fen,
                      paid_at=receipt.paid_at, receipt_url=receipt_url(settings, receipt),
                      verify_url=verify_url(settings, receipt))  # fmt: skip
