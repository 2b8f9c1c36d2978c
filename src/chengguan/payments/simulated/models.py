"""The simulated gateway's own books (one row per order it was asked to open). They stand for the channel's
records, which the platform never reads except through the adapter (query, bill) — so reconciliation compares two
independent sets of books. Empty in production, where the simulated gateway is refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, UUIDPrimaryKey


class SimGatewayTrade(UUIDPrimaryKey, Base):
    """An order at the simulated gateway: NOTPAY until paid on its page (or by ``chengguan pay-sim``), then
    SUCCESS; CLOSED when the merchant closed it or it expired; REFUND once money went back."""

    __tablename__ = "sim_gateway_trade"
    __table_args__ = (Index("ix_sim_gateway_trade_paid", "paid_at"),)

    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    transaction_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    amount_fen: Mapped[int]
    description: Mapped[str] = mapped_column(String(128))
    notify_url: Mapped[str] = mapped_column(String(500))
    return_url: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))  # NOTPAY / SUCCESS / CLOSED / REFUND
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    refunded_fen: Mapped[int] = mapped_column(default=0)
    refunded_at: Mapped[datetime | None]
    notify_count: Mapped[int] = mapped_column(default=0)
    last_notify_at: Mapped[datetime | None]
    last_notify_status: Mapped[int | None]
