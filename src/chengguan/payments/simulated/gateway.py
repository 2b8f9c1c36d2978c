"""The simulated gateway's side: it opens orders in its books, takes the payment on its pay page, and writes the
callback exactly as WeChat Pay API v3 sends one (envelope, AES-256-GCM resource, RSA-SHA256 signature headers).
It answers queries, refunds and the day's bill from its books. Nothing here touches the platform's tables."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Environment, Settings
from chengguan.core.errors import Conflict, Forbidden, NotFound
from chengguan.payments import signing
from chengguan.payments.gateway import BillLine, OrderRequest, RefundResult, TradeState
from chengguan.payments.simulated.keys import APPID, MCHID, GatewayKeys, gateway_keys
from chengguan.payments.simulated.models import SimGatewayTrade

NOTPAY, SUCCESS, CLOSED, REFUND = "NOTPAY", "SUCCESS", "CLOSED", "REFUND"
STATE_LABELS = {NOTPAY: "待支付", SUCCESS: "支付成功", CLOSED: "已关闭", REFUND: "已退款"}


def refuse_in_production(settings: Settings) -> None:
    """The simulated gateway takes no money: it must never stand in for a real channel (403 in production)."""
    if settings.env is Environment.production:
        raise Forbidden("生产环境不提供模拟支付渠道", code="payment.sim.production")


@dataclass(frozen=True)
class Callback:
    """A signed callback ready to be POSTed: to ``url``, these headers, these exact bytes."""

    url: str
    headers: dict[str, str]
    body: bytes


def _local_iso(at: datetime) -> str:
    return clock.as_utc(at).astimezone(clock.SHANGHAI).isoformat(timespec="seconds")


class SimulatedGateway:
    """The channel, bound to a unit of work (its books are a table of the instance's database)."""

    def __init__(self, session: Session, settings: Settings) -> None:
        refuse_in_production(settings)
        self.session, self.settings = session, settings

    @property
    def keys(self) -> GatewayKeys:
        return gateway_keys(self.settings)

    def trade(self, order_no: str, *, lock: bool = False) -> SimGatewayTrade:
        statement = select(SimGatewayTrade).where(SimGatewayTrade.out_trade_no == order_no)
        found = self.session.scalars(statement.with_for_update() if lock else statement).first()
        if found is None:
            raise NotFound("支付渠道中没有该订单", code="payment.sim.unknown_order")
        return found

    def open(self, order: OrderRequest) -> SimGatewayTrade:
        trade = SimGatewayTrade(out_trade_no=order.order_no, amount_fen=order.amount_fen,
                                description=order.description[:128], notify_url=order.notify_url,
                                return_url=order.return_url, state=NOTPAY, created_at=clock.now(),
                                expires_at=order.expires_at)  # fmt: skip
        self.session.add(trade)
        self.session.flush()
        return trade

    def close(self, order_no: str) -> None:
        trade = self.trade(order_no, lock=True)
        if trade.state == SUCCESS:
            raise Conflict("订单已支付，不能关闭", code="payment.sim.already_paid")
        if trade.state == NOTPAY:
            trade.state, trade.closed_at = CLOSED, clock.now()

    def pay(self, order_no: str) -> SimGatewayTrade:
        """The payer pays on the page: NOTPAY → SUCCESS (paying again is a no-op; a closed or expired order is not
        payable)."""
        trade = self.trade(order_no, lock=True)
        now = clock.now()
        if trade.state == NOTPAY and clock.as_utc(trade.expires_at) <= now:
            trade.state, trade.closed_at = CLOSED, clock.as_utc(trade.expires_at)
        if trade.state == CLOSED:
            raise Conflict("订单已关闭或已过期，请返回重新发起缴款", code="payment.sim.closed")
        if trade.state == NOTPAY:
            trade.state, trade.paid_at = SUCCESS, now
            trade.transaction_id = f"4200{clock.local_date(now):%Y%m%d}{secrets.randbelow(10**16):016d}"
        self.session.flush()
        return trade

    def callback(self, trade: SimGatewayTrade, *, url: str | None = None) -> Callback:
        """The TRANSACTION.SUCCESS callback of a paid trade, signed now (a retry has the same id, a new signature)."""
        if trade.state not in (SUCCESS, REFUND) or trade.transaction_id is None or trade.paid_at is None:
            raise Conflict("订单尚未支付", code="payment.sim.not_paid")
        keys = self.keys
        resource = {
            "mchid": MCHID, "appid": APPID, "out_trade_no": trade.out_trade_no,
            "transaction_id": trade.transaction_id, "trade_type": "NATIVE", "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功", "bank_type": "OTHERS", "attach": "",
            "success_time": _local_iso(trade.paid_at),
            "payer": {"openid": "o" + hashlib.sha256(trade.transaction_id.encode()).hexdigest()[:27]},
            "amount": {"total": trade.amount_fen, "payer_total": trade.amount_fen, "currency": "CNY",
                       "payer_currency": "CNY"},
        }  # fmt: skip
        nonce = secrets.token_hex(6)  # 12 characters, as the gateway's resource nonce
        ciphertext = signing.encrypt_resource(keys.api_v3_key, json.dumps(resource, ensure_ascii=False).encode(),
                                              associated_data="transaction", nonce=nonce)  # fmt: skip
        envelope = {
            "id": str(hashlib.md5(trade.transaction_id.encode(), usedforsecurity=False).hexdigest()),
            "create_time": _local_iso(trade.paid_at),
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {"original_type": "transaction", "algorithm": signing.AEAD, "ciphertext": ciphertext,
                         "associated_data": "transaction", "nonce": nonce},
        }  # fmt: skip
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp, header_nonce = str(int(clock.now().timestamp())), secrets.token_hex(16).upper()
        headers = {
            signing.TIMESTAMP: timestamp,
            signing.NONCE: header_nonce,
            signing.SIGNATURE: signing.sign(keys.private_key, timestamp, header_nonce, body),
            signing.SERIAL: keys.serial,
            signing.SIGNATURE_TYPE: signing.ALGORITHM,
            "Content-Type": "application/json",
        }
        return Callback(url or trade.notify_url, headers, body)

    def query(self, order_no: str) -> TradeState:
        try:
            t = self.trade(order_no)
        except NotFound:
            return TradeState(order_no, "NOT_FOUND", 0)
        state = t.state
        if state == NOTPAY and clock.as_utc(t.expires_at) <= clock.now():
            state = CLOSED
        return TradeState(t.out_trade_no, state, t.amount_fen, t.transaction_id,
                          clock.as_utc(t.paid_at) if t.paid_at else None, t.refunded_fen)  # fmt: skip

    def refund(self, order_no: str, refund_no: str, amount_fen: int) -> RefundResult:
        trade = self.trade(order_no, lock=True)
        if trade.state not in (SUCCESS, REFUND):
            raise Conflict("订单未支付，不能退款", code="payment.sim.not_paid")
        if amount_fen <= 0 or trade.refunded_fen + amount_fen > trade.amount_fen:
            raise Conflict("退款金额超过可退金额", code="payment.sim.refund_amount")
        trade.refunded_fen += amount_fen
        trade.state, trade.refunded_at = REFUND, clock.now()
        self.session.flush()
        return RefundResult(refund_no, "SUCCESS", amount_fen)

    def bill(self, day: date) -> list[BillLine]:
        """The day's payments and refunds (Asia/Shanghai day), from the books."""
        start = datetime.combine(day, datetime.min.time(), clock.SHANGHAI)
        end = start + timedelta(days=1)
        rows = self.session.scalars(
            select(SimGatewayTrade).where(or_(
                (SimGatewayTrade.paid_at >= start) & (SimGatewayTrade.paid_at < end),
                (SimGatewayTrade.refunded_at >= start) & (SimGatewayTrade.refunded_at < end),
            )).order_by(SimGatewayTrade.paid_at)
        )  # fmt: skip
        lines = []
        for t in rows:
            if t.paid_at is not None and start <= clock.as_utc(t.paid_at) < end and t.transaction_id:
                lines.append(BillLine(t.out_trade_no, t.transaction_id, "pay", t.amount_fen, clock.as_utc(t.paid_at)))
            if t.refunded_at is not None and start <= clock.as_utc(t.refunded_at) < end and t.transaction_id:
                lines.append(BillLine(t.out_trade_no, t.transaction_id, "refund", t.refunded_fen,
                                      clock.as_utc(t.refunded_at)))  # fmt: skip
        return lines
