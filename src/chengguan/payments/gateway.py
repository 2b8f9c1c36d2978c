"""The payment adapter: what the platform asks of any payment channel (WeChat Pay, Alipay, a bank's 非税 collection,
or the local simulated gateway), and how the channel of a deployment is found.

An adapter never writes the platform's tables: it talks to its channel and answers with plain values; the
service decides what they mean for orders and cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.core.errors import DomainError, NotFound


@dataclass(frozen=True)
class OrderRequest:
    """A payment order as the channel is asked to open it."""

    order_no: str
    amount_fen: int
    description: str
    notify_url: str  # where the channel reports the payment
    expires_at: datetime
    return_url: str | None = None  # where the payer's browser goes back after paying


@dataclass(frozen=True)
class CreatedOrder:
    pay_url: str  # the page the payer opens (H5)
    code_url: str  # what the QR code holds (scanned with the payment app)


@dataclass(frozen=True)
class PaidNotice:
    """A callback that verified, decrypted: what the channel says happened to which order."""

    notify_id: str
    event_type: str  # TRANSACTION.SUCCESS …
    order_no: str
    transaction_id: str
    trade_state: str  # SUCCESS …
    amount_fen: int
    paid_at: datetime
    serial: str
    timestamp: str
    nonce: str

    @property
    def paid(self) -> bool:
        return self.event_type == "TRANSACTION.SUCCESS" and self.trade_state == "SUCCESS"


@dataclass(frozen=True)
class TradeState:
    """An order as the channel's query answers it."""

    order_no: str
    state: str  # NOTPAY / SUCCESS / CLOSED / REFUND / NOT_FOUND
    amount_fen: int
    transaction_id: str | None = None
    paid_at: datetime | None = None
    refunded_fen: int = 0


@dataclass(frozen=True)
class RefundResult:
    refund_no: str
    status: str  # SUCCESS / PROCESSING
    amount_fen: int


@dataclass(frozen=True)
class BillLine:
    """One line of the channel's bill for a day (对账单): a payment or a refund."""

    order_no: str
    transaction_id: str
    kind: str  # pay / refund
    amount_fen: int
    at: datetime


class PaymentGateway(Protocol):
    """A payment channel as the platform uses it."""

    provider: str
    label: str

    def create_order(self, order: OrderRequest) -> CreatedOrder:
        """Open the order at the channel: where the payer pays it."""
        ...

    def close_order(self, order_no: str) -> None:
        """Close an unpaid order (superseded or expired), so it can no longer be paid."""
        ...

    def verify_notify(self, headers: Mapping[str, str], raw_body: bytes) -> PaidNotice:
        """Verify a callback as received (signature, serial, time window, decryption); ``NotifyRefused`` if not."""
        ...

    def query(self, order_no: str) -> TradeState:
        """The order as the channel knows it (for a callback that did not come)."""
        ...

    def refund(self, order_no: str, refund_no: str, amount_fen: int, reason: str) -> RefundResult:
        """Return ``amount_fen`` of a paid order to the payer."""
        ...

    def reconcile(self, day: date) -> list[BillLine]:
        """The channel's bill of ``day`` (Asia/Shanghai): every payment and refund it booked."""
        ...


class GatewayUnavailable(DomainError):
    status_code = 503
    code = "payment.gateway_unavailable"
    title = "Service Unavailable"


GatewayFactory = Callable[[Session, Settings], PaymentGateway]
_FACTORIES: dict[str, GatewayFactory] = {}


def register(provider: str, factory: GatewayFactory) -> None:
    """Make ``provider`` available (the simulated gateway registers itself; a real channel's adapter the same way)."""
    _FACTORIES[provider] = factory


def gateway_for(session: Session, settings: Settings, provider: str | None = None) -> PaymentGateway:
    """The adapter of ``provider`` (default: the deployment's ``CHENGGUAN_PAYMENT_PROVIDER``), bound to this unit of
    work (a channel that keeps its books in the database, like the simulated one, writes in it)."""
    name = provider or settings.payment_provider
    factory = _FACTORIES.get(name)
    if factory is None:
        if provider is not None:
            raise NotFound(f"未知的支付渠道：{name}", code="payment.provider_unknown")
        raise GatewayUnavailable(f"未配置支付渠道 {name}", code="payment.gateway_unavailable")
    return factory(session, settings)
