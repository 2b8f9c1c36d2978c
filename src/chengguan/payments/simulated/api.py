"""HTTP routes of the simulated gateway's pay page (``/sim-pay/{order_no}`` in the web app): the order as the
gateway shows it, and paying it with one click. Dev and test only: 403 when CHENGGUAN_ENV=production.

Paying from the page, the gateway delivers its signed callback itself, after the response (to the order's
notify URL, the way a real channel calls back); ``deliver: "caller"`` hands the signed callback to the caller
instead — ``chengguan pay-sim`` posts it to the server it was pointed at."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Literal

import httpx
from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request
from pydantic import BaseModel
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.access import SessionDep, SettingsDep
from chengguan.core.db import Database
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.kit.schemas import Schema
from chengguan.payments.simulated.gateway import STATE_LABELS, Callback, SimulatedGateway, refuse_in_production
from chengguan.payments.simulated.keys import MCHID
from chengguan.payments.simulated.models import SimGatewayTrade

log = logging.getLogger(__name__)
router = APIRouter(prefix="/sim-gateway", tags=["模拟支付渠道（开发测试）"], responses=PROBLEM_RESPONSES)
OrderNo = Annotated[str, Path(min_length=6, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
ATTEMPTS = 3


def dev_only(settings: SettingsDep) -> None:
    refuse_in_production(settings)


class SimOrder(BaseModel):
    order_no: str
    amount_fen: int
    description: str
    state: str
    state_label: str
    merchant: str
    expires_at: datetime
    paid_at: datetime | None
    transaction_id: str | None
    return_url: str | None


class PayIn(Schema):
    deliver: Literal["gateway", "caller"] = "gateway"


class SignedCallback(BaseModel):
    url: str
    headers: dict[str, str]
    body: str


class Paid(SimOrder):
    callback: SignedCallback | None = None


def _out(gateway: SimulatedGateway, order_no: str) -> dict:  # type: ignore[type-arg]
    t = gateway.trade(order_no)
    state = gateway.query(order_no).state
    return {"order_no": t.out_trade_no, "amount_fen": t.amount_fen, "description": t.description, "state": state,
            "state_label": STATE_LABELS.get(state, state), "merchant": f"城管综合执法平台（模拟商户号 {MCHID}）",
            "expires_at": t.expires_at, "paid_at": t.paid_at, "transaction_id": t.transaction_id,
            "return_url": t.return_url}  # fmt: skip


@router.get("/orders/{order_no}", dependencies=[Depends(dev_only)], summary="支付页：订单信息（模拟渠道）")
def order(order_no: OrderNo, session: SessionDep, settings: SettingsDep) -> SimOrder:
    return SimOrder(**_out(SimulatedGateway(session, settings), order_no))


@router.post("/orders/{order_no}/pay", dependencies=[Depends(dev_only)], summary="支付页：确认支付（模拟渠道）")
def pay(
    order_no: OrderNo, body: PayIn, request: Request, session: SessionDep, settings: SettingsDep, tasks: BackgroundTasks
) -> Paid:
    gateway = SimulatedGateway(session, settings)
    trade = gateway.pay(order_no)
    callback = gateway.callback(trade)
    if body.deliver == "caller":
        signed = SignedCallback(url=callback.url, headers=callback.headers, body=callback.body.decode())
        return Paid(**_out(gateway, order_no), callback=signed)
    # after the response, so this request's unit of work has committed the payment before the platform hears of it
    tasks.add_task(deliver, callback, order_no, request.app.state.db)
    return Paid(**_out(gateway, order_no))


def post(callback: Callback, url: str | None = None) -> httpx.Response:
    """POST a signed callback as the gateway would (the exact bytes, its headers)."""
    return httpx.post(url or callback.url, content=callback.body, headers=callback.headers, timeout=10,
                      trust_env=False)  # fmt: skip


def deliver(callback: Callback, order_no: str, db: Database) -> None:
    """Deliver a callback, retrying a few times like a gateway, and note the attempt in the gateway's books. A
    callback that never arrives is found later by the platform's own query (payments.tasks.sync_pending)."""
    status = 0
    for _ in range(ATTEMPTS):
        try:
            status = post(callback).status_code
        except httpx.HTTPError as exc:
            log.warning("simulated gateway: callback to %s failed: %s", callback.url, exc)
            continue
        if status < 500:
            break
    with db.session() as session, session.begin():
        trade = session.scalars(select(SimGatewayTrade).where(SimGatewayTrade.out_trade_no == order_no)).first()
        if trade is not None:
            trade.notify_count += 1
            trade.last_notify_at, trade.last_notify_status = clock.now(), status
