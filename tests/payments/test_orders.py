"""Payment orders at frozen dates: the amount owed now with the 第七十二条 late fee, an order superseded when the
amount changes (a new day, another payment), money the case did not owe set aside and refunded, the party paying
from the portal, and who may see an order."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi.testclient import TestClient

from cases.helpers import act
from chengguan.core import clock
from payments.helpers import Login, gateway_pays, new_order, notify, served
from portal.test_portal import _code, _phone, _portal_login, _served_to


def _at(day: str, hour: int) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, 0), clock.SHANGHAI)


def test_after_the_due_date_the_order_adds_three_percent_of_the_fine_a_day(client: TestClient, login: Login, setup):
    """第七十二条第一款第（一）项: four days late → 4 × 3 % × 500 元 = 60 元."""
    case = served(client, login, setup)
    due = date.fromisoformat(case["payment_due_on"])
    clock.set_now(_at((due + timedelta(days=4)).isoformat(), 10))
    officer = login("bdg_officer")  # a token of the frozen day
    order = new_order(client, officer, case["id"])
    assert (order["fine_fen"], order["late_fee_fen"], order["late_fee_days"], order["amount_fen"]) == (
        50_000, 6_000, 4, 56_000)  # fmt: skip
    payments = client.get(f"/api/v1/cases/{case['id']}/payments", headers=officer).json()
    assert payments["due"]["amount_due_fen"] == 56_000 and payments["due"]["overdue"] is True
    assert "第七十二条" in payments["due"]["basis"]
    assert client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()["amount_due_fen"] == 56_000
    # paid: the fee stops that day (fine_paid_on), whatever the date later
    assert notify(client, *gateway_pays(client, order["order_no"])).status_code == 200
    clock.set_now(_at((due + timedelta(days=30)).isoformat(), 10))
    later = client.get(f"/api/v1/cases/{case['id']}", headers=login("bdg_officer")).json()
    assert (later["paid_fen"], later["late_fee_fen"], later["amount_due_fen"]) == (56_000, 6_000, 0)


def test_a_new_day_supersedes_the_order_and_the_old_one_can_no_longer_be_paid(client: TestClient, login: Login, setup):
    case = served(client, login, setup)
    due = date.fromisoformat(case["payment_due_on"])
    clock.set_now(_at((due + timedelta(days=2)).isoformat(), 23))
    first = new_order(client, login("bdg_officer"), case["id"])
    assert datetime.fromisoformat(first["expires_at"]) == _at((due + timedelta(days=3)).isoformat(), 0)
    clock.set_now(_at((due + timedelta(days=3)).isoformat(), 9))
    second = new_order(client, login("bdg_officer"), case["id"])
    assert second["order_no"] != first["order_no"] and second["amount_fen"] == first["amount_fen"] + 1_500
    old = client.get(f"/api/v1/payments/{first['order_no']}", headers=login("bdg_officer")).json()
    assert old["status"] == "closed"
    paying_old = client.post(f"/api/v1/sim-gateway/orders/{first['order_no']}/pay", json={"deliver": "caller"})
    assert paying_old.status_code == 409 and paying_old.json()["code"] == "payment.sim.closed"


def test_money_the_case_no_longer_owed_is_set_aside_and_refunded(client: TestClient, login: Login, setup):
    case = served(client, login, setup)
    officer = login("bdg_officer")
    order = new_order(client, officer, case["id"])
    # the party paid at the bank meanwhile and the officer recorded it from the bank's receipt
    case = act(client, officer, client.get(f"/api/v1/cases/{case['id']}", headers=officer).json(), "record_payment",
               amount_fen=50_000)  # fmt: skip
    assert notify(client, *gateway_pays(client, order["order_no"])).status_code == 200
    status = client.get(f"/api/v1/payments/{order['order_no']}", headers=officer).json()
    assert (status["status"], status["applied_fen"], status["excess_fen"]) == ("paid", 0, 50_000)
    after = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()
    assert after["paid_fen"] == 50_000 and after["timeline"][-1]["action"] == "payment_excess"
    assert client.post(f"/api/v1/payments/{order['order_no']}/refund", json={"reason": "重复缴纳"},
                       headers=officer).status_code == 403  # fmt: skip
    refunded = client.post(f"/api/v1/payments/{order['order_no']}/refund", json={"reason": "重复缴纳，原路退还"},
                           headers=login("shinan_leader"))  # fmt: skip
    assert refunded.status_code == 200, refunded.text
    assert (refunded.json()["status"], refunded.json()["refunded_fen"]) == ("refunded", 50_000)
    again = client.post(f"/api/v1/payments/{order['order_no']}/refund", json={"reason": "再退"},
                        headers=login("shinan_leader"))  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "payment.nothing_to_refund"
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()["timeline"]
    assert timeline[-1]["action"] == "payment_refund" and timeline[-1]["action_label"] == "退还多缴款项"


def test_another_payment_recorded_supersedes_the_open_order(client: TestClient, login: Login, setup):
    case = served(client, login, setup)
    officer = login("bdg_officer")
    first = new_order(client, officer, case["id"])
    act(client, officer, client.get(f"/api/v1/cases/{case['id']}", headers=officer).json(), "record_payment",
        amount_fen=20_000)  # fmt: skip
    second = new_order(client, officer, case["id"])
    assert second["order_no"] != first["order_no"] and second["amount_fen"] == 30_000


def test_no_order_before_the_decision_is_served_and_none_for_others(client: TestClient, login: Login, setup):
    from cases.helpers import decided

    case = decided(client, login, setup)
    refused = new_order(client, login("bdg_officer"), case["id"], expect=409)
    assert refused["code"] == "payment.not_executable" and "第六十七条" in refused["detail"]
    case = act(client, login("bdg_officer"), case, "serve_decision")
    order = new_order(client, login("bdg_officer"), case["id"])
    assert client.get(f"/api/v1/payments/{order['order_no']}").status_code == 401
    other_squad = client.get(f"/api/v1/payments/{order['order_no']}", headers=login("licun_officer"))
    assert other_squad.status_code == 404
    assert client.post(f"/api/v1/cases/{case['id']}/payment-orders", json={},
                       headers=login("shinan_legal")).status_code == 403  # fmt: skip


def test_the_party_pays_from_the_portal_and_sees_the_receipt(client: TestClient, login: Login, setup):
    phone = _phone()
    _, delivery = _served_to(client, login, setup, phone, ["portal"])
    me = _portal_login(client, phone, _code(client, login, phone))
    [item] = client.get("/api/v1/portal/payments", headers=me).json()["items"]
    assert (item["served"], item["payable"], item["due"]["fine_fen"]) == (False, False, 50_000)
    token = delivery["link"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/public/deliveries/{token}").status_code == 200  # opened: served, the 15 days run
    [item] = client.get("/api/v1/portal/payments", headers=me).json()["items"]
    assert (item["served"], item["payable"], item["due"]["amount_due_fen"], item["paid"]) == (True, True, 50_000, False)
    order = client.post(f"/api/v1/portal/payments/{item['case_id']}/orders", headers=me)
    assert order.status_code == 201, order.text
    order = order.json()
    assert order["qr_svg"] is None and "/sim-pay/" in order["pay_url"]
    assert client.get(f"/api/v1/payments/{order['order_no']}", headers=me).json()["status"] == "pending"
    assert notify(client, *gateway_pays(client, order["order_no"])).status_code == 200
    [item] = client.get("/api/v1/portal/payments", headers=me).json()["items"]
    assert (item["paid"], item["due"]["amount_due_fen"], item["open_order"]) == (True, 0, None)
    [receipt] = item["receipts"]
    assert receipt["order_no"] == order["order_no"] and receipt["receipt_url"].endswith(".pdf")
    # another party's portal sees neither the case nor the order
    stranger_phone = _phone()
    _served_to(client, login, setup, stranger_phone, ["portal"])
    stranger = _portal_login(client, stranger_phone, _code(client, login, stranger_phone))
    assert client.get(f"/api/v1/payments/{order['order_no']}", headers=stranger).status_code == 404
    refused = client.post(f"/api/v1/portal/payments/{item['case_id']}/orders", headers=stranger)
    assert refused.status_code == 404 and refused.json()["code"] == "payment.portal.not_found"
