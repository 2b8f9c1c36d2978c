"""The platform's adapter for the simulated gateway (provider ``sim``): orders go to the gateway's books, and its
callbacks are verified with public material only — the gateway's public key by serial and the shared API v3 key —
through the same ``signing.NotifyVerifier`` a WeChat Pay adapter uses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.payments import gateway
from chengguan.payments.gateway import (
    BillLine,
    CreatedOrder,
    OrderRequest,
    PaidNotice,
    RefundResult,
    TradeState,
)
from chengguan.payments.signing import NotifyMalformed, NotifyVerifier
from chengguan.payments.simulated.gateway import SimulatedGateway
from chengguan.payments.simulated.keys import gateway_keys

PROVIDER = "sim"


class SimulatedAdapter:
    """``gateway.PaymentGateway`` for the simulated gateway."""

    provider = PROVIDER
    label = "模拟支付（开发测试）"

    def __init__(self, session: Session, settings: Settings) -> None:
        self.remote = SimulatedGateway(session, settings)  # 403 in production
        self.settings = settings

    def create_order(self, order: OrderRequest) -> CreatedOrder:
        self.remote.open(order)
        url = f"{self.settings.public_base_url.rstrip('/')}/sim-pay/{order.order_no}"
        return CreatedOrder(pay_url=url, code_url=url)

    def close_order(self, order_no: str) -> None:
        self.remote.close(order_no)

    def verify_notify(self, headers: Mapping[str, str], raw_body: bytes) -> PaidNotice:
        keys = gateway_keys(self.settings)
        verifier = NotifyVerifier({keys.serial: keys.public_key}, keys.api_v3_key)
        v = verifier.verify(headers, raw_body, clock.now())
        r = v.resource
        try:
            return PaidNotice(
                notify_id=str(v.envelope["id"]),
                event_type=str(v.envelope["event_type"]),
                order_no=str(r["out_trade_no"]),
                transaction_id=str(r["transaction_id"]),
                trade_state=str(r["trade_state"]),
                amount_fen=int(r["amount"]["total"]),
                paid_at=clock.as_utc(datetime.fromisoformat(r["success_time"])),
                serial=v.serial,
                timestamp=v.timestamp,
                nonce=v.nonce,
            )
        except (KeyError, TypeError, ValueError) as exc:
            missing = "回调资源缺少订单号、交易号、金额或支付时间"
            raise NotifyMalformed(missing, code="payment.notify.malformed") from exc

    def query(self, order_no: str) -> TradeState:
        return self.remote.query(order_no)

    def refund(self, order_no: str, refund_no: str, amount_fen: int, reason: str) -> RefundResult:
        return self.remote.refund(order_no, refund_no, amount_fen)

    def reconcile(self, day: date) -> list[BillLine]:
        return self.remote.bill(day)


gateway.register(PROVIDER, SimulatedAdapter)
