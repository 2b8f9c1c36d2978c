"""Against a real server process (its own copy of the demo city): ``chengguan pay-sim ORDER_NO --url`` pays an order
at the simulated gateway and POSTs the signed callback over HTTP; paying on the gateway's page makes the gateway
deliver the callback itself (to the order's notify URL). Both end with the order paid and the receipt issued."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support import demo_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with demo_server(tmp_path_factory.mktemp("pay-live")) as base:
        token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "admin", "password": "Admin@2026"},
                           trust_env=False).json()["access_token"]  # fmt: skip
        yield base, {"Authorization": f"Bearer {token}"}


def _owing_cases(base: str, headers: dict[str, str]) -> Iterator[str]:
    listed = httpx.get(f"{base}/api/v1/cases", params={"status": "execution", "page_size": 100}, headers=headers,
                       trust_env=False).json()["items"]  # fmt: skip
    for item in listed:
        payments = httpx.get(f"{base}/api/v1/cases/{item['id']}/payments", headers=headers, trust_env=False).json()
        # not one with an order the demo left open: its gateway calls back the demo's own address, not this server's
        if payments["can_order"] and not any(o["status"] == "pending" for o in payments["orders"]):
            yield item["id"]


def _order(base: str, headers: dict[str, str], case_id: str) -> dict:
    response = httpx.post(f"{base}/api/v1/cases/{case_id}/payment-orders", json={}, headers=headers, trust_env=False)
    assert response.status_code == 201, response.text
    return response.json()


def _pay_sim(base: str, order_no: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chengguan", "pay-sim", order_no, "--url", base], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)  # fmt: skip


def test_pay_sim_pays_through_the_gateway_and_the_server_verifies_the_callback(live):
    base, headers = live
    case_id = next(_owing_cases(base, headers))
    order = _order(base, headers, case_id)
    assert order["pay_url"].startswith(base + "/sim-pay/")  # the server's own public address
    done = _pay_sim(base, order["order_no"])
    assert done.returncode == 0, done.stderr
    assert "支付成功" in done.stdout and f"{order['amount_fen'] / 100:.2f}" in done.stdout
    status = httpx.get(f"{base}/api/v1/payments/{order['order_no']}", headers=headers, trust_env=False).json()
    assert (status["status"], status["paid_fen"]) == ("paid", order["amount_fen"])
    receipt = httpx.get(status["receipt_url"], trust_env=False)
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    case = httpx.get(f"{base}/api/v1/cases/{case_id}", headers=headers, trust_env=False).json()
    assert case["amount_due_fen"] == 0 and case["timeline"][-1]["data"]["order_no"] == order["order_no"]
    again = _pay_sim(base, order["order_no"])  # the gateway notifies again: acknowledged, nothing changes
    assert again.returncode == 0, again.stderr
    after = httpx.get(f"{base}/api/v1/cases/{case_id}", headers=headers, trust_env=False).json()
    assert (after["version"], len(after["timeline"])) == (case["version"], len(case["timeline"]))
    unknown = _pay_sim(base, "CG20000101000000" + "0" * 8)
    assert unknown.returncode == 1 and "payment.sim.unknown_order" in unknown.stderr


def test_paying_on_the_gateways_page_makes_the_gateway_call_back(live):
    base, headers = live
    cases = _owing_cases(base, headers)
    next(cases)  # the one the test above may have paid
    order = _order(base, headers, next(cases))
    page = httpx.get(f"{base}/api/v1/sim-gateway/orders/{order['order_no']}", trust_env=False).json()
    assert (page["state"], page["amount_fen"]) == ("NOTPAY", order["amount_fen"])
    paid = httpx.post(f"{base}/api/v1/sim-gateway/orders/{order['order_no']}/pay", json={}, trust_env=False)
    assert paid.status_code == 200 and paid.json()["state"] == "SUCCESS" and paid.json()["callback"] is None
    for _ in range(50):
        status = httpx.get(f"{base}/api/v1/payments/{order['order_no']}", headers=headers, trust_env=False).json()
        if status["status"] == "paid":
            break
        time.sleep(0.2)
    assert status["status"] == "paid" and status["receipt_no"]
    sim_page = httpx.get(f"{base}/sim-pay/{order['order_no']}", trust_env=False)
    assert sim_page.status_code == 200  # the web app's page (SPA fallback)
