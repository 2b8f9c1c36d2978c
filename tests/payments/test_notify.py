"""From a payment order to the case: the simulated gateway's signed callback is verified and records the payment on
the case as 登记缴款 (paid_fen, fine_paid_on, the timeline entry in the channel's name), numbers a receipt and
writes the audit log. A replay changes nothing; a tampered, stale, misdirected or wrong-amount callback is refused
with problem+json and changes nothing but the callback log."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.payments import signing
from chengguan.payments.models import PaymentNotification, PaymentReceipt
from payments.helpers import Login, forged, gateway_pays, new_order, notify, paid_resource, served


def _case(client: TestClient, login: Login, case_id: str) -> dict:
    return client.get(f"/api/v1/cases/{case_id}", headers=login("bdg_officer")).json()


def _log(db, order_no: str) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session(write=False) as s:
        rows = s.scalars(select(PaymentNotification).where(PaymentNotification.order_no == order_no)
                         .order_by(PaymentNotification.received_at))  # fmt: skip
        return [r.outcome.value for r in rows]


def test_an_order_is_opened_for_the_amount_owed_and_reused_while_it_stands(client: TestClient, login: Login, setup):
    case = served(client, login, setup)
    officer = login("bdg_officer")
    order = new_order(client, officer, case["id"])
    assert (order["amount_fen"], order["fine_fen"], order["late_fee_fen"], order["status"]) == (
        50_000,
        50_000,
        0,
        "pending",
    )
    assert "/sim-pay/" + order["order_no"] in order["pay_url"] and order["qr_svg"].startswith("data:image/svg+xml")
    again = new_order(client, officer, case["id"])
    assert again["order_no"] == order["order_no"] and again["reused"] is True
    status = client.get(f"/api/v1/payments/{order['order_no']}", headers=officer).json()
    assert (status["status"], status["paid_fen"], status["receipt_url"]) == ("pending", 0, None)


def test_the_callback_pays_the_order_and_moves_the_case_on_as_a_recorded_payment(
    client: TestClient, login: Login, setup, db
):
    case = served(client, login, setup)
    officer = login("bdg_officer")
    order = new_order(client, officer, case["id"])
    headers, body = gateway_pays(client, order["order_no"])
    answer = notify(client, headers, body)
    assert answer.status_code == 200 and answer.json() == {"code": "SUCCESS", "message": "成功"}
    status = client.get(f"/api/v1/payments/{order['order_no']}", headers=officer).json()
    assert (status["status"], status["paid_fen"], status["applied_fen"], status["excess_fen"]) == (
        "paid",
        50_000,
        50_000,
        0,
    )
    assert status["receipt_no"].endswith("号") and "缴款字" in status["receipt_no"]
    assert status["receipt_url"].endswith(".pdf") and "/verify/" in status["verify_url"]
    after = _case(client, login, case["id"])
    assert (after["paid_fen"], after["amount_due_fen"], after["late_fee_fen"]) == (50_000, 0, 0)
    with db.session(write=False) as s:  # 第七十二条: the late fee stops the day the fine is paid in full
        assert s.get(Case, uuid.UUID(case["id"])).fine_paid_on == clock.local_now().date()
    entry = after["timeline"][-1]
    assert (entry["action"], entry["actor_name"]) == ("record_payment", "电子支付系统（sim）")
    assert entry["data"]["order_no"] == order["order_no"] and entry["data"]["amount_fen"] == 50_000
    assert entry["data"]["receipt_no"] == status["receipt_no"]
    # nothing is owed any more: the closure gate (settled) opens, as after an officer's 登记缴款
    actions = {a["action"]: a for a in client.get(f"/api/v1/cases/{case['id']}/actions", headers=officer).json()}
    assert actions["submit_closure"]["blocked_code"] != "case.gate.unsettled"
    audit = client.get("/api/v1/audit", params={"action": "payment.paid"}, headers=login("auditor")).json()  # 三员分立
    assert any(e["target_label"] == order["order_no"] for e in audit["items"])
    assert _log(db, order["order_no"]) == ["accepted"]
    # paid: no new order can be made
    refused = new_order(client, officer, case["id"], expect=409)
    assert refused["code"] == "payment.settled"


def test_a_replayed_callback_changes_nothing(client: TestClient, login: Login, setup, db):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    headers, body = gateway_pays(client, order["order_no"])
    assert notify(client, headers, body).status_code == 200
    before = _case(client, login, case["id"])
    for _ in range(3):  # the same bytes again, and the gateway's own retry (a new signature, the same payment)
        assert notify(client, headers, body).json()["code"] == "SUCCESS"
    retry_headers, retry_body = gateway_pays(client, order["order_no"])
    assert retry_headers[signing.SIGNATURE] != headers[signing.SIGNATURE]
    assert notify(client, retry_headers, retry_body).status_code == 200
    after = _case(client, login, case["id"])
    assert (after["version"], after["paid_fen"], len(after["timeline"])) == (before["version"], before["paid_fen"],
                                                                             len(before["timeline"]))  # fmt: skip
    with db.session(write=False) as s:
        assert (
            s.scalar(
                select(func.count()).select_from(PaymentReceipt).where(PaymentReceipt.case_id == uuid.UUID(case["id"]))
            )
            == 1
        )
    assert _log(db, order["order_no"]) == ["accepted", "duplicate", "duplicate", "duplicate", "duplicate"]


def _refused(client, login, db, case, order, headers, body, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    before = _case(client, login, case["id"])
    answer = notify(client, headers, body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json") and answer.json()["code"] == code
    after = _case(client, login, case["id"])
    assert (after["version"], after["paid_fen"], len(after["timeline"])) == (before["version"], before["paid_fen"],
                                                                             len(before["timeline"]))  # fmt: skip
    state = client.get(f"/api/v1/payments/{order['order_no']}", headers=login("bdg_officer")).json()
    assert state["status"] == "pending"


def test_a_tampered_body_or_header_is_refused_and_changes_nothing(client: TestClient, login: Login, setup, db):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    headers, body = gateway_pays(client, order["order_no"])
    flipped = bytearray(body)
    flipped[len(flipped) // 2] ^= 0x01
    _refused(client, login, db, case, order, headers, bytes(flipped), 401, "payment.notify.signature")
    nonce = headers[signing.NONCE]
    wrong_nonce = {**headers, signing.NONCE: nonce[:-1] + ("0" if nonce[-1] != "0" else "1")}
    _refused(client, login, db, case, order, wrong_nonce, body, 401, "payment.notify.signature")
    _refused(client, login, db, case, order, {**headers, signing.SERIAL: "F" * 40}, body, 401, "payment.notify.serial")
    no_signature = {k: v for k, v in headers.items() if k != signing.SIGNATURE}
    _refused(client, login, db, case, order, no_signature, body, 401, "payment.notify.header_missing")
    assert _log(db, order["order_no"]) == []  # refused before anything in it could be trusted: logged without it
    # the genuine callback still goes through afterwards
    assert notify(client, headers, body).status_code == 200


def test_a_callback_outside_the_five_minute_window_is_refused(client: TestClient, login: Login, setup, db):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    headers, body = gateway_pays(client, order["order_no"])
    clock.set_now(clock.now() + timedelta(minutes=6))  # captured, and replayed six minutes later
    _refused(client, login, db, case, order, headers, body, 401, "payment.notify.stale")


def test_a_verified_callback_for_another_amount_or_order_is_refused(
    client: TestClient, login: Login, setup, db, settings
):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    headers, body = forged(settings, paid_resource(order["order_no"], order["amount_fen"] - 1))
    _refused(client, login, db, case, order, headers, body, 422, "payment.notify.amount_mismatch")
    headers, body = forged(settings, paid_resource("CG20260101000000" + "9" * 8, order["amount_fen"]))
    _refused(client, login, db, case, order, headers, body, 422, "payment.notify.unknown_order")
    assert _log(db, order["order_no"]) == ["refused"]  # the wrong-amount one names this order
    unknown = client.post("/api/v1/payments/notify/alipay", content=body, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "payment.provider_unknown"


def test_a_refused_callback_is_logged_with_its_reason(client: TestClient, login: Login, setup, db):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    headers, body = gateway_pays(client, order["order_no"])
    notify(client, {**headers, signing.TIMESTAMP: "0"}, body)
    with db.session(write=False) as s:
        row = s.scalars(select(PaymentNotification).where(PaymentNotification.nonce == headers[signing.NONCE])).one()
    assert (row.outcome.value, row.code, row.signed_at) == ("refused", "payment.notify.stale", "0")
