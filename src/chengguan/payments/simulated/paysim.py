"""``chengguan pay-sim ORDER_NO``: the payer pays the order at the simulated gateway of a running server, and the
gateway's signed callback is POSTed to that server's notify route — over HTTP, exactly as a channel calls back,
so the server's verification, idempotency and case update run as they would for a real payment."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

NOTIFY = "/api/v1/payments/notify/sim"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    amount_fen: int = 0
    transaction_id: str | None = None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return f"{body.get('detail') or body.get('message') or ''}（{body.get('code', response.status_code)}）"


def pay_and_notify(base_url: str, order_no: str, *, timeout: float = 15.0) -> Outcome:
    """Pay ``order_no`` at the gateway of the server at ``base_url`` and deliver the callback to that server."""
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, trust_env=False) as client:
        try:
            paid = client.post(f"/api/v1/sim-gateway/orders/{order_no}/pay", json={"deliver": "caller"})
        except httpx.HTTPError as exc:
            return Outcome(False, f"无法连接 {base_url}：{exc}")
        if paid.status_code != 200:
            return Outcome(False, f"模拟支付渠道未能支付：{_detail(paid)}")
        trade, callback = paid.json(), paid.json()["callback"]
        answer = client.post(NOTIFY, content=callback["body"].encode(), headers=callback["headers"])
    if answer.status_code != 200:
        return Outcome(False, f"平台拒绝了支付通知：{_detail(answer)}", trade["amount_fen"], trade["transaction_id"])
    return Outcome(True, "支付成功，平台已确认入账", trade["amount_fen"], trade["transaction_id"])
