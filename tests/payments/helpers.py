"""Payment test helpers: a case whose decision was served (a fine owed), an order for it, and the simulated
gateway's callback for it — as the gateway signs it, or forged with the gateway's keys to say something else."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from cases.helpers import act, decided
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.payments import signing
from chengguan.payments.simulated.keys import gateway_keys

Login = Callable[..., dict[str, str]]


def served(client: TestClient, login: Login, setup: dict, **overrides: Any) -> dict:
    """A new ordinary case decided (a 500-yuan fine) and served today: in 执行, 15 days to pay."""
    case = decided(client, login, setup, **overrides)
    case = act(client, login("bdg_officer"), case, "serve_decision")
    assert case["status"] == "execution" and case["payment_due_on"]
    return case


def new_order(client: TestClient, headers: dict, case_id: str, expect: int = 201) -> dict:
    response = client.post(f"/api/v1/cases/{case_id}/payment-orders", json={}, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def gateway_pays(client: TestClient, order_no: str) -> tuple[dict[str, str], bytes]:
    """The payer pays on the simulated gateway's page; its signed callback, handed back instead of delivered."""
    response = client.post(f"/api/v1/sim-gateway/orders/{order_no}/pay", json={"deliver": "caller"})
    assert response.status_code == 200, response.text
    callback = response.json()["callback"]
    return callback["headers"], callback["body"].encode()


def notify(client: TestClient, headers: dict[str, str], body: bytes, provider: str = "sim"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/payments/notify/{provider}", content=body, headers=headers)


def forged(settings: Settings, resource: dict[str, Any], *, event: str = "TRANSACTION.SUCCESS") -> tuple[dict, bytes]:
    """A callback signed and encrypted with the gateway's own keys saying ``resource`` (what a compromised or buggy
    channel could send: it verifies, and must still match the order)."""
    keys = gateway_keys(settings)
    nonce = secrets.token_hex(6)
    ciphertext = signing.encrypt_resource(keys.api_v3_key, json.dumps(resource).encode(),
                                          associated_data="transaction", nonce=nonce)  # fmt: skip
    body = json.dumps(
        {
            "id": secrets.token_hex(8),
            "event_type": event,
            "resource": {
                "algorithm": signing.AEAD,
                "ciphertext": ciphertext,
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
    ).encode()
    ts, header_nonce = str(int(clock.now().timestamp())), secrets.token_hex(16)
    headers = {signing.TIMESTAMP: ts, signing.NONCE: header_nonce, signing.SERIAL: keys.serial,
               signing.SIGNATURE: signing.sign(keys.private_key, ts, header_nonce, body)}  # fmt: skip
    return headers, body


def paid_resource(order_no: str, amount_fen: int, transaction_id: str = "4200000000000000000000000001") -> dict:
    when = clock.local_now().isoformat(timespec="seconds")
    return {"out_trade_no": order_no, "transaction_id": transaction_id, "trade_state": "SUCCESS",
            "success_time": when, "amount": {"total": amount_fen}}  # fmt: skip
