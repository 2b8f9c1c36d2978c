"""Enumerations of payments (values are the API/database spelling; labels are zh-CN)."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """A payment order (缴款单) at the platform: what the party is asked to pay now, by one channel."""

    pending = "pending"  # created at the gateway, awaiting payment until ``expires_at``
    paid = "paid"  # the gateway's verified report (or its answer to a query) says it was paid
    closed = "closed"  # expired or superseded unpaid (closed at the gateway too)
    refunded = "refunded"  # paid, none of it owed any more (the case did not take it), and all of it returned


ORDER_STATUS_LABELS = {
    OrderStatus.pending: "待缴款",
    OrderStatus.paid: "已缴款",
    OrderStatus.closed: "已关闭",
    OrderStatus.refunded: "已退款",
}


class PaidVia(StrEnum):
    """How the platform learned that an order was paid."""

    notify = "notify"  # the gateway's signed callback
    query = "query"  # the platform's own query of an order whose callback did not come (tasks.sync_pending)


PAID_VIA_LABELS = {PaidVia.notify: "支付通知", PaidVia.query: "主动查询"}


class NotifyOutcome(StrEnum):
    accepted = "accepted"  # verified; the order was paid by it
    duplicate = "duplicate"  # verified, but it reports what was already recorded (a replay or a retry)
    ignored = "ignored"  # verified, an event the platform does not act on
    refused = "refused"  # not verified, or not consistent with the order: nothing changed


NOTIFY_OUTCOME_LABELS = {
    NotifyOutcome.accepted: "已入账",
    NotifyOutcome.duplicate: "重复通知",
    NotifyOutcome.ignored: "已忽略",
    NotifyOutcome.refused: "已拒绝",
}


class CashGround(StrEnum):
    """Why an officer may collect a fine on the spot (当场收缴)."""

    small_fine = "small_fine"  # 第六十八条第（一）项：依法给予一百元以下罚款的（当场处罚）
    hard_to_enforce = "hard_to_enforce"  # 第六十八条第（二）项：不当场收缴事后难以执行的（当场处罚）
    remote_area = "remote_area"  # 第六十九条：边远、水上、交通不便地区，当事人提出


CASH_GROUND_LABELS = {
    CashGround.small_fine: "一百元以下罚款（第六十八条第（一）项）",
    CashGround.hard_to_enforce: "不当场收缴事后难以执行（第六十八条第（二）项）",
    CashGround.remote_area: "边远、水上、交通不便地区（第六十九条）",
}


class CashStatus(StrEnum):
    """Where cash collected on the spot is: with the officer, handed in to the bureau, paid into the bank."""

    collected = "collected"  # 第七十一条：自收缴之日起二日内交至行政机关
    handed_in = "handed_in"  # 第七十一条：行政机关应当在二日内将罚款缴付指定的银行
    remitted = "remitted"


CASH_STATUS_LABELS = {
    CashStatus.collected: "待上交",
    CashStatus.handed_in: "已上交待缴库",
    CashStatus.remitted: "已缴付银行",
}


class Mismatch(StrEnum):
    """What a day's reconciliation can find between the gateway's bill, the orders, the callbacks and the cases."""

    unknown_order = "unknown_order"  # the gateway took money for an order number the platform never issued
    unpaid_on_platform = "unpaid_on_platform"  # paid at the gateway, not paid here (the callback was lost)
    missing_at_gateway = "missing_at_gateway"  # paid here, not in the gateway's bill
    amount_mismatch = "amount_mismatch"  # the bill's amount differs from the order's
    notification_missing = "notification_missing"  # paid by a callback the platform has no record of
    case_not_updated = "case_not_updated"  # paid, but the case does not record what was applied to it
    excess_unrefunded = "excess_unrefunded"  # paid more than was owed, not yet returned
    refund_mismatch = "refund_mismatch"  # the bill's refunds differ from the order's


MISMATCH_LABELS = {
    Mismatch.unknown_order: "渠道有收款、平台无此订单",
    Mismatch.unpaid_on_platform: "渠道已收款、平台未入账（通知丢失）",
    Mismatch.missing_at_gateway: "平台已入账、渠道账单无此笔",
    Mismatch.amount_mismatch: "金额不一致",
    Mismatch.notification_missing: "无对应的支付通知记录",
    Mismatch.case_not_updated: "案件未登记该笔缴款",
    Mismatch.excess_unrefunded: "多缴款项未退还",
    Mismatch.refund_mismatch: "退款金额不一致",
}
