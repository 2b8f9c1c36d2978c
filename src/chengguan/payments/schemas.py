"""API schemas of payments: money in integer fen, legal days as dates, times ISO-8601 with an offset."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from chengguan.kit.schemas import Out, Schema
from chengguan.payments.enums import CashGround, CashStatus, OrderStatus


class OrderIn(Schema):
    return_url: str | None = Field(None, max_length=300, description="缴款完成后返回的本平台页面（以 / 开头的路径）")


class PaymentOrderOut(Out):
    """A payment order: what to pay now and where (``pay_url``; ``code_url`` is what its QR code holds)."""

    order_no: str
    case_id: uuid.UUID
    case_code: str
    provider: str
    status: OrderStatus
    status_label: str
    amount_fen: int
    fine_fen: int = Field(description="其中：尚未缴纳的罚款")
    late_fee_fen: int = Field(description="其中：加处罚款（《行政处罚法》第七十二条）")
    late_fee_days: int
    pay_url: str
    code_url: str
    created_at: datetime
    expires_at: datetime
    reused: bool = Field(False, description="是否沿用了尚未过期、金额未变的缴款单")
    qr_svg: str | None = Field(None, description="缴款二维码（SVG data URL，仅执法端）")


class PaymentStatusOut(Out):
    """Where an order stands: paid or not, how much, and its receipt."""

    order_no: str
    status: OrderStatus
    status_label: str
    amount_fen: int
    paid_fen: int = Field(description="已支付金额（分）；未支付为 0")
    applied_fen: int = Field(description="计入案件的金额")
    excess_fen: int = Field(description="多缴、应退还的金额")
    refunded_fen: int
    paid_at: datetime | None
    expires_at: datetime
    receipt_no: str | None
    receipt_url: str | None = Field(description="电子缴款凭证 PDF")
    verify_url: str | None = Field(description="凭证核验页（二维码地址）")


class DueOut(BaseModel):
    """What the party owes today (live: the late fee is counted to today)."""

    fine_fen: int
    paid_fen: int
    unpaid_fine_fen: int
    late_fee_fen: int
    late_fee_days: int
    late_fee_capped: bool
    amount_due_fen: int
    payment_due_on: date | None
    overdue: bool
    as_of: date
    basis: str


class ReceiptOut(Out):
    receipt_no: str
    order_no: str
    amount_fen: int
    paid_at: datetime
    receipt_url: str
    verify_url: str


class CashIn(Schema):
    amount_fen: int = Field(gt=0, le=10**10, description="当场收缴的金额（分）")
    ground: CashGround = Field(description="当场收缴的法定情形（第六十八条、第六十九条）")
    reason: str | None = Field(None, max_length=500, description="难以执行的情形，或边远、水上、交通不便的地点及困难")
    party_requested: bool = Field(False, description="当事人提出当场缴纳（第六十九条）")
    bill_no: str = Field(min_length=1, max_length=40, description="财政部门统一制发的专用票据号码（第七十条）")
    collected_on: date | None = Field(None, description="收缴日期（默认今天）")
    on_water: bool = False
    landed_on: date | None = Field(None, description="在水上收缴的：抵岸之日（第七十一条）")
    version: int = Field(ge=1, description="客户端看到的案件版本（乐观锁）")
    idempotency_key: str | None = Field(None, max_length=100)


class CashOut(Out):
    id: uuid.UUID
    case_id: uuid.UUID
    case_code: str
    officer_name: str
    amount_fen: int
    ground: CashGround
    ground_label: str
    reason: str | None
    bill_no: str
    collected_on: date
    on_water: bool
    landed_on: date | None
    handin_due_on: date
    status: CashStatus
    status_label: str
    handed_in_at: datetime | None
    handed_in_by_name: str | None
    remit_due_on: date | None
    remitted_at: datetime | None
    bank_slip_no: str | None
    overdue: bool = Field(description="已超过上交（或缴付银行）期限")


class CashList(BaseModel):
    items: list[CashOut]
    total: int


class HandInIn(Schema):
    note: str | None = Field(None, max_length=200)


class RemitIn(Schema):
    bank_slip_no: str = Field(min_length=1, max_length=60, description="银行缴款回单号")


class RefundIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class CasePayments(BaseModel):
    """A case's money as the console shows it: owed today, the orders, receipts and cash collections."""

    due: DueOut
    orders: list[PaymentStatusOut]
    receipts: list[ReceiptOut]
    cash: list[CashOut]
    can_order: bool
    refusal: str | None


class NotifyAck(BaseModel):
    """What a gateway expects back from a callback it delivered (WeChat Pay: 200 with SUCCESS)."""

    code: Literal["SUCCESS"] = "SUCCESS"
    message: str = "成功"


class MismatchOut(BaseModel):
    kind: str
    label: str
    order_no: str | None
    detail: str
    gateway_fen: int | None = None
    platform_fen: int | None = None


class ReconOrderOut(BaseModel):
    order_no: str
    case_code: str
    status: OrderStatus
    status_label: str
    amount_fen: int
    applied_fen: int
    excess_fen: int
    refunded_fen: int
    created_at: datetime
    paid_at: datetime | None
    paid_via: str | None
    transaction_id: str | None
    gateway_fen: int | None = Field(description="渠道账单中的金额（无则为空）")


class ReconciliationOut(BaseModel):
    """One day's reconciliation: the gateway's bill vs the orders vs the callbacks vs the cases, and cash."""

    day: date
    provider: str
    provider_label: str
    ok: bool
    totals: dict[str, int]
    mismatches: list[MismatchOut]
    orders: list[ReconOrderOut]
    cash: list[CashOut]
    stored_at: datetime | None = Field(description="每日对账任务保存该日结果的时间（未保存为空）")


class PortalPayable(BaseModel):
    """A decision served to the portal account with what it asks to pay now (live) and what was paid."""

    case_id: uuid.UUID
    case_code: str
    decision_title: str
    decision_no: str | None
    delivery_id: uuid.UUID
    bureau: str
    served: bool = Field(description="决定书是否已打开（送达）；送达后方可缴款")
    due: DueOut
    payable: bool
    refusal: str | None
    open_order: PaymentOrderOut | None
    receipts: list[ReceiptOut]
    paid: bool = Field(description="罚款及加处罚款已全部缴清")


class PortalPayables(BaseModel):
    items: list[PortalPayable]
