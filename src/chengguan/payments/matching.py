"""Reconciliation as a pure comparison (对账): the channel's bill of a day against the platform's orders, the
callbacks that paid them and the case entries they made — plain values in, the mismatches and totals out.

The bill is the channel's word on what money moved; an order the platform calls paid must be in it for the same
amount, and every bill line must be an order paid here. A paid order must have been told by a callback on record
(or found by the platform's own query), must have put on its case exactly what it applied, and must have returned
what the case did not owe."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from chengguan.payments.enums import MISMATCH_LABELS, Mismatch, OrderStatus, PaidVia
from chengguan.payments.gateway import BillLine


@dataclass(frozen=True)
class OrderFacts:
    """What reconciliation reads of an order."""

    order_no: str
    status: OrderStatus
    amount_fen: int
    paid_in_day: bool  # paid at a time inside the day reconciled
    paid_via: PaidVia | None
    applied_fen: int
    excess_fen: int
    refunded_fen: int
    refunded_in_day: bool
    notified: bool  # an accepted callback is on record
    recorded_fen: int | None  # what its case entry records (None: no entry)


@dataclass(frozen=True)
class Found:
    kind: Mismatch
    order_no: str | None
    detail: str
    gateway_fen: int | None = None
    platform_fen: int | None = None

    @property
    def label(self) -> str:
        return MISMATCH_LABELS[self.kind]


@dataclass
class Result:
    mismatches: list[Found] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f} 元"


def compare(bill: Iterable[BillLine], orders: Iterable[OrderFacts]) -> Result:
    """The day's mismatches (see module) and totals; each order and bill line is looked at once."""
    lines = list(bill)
    by_no = {o.order_no: o for o in orders}
    paid_lines = {line.order_no: line for line in lines if line.kind == "pay"}
    refund_lines: dict[str, int] = {}
    for line in lines:
        if line.kind == "refund":
            refund_lines[line.order_no] = refund_lines.get(line.order_no, 0) + line.amount_fen
    out = Result()
    add = out.mismatches.append
    for no, line in paid_lines.items():
        order = by_no.get(no)
        if order is None:
            add(Found(Mismatch.unknown_order, no, f"渠道收款 {_yuan(line.amount_fen)}，平台无此订单", line.amount_fen))
        elif order.status not in (OrderStatus.paid, OrderStatus.refunded):
            add(Found(Mismatch.unpaid_on_platform, no, f"渠道已于当日收款 {_yuan(line.amount_fen)}，平台订单仍为未缴款",
                      line.amount_fen, 0))  # fmt: skip
        elif line.amount_fen != order.amount_fen:
            add(Found(Mismatch.amount_mismatch, no,
                      f"渠道金额 {_yuan(line.amount_fen)}，订单金额 {_yuan(order.amount_fen)}", line.amount_fen,
                      order.amount_fen))  # fmt: skip
    for order in by_no.values():
        paid = order.status in (OrderStatus.paid, OrderStatus.refunded)
        if paid and order.paid_in_day and order.order_no not in paid_lines:
            detail = f"平台入账 {_yuan(order.amount_fen)}，渠道账单无此笔"
            add(Found(Mismatch.missing_at_gateway, order.order_no, detail, None, order.amount_fen))
        if not paid or not order.paid_in_day:
            continue
        if order.paid_via is PaidVia.notify and not order.notified:
            add(Found(Mismatch.notification_missing, order.order_no, "订单记为由支付通知入账，但无已入账的通知记录"))
        if (order.recorded_fen or 0) != order.applied_fen:
            recorded = "无登记" if order.recorded_fen is None else _yuan(order.recorded_fen)
            detail = f"应计入案件 {_yuan(order.applied_fen)}，案件登记：{recorded}"
            add(Found(Mismatch.case_not_updated, order.order_no, detail, None, order.applied_fen))
        if order.excess_fen > order.refunded_fen:
            add(Found(Mismatch.excess_unrefunded, order.order_no,
                      f"多缴 {_yuan(order.excess_fen)}，已退 {_yuan(order.refunded_fen)}", None,
                      order.excess_fen - order.refunded_fen))  # fmt: skip
    for no, refunded in refund_lines.items():
        order = by_no.get(no)
        if order is None or order.refunded_fen != refunded:
            add(Found(Mismatch.refund_mismatch, no,
                      f"渠道退款 {_yuan(refunded)}，平台记录 {_yuan(order.refunded_fen if order else 0)}", refunded,
                      order.refunded_fen if order else None))  # fmt: skip
    paid_here = [o for o in by_no.values() if o.paid_in_day and o.status in (OrderStatus.paid, OrderStatus.refunded)]
    out.totals = {
        "gateway_count": len(paid_lines),
        "gateway_fen": sum(line.amount_fen for line in paid_lines.values()),
        "gateway_refund_fen": sum(refund_lines.values()),
        "platform_count": len(paid_here),
        "platform_fen": sum(o.amount_fen for o in paid_here),
        "applied_fen": sum(o.applied_fen for o in paid_here),
        "excess_fen": sum(o.excess_fen for o in paid_here),
        "refunded_fen": sum(o.refunded_fen for o in by_no.values() if o.refunded_in_day),
        "pending_count": sum(1 for o in by_no.values() if o.status is OrderStatus.pending),
        "closed_count": sum(1 for o in by_no.values() if o.status is OrderStatus.closed),
        "mismatch_count": len(out.mismatches),
    }
    return out
