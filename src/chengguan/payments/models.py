"""Tables of payments: the orders the party pays online, every callback the gateway sent (verified or refused), the
numbered electronic receipts, the cash officers collected on the spot, and the daily reconciliations.

No personal data is copied here: the party's name and number stay on the case and are read from it when a receipt
is rendered."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, UUIDPrimaryKey
from chengguan.kit.types import str_enum
from chengguan.org import usage
from chengguan.payments.enums import CashGround, CashStatus, NotifyOutcome, OrderStatus, PaidVia

PENDING = text("status = 'pending'")


class PaymentOrder(UUIDPrimaryKey, Base):
    """A payment order (缴款单) for one case: the unpaid fine plus the 第七十二条 late fee as of its day, payable
    through one channel until ``expires_at`` (at most the end of that day: the fee grows at midnight). At most one
    is pending per case; the money the case did not owe any more (``excess_fen``) is returned (``refunded_fen``)."""

    __tablename__ = "payment_order"
    __table_args__ = (
        Index("uq_payment_order_pending_case", "case_id", unique=True, sqlite_where=PENDING, postgresql_where=PENDING),
        Index("ix_payment_order_status_expires", "status", "expires_at"),
        Index("ix_payment_order_paid_at", "paid_at"),
        Index("ix_payment_order_created_at", "created_at"),
        CheckConstraint("fine_fen >= 0 AND late_fee_fen >= 0", name="parts_not_negative"),
        CheckConstraint("amount_fen = fine_fen + late_fee_fen AND amount_fen > 0", name="amount_is_parts"),
        CheckConstraint("applied_fen >= 0 AND excess_fen >= 0 AND refunded_fen <= excess_fen", name="money_adds_up"),
    )

    order_no: Mapped[str] = mapped_column(String(32), unique=True)  # the gateway's out_trade_no
    provider: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))  # the case's unit
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))  # 执收单位
    fine_fen: Mapped[int]  # the part of the fine still unpaid
    late_fee_fen: Mapped[int]  # the part of the 加处罚款 still unpaid
    late_fee_days: Mapped[int] = mapped_column(default=0)
    amount_fen: Mapped[int]
    description: Mapped[str] = mapped_column(String(128))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status", 16))
    pay_url: Mapped[str] = mapped_column(String(500))
    code_url: Mapped[str] = mapped_column(String(500))  # what the QR code holds
    return_url: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    created_by_type: Mapped[str] = mapped_column(String(16))  # staff / merchant
    created_by_name: Mapped[str] = mapped_column(String(100))
    paid_at: Mapped[datetime | None]  # the gateway's success time
    paid_via: Mapped[PaidVia | None] = mapped_column(str_enum(PaidVia, "paid_via", 8))
    transaction_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    applied_fen: Mapped[int] = mapped_column(default=0)  # recorded on the case
    excess_fen: Mapped[int] = mapped_column(default=0)  # received but not owed any more: to be returned
    refunded_fen: Mapped[int] = mapped_column(default=0)
    refunded_at: Mapped[datetime | None]
    case_error: Mapped[str | None] = mapped_column(String(500))  # why the case did not take the payment
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(200))


class PaymentNotification(UUIDPrimaryKey, Base):
    """One callback received from a gateway, kept whatever became of it: a refused one records why (signature,
    serial, time window, order, amount) and changes nothing else; a replay is recorded as a duplicate."""

    __tablename__ = "payment_notification"
    __table_args__ = (
        Index("ix_payment_notification_received", "received_at"),
        Index("ix_payment_notification_notify", "provider", "notify_id"),
        Index("ix_payment_notification_order", "order_no", "outcome"),
    )

    provider: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    outcome: Mapped[NotifyOutcome] = mapped_column(str_enum(NotifyOutcome, "notify_outcome", 16))
    code: Mapped[str | None] = mapped_column(String(64))  # the refusal's problem code
    detail: Mapped[str | None] = mapped_column(String(300))
    notify_id: Mapped[str | None] = mapped_column(String(64))
    event_type: Mapped[str | None] = mapped_column(String(40))
    order_no: Mapped[str | None] = mapped_column(String(32))
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    amount_fen: Mapped[int | None]
    signed_at: Mapped[str | None] = mapped_column(String(20))  # the timestamp header as sent
    nonce: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))


class PaymentReceipt(UUIDPrimaryKey, Base):
    """The electronic receipt (电子缴款凭证) of one paid order: numbered per bureau and year, its QR code pointing at
    the public verification page; the PDF is rendered and sealed with the bureau's seal once, when first needed."""

    __tablename__ = "payment_receipt"

    receipt_no: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_order.id", ondelete="RESTRICT"), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"), index=True)
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    verify_token: Mapped[str] = mapped_column(String(40), unique=True)
    amount_fen: Mapped[int]
    paid_at: Mapped[datetime]
    created_at: Mapped[datetime]
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    sealed_at: Mapped[datetime | None]


class CashCollection(UUIDPrimaryKey, Base):
    """A fine an officer collected on the spot (当场收缴, 第六十八条、第六十九条) against the financial department's
    receipt (专用票据, 第七十条), to be handed in to the bureau within two working days (第七十一条, 第八十五条) and
    paid into the bank by the bureau within two more."""

    __tablename__ = "cash_collection"
    __table_args__ = (
        Index("ix_cash_collection_status_due", "status", "handin_due_on"),
        Index("ix_cash_collection_unit_on", "unit_id", "collected_on"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id", ondelete="RESTRICT"))
    officer_name: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int]
    ground: Mapped[CashGround] = mapped_column(str_enum(CashGround, "cash_ground", 20))
    reason: Mapped[str | None] = mapped_column(String(500))
    party_requested: Mapped[bool] = mapped_column(default=False)
    bill_no: Mapped[str] = mapped_column(String(40), unique=True)  # 专用票据号码
    collected_at: Mapped[datetime]
    collected_on: Mapped[date]
    on_water: Mapped[bool] = mapped_column(default=False)
    landed_on: Mapped[date | None]  # 在水上收缴的：抵岸之日
    handin_due_on: Mapped[date]
    status: Mapped[CashStatus] = mapped_column(str_enum(CashStatus, "cash_status", 16))
    handed_in_at: Mapped[datetime | None]
    handed_in_by_name: Mapped[str | None] = mapped_column(String(100))
    remit_due_on: Mapped[date | None]
    remitted_at: Mapped[datetime | None]
    remitted_by_name: Mapped[str | None] = mapped_column(String(100))
    bank_slip_no: Mapped[str | None] = mapped_column(String(60))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class PaymentReconciliation(UUIDPrimaryKey, Base):
    """A day's reconciliation as the daily job (or a person) ran it: the gateway's bill against the orders, the
    callbacks and the cases; run again, it replaces the day's row."""

    __tablename__ = "payment_reconciliation"
    __table_args__ = (UniqueConstraint("provider", "day", name="one_per_day"),)

    provider: Mapped[str] = mapped_column(String(16))
    day: Mapped[date]
    ran_at: Mapped[datetime]
    ran_by: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool]
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    mismatches: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


usage.unit_referenced_by(PaymentOrder.unit_id, "缴款单")
usage.unit_referenced_by(CashCollection.unit_id, "当场收缴记录")
usage.officer_referenced_by(CashCollection.officer_id, "该执法人员有当场收缴记录，不能删除（可改为停用）",
                            "officer.has_cash_collections")  # fmt: skip
