"""Reconciliation (对账): the gateway's bill of a day against the orders, the callbacks and the cases. Each kind of
mismatch is produced for real (a lost callback, a changed case entry, a missing callback record, an amount edited
behind the gateway's back, money not returned) and found; the minute job's query repairs the lost callback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from chengguan.cases.models import CaseEvent
from chengguan.core import clock
from chengguan.payments.enums import Mismatch, OrderStatus, PaidVia
from chengguan.payments.gateway import BillLine
from chengguan.payments.matching import OrderFacts, compare
from chengguan.payments.models import PaymentNotification, PaymentOrder
from chengguan.payments.tasks import reconcile_yesterday, sync_pending
from payments.helpers import Login, gateway_pays, new_order, notify, served

URL = "/api/v1/payments/reconciliation"


def _mine(report: dict, order_no: str) -> list[str]:
    return [m["kind"] for m in report["mismatches"] if m["order_no"] == order_no]


def _today(client: TestClient, login: Login, who: str = "bdg_leader") -> dict:
    response = client.get(URL, params={"day": clock.local_now().date().isoformat()}, headers=login(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_paid_order_reconciles_and_only_finance_may_look(client: TestClient, login: Login, setup):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    assert notify(client, *gateway_pays(client, order["order_no"])).status_code == 200
    report = _today(client, login)
    assert _mine(report, order["order_no"]) == []
    [row] = [o for o in report["orders"] if o["order_no"] == order["order_no"]]
    assert (row["status"], row["gateway_fen"], row["applied_fen"], row["paid_via"]) == (
        "paid",
        50_000,
        50_000,
        "notify",
    )
    assert report["totals"]["gateway_fen"] >= 50_000 and report["totals"]["notify_accepted"] >= 1
    assert client.get(URL, headers=login("bdg_officer")).status_code == 403


def test_a_lost_callback_is_found_and_the_minute_job_repairs_it(client: TestClient, login: Login, setup, db, settings):
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    gateway_pays(client, order["order_no"])  # paid at the gateway; its callback never arrives
    assert _mine(_today(client, login), order["order_no"]) == [Mismatch.unpaid_on_platform.value]
    with db.session() as s, s.begin():
        assert sync_pending(s, settings)["paid"] == 0  # too early to ask: the callback may still come
    clock.set_now(clock.now() + timedelta(minutes=3))
    with db.session() as s, s.begin():
        assert sync_pending(s, settings)["paid"] == 1
    status = client.get(f"/api/v1/payments/{order['order_no']}", headers=login("bdg_officer")).json()
    assert (status["status"], status["applied_fen"]) == ("paid", 50_000) and status["receipt_no"]
    report = _today(client, login)
    assert _mine(report, order["order_no"]) == []
    assert next(o for o in report["orders"] if o["order_no"] == order["order_no"])["paid_via"] == "query"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=login("bdg_officer")).json()["paid_fen"] == 50_000


def test_changes_behind_the_gateways_back_are_found(client: TestClient, login: Login, setup, db):
    orders = []
    for _ in range(3):
        case = served(client, login, setup)
        order = new_order(client, login("bdg_officer"), case["id"])
        assert notify(client, *gateway_pays(client, order["order_no"])).status_code == 200
        orders.append(order["order_no"])
    edited, unrecorded, unlogged = orders
    with db.session() as s, s.begin():
        s.execute(update(PaymentOrder).where(PaymentOrder.order_no == edited)
                  .values(amount_fen=40_000, fine_fen=40_000, applied_fen=40_000))  # fmt: skip
        event = s.scalars(select(CaseEvent).where(CaseEvent.idempotency_key == f"payment:{unrecorded}")).one()
        event.data = {**event.data, "amount_fen": 1}
        s.execute(delete(PaymentNotification).where(PaymentNotification.order_no == unlogged))
    report = _today(client, login)
    assert Mismatch.amount_mismatch.value in _mine(report, edited)
    assert _mine(report, unrecorded) == [Mismatch.case_not_updated.value]
    assert _mine(report, unlogged) == [Mismatch.notification_missing.value]
    assert report["ok"] is False and report["totals"]["mismatch_count"] >= 3


def test_the_day_is_kept_by_a_person_or_by_the_daily_job(client: TestClient, login: Login, setup, db, settings):
    today = clock.local_now().date()
    stored = client.post(URL, params={"day": today.isoformat()}, headers=login("shinan_leader"))
    assert stored.status_code == 200 and stored.json()["stored_at"]
    assert client.get(URL, params={"day": today.isoformat()}, headers=login("shinan_leader")).json()["stored_at"]
    assert client.post(URL, headers=login("bdg_leader")).status_code == 403  # payment:read only
    clock.set_now(datetime.combine(today + timedelta(days=1), datetime.min.time(), clock.SHANGHAI) + timedelta(hours=1))
    with db.session() as s, s.begin():
        assert reconcile_yesterday(s, settings) is False  # kept already, by a person
    clock.set_now(clock.now() + timedelta(days=1))
    with db.session() as s, s.begin():
        assert reconcile_yesterday(s, settings) is True
        assert reconcile_yesterday(s, settings) is False  # once a day


def _facts(no: str, **overrides) -> OrderFacts:  # type: ignore[no-untyped-def]
    base = {"order_no": no, "status": OrderStatus.paid, "amount_fen": 100, "paid_in_day": True,
            "paid_via": PaidVia.notify, "applied_fen": 100, "excess_fen": 0, "refunded_fen": 0,
            "refunded_in_day": False, "notified": True, "recorded_fen": 100}  # fmt: skip
    return OrderFacts(**base | overrides)


def test_the_comparison_finds_each_kind_from_plain_values():
    at = datetime(2026, 3, 16, 2, tzinfo=UTC)
    bill = [BillLine("A", "t1", "pay", 100, at), BillLine("X", "t9", "pay", 70, at),
            BillLine("C", "t3", "pay", 100, at), BillLine("D", "t4", "pay", 100, at),
            BillLine("D", "t4", "refund", 30, at)]  # fmt: skip
    part = {"excess_fen": 40, "applied_fen": 60, "recorded_fen": 60}
    orders = [_facts("A"), _facts("B"), _facts("C", status=OrderStatus.pending), _facts("E", **part),
              _facts("D", **part, refunded_fen=40, refunded_in_day=True)]  # fmt: skip
    found = {(m.kind, m.order_no) for m in compare(bill, orders).mismatches}
    assert found == {
        (Mismatch.unknown_order, "X"),  # money for an order never issued
        (Mismatch.missing_at_gateway, "B"),  # paid here, no money there
        (Mismatch.unpaid_on_platform, "C"),  # money there, not paid here
        (Mismatch.missing_at_gateway, "E"),
        (Mismatch.excess_unrefunded, "E"),  # 40 not returned
        (Mismatch.refund_mismatch, "D"),  # the bill returned 30, the order says 40
    }
    result = compare(bill[:1], [_facts("A")])
    assert result.ok and result.totals["gateway_fen"] == result.totals["platform_fen"] == 100
    assert date(2026, 3, 16)  # the day is the caller's business: the facts say what fell in it
