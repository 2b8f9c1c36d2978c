"""On-the-spot collection (当场收缴): the grounds and limits of 第六十八条、第六十九条, the receipt number of
第七十条, the payment recorded on the case as the officer's own 登记缴款, and the two-working-day hand-in of
第七十一条 with its overdue list, then the bureau's payment into the bank."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi.testclient import TestClient

from cases.helpers import act, new_case
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks
from chengguan.core import clock
from payments.helpers import Login, served

LIST = "/api/v1/payments/cash-collections"


def _on_the_spot(client: TestClient, login: Login, setup, fine_fen: int) -> dict:  # type: ignore[no-untyped-def]
    officer = login("bdg_officer")
    case = new_case(client, officer, setup, procedure="simple", penalty={"kinds": ["fine"], "fine_fen": fine_fen})
    return act(client, officer, case, "deliver_on_site", signed_or_refused=True)


def _collect(client: TestClient, headers: dict, case: dict, expect: int = 201, **body) -> dict:  # type: ignore[no-untyped-def]
    data = {"amount_fen": case["fine_fen"], "ground": "small_fine", "bill_no": f"鲁财罚{case['code'][-6:]}",
            "version": case["version"]} | body  # fmt: skip
    response = client.post(f"/api/v1/cases/{case['id']}/cash-collections", json=data, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def test_a_fine_of_100_yuan_is_collected_recorded_and_handed_in_within_two_working_days(
    client: TestClient, login: Login, setup
):
    case = _on_the_spot(client, login, setup, 10_000)
    officer = login("bdg_officer")
    row = _collect(client, officer, case)
    today = clock.local_now().date()
    assert (row["status"], row["amount_fen"], row["overdue"]) == ("collected", 10_000, False)
    assert row["handin_due_on"] == clocks.cash_handin_due(today, WorkCalendar()).isoformat()  # 第七十一条、第八十五条
    after = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()
    assert after["paid_fen"] == 10_000 and after["amount_due_fen"] == 0
    entry = after["timeline"][-1]
    assert (entry["action"], entry["data"]["channel"], entry["data"]["bill_no"]) == ("record_payment", "cash",
                                                                                    row["bill_no"])  # fmt: skip
    assert _collect(client, officer, case)["id"] == row["id"]  # a retry with the same receipt is the same entry
    # days later the cash is still with the officer: on the overdue list
    late = datetime.combine(date.fromisoformat(row["handin_due_on"]) + timedelta(days=1), time(10), clock.SHANGHAI)
    clock.set_now(late)
    leader = login("bdg_leader")
    overdue = client.get(LIST, params={"overdue": True}, headers=leader).json()["items"]
    assert row["id"] in {r["id"] for r in overdue} and next(r for r in overdue if r["id"] == row["id"])["overdue"]
    assert client.post(f"{LIST}/{row['id']}/hand-in", json={}, headers=leader).status_code == 403  # payment:read only
    district = login("shinan_leader")
    handed = client.post(f"{LIST}/{row['id']}/hand-in", json={"note": "迟交一日，已说明情况"}, headers=district)
    assert handed.status_code == 200, handed.text
    assert (handed.json()["status"], handed.json()["overdue"]) == ("handed_in", False) and handed.json()["remit_due_on"]
    assert client.post(f"{LIST}/{row['id']}/hand-in", json={}, headers=district).status_code == 409
    clock.set_now(late + timedelta(hours=2))
    district = login("shinan_leader")
    remitted = client.post(f"{LIST}/{row['id']}/remit", json={"bank_slip_no": "BOC-20260318-001"}, headers=district)
    assert remitted.json()["status"] == "remitted"
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=login("bdg_officer")).json()["timeline"]
    assert [e["action"] for e in timeline[-2:]] == ["cash_hand_in", "cash_remit"]
    assert timeline[-2]["data"]["late"] is True


def test_the_grounds_and_limits_of_articles_68_to_70(client: TestClient, login: Login, setup):
    officer = login("bdg_officer")
    over = _on_the_spot(client, login, setup, 20_000)
    refused = _collect(client, officer, over, expect=422)
    assert refused["code"] == "payment.cash.over_limit" and "第六十八条第（一）项" in refused["detail"]
    no_reason = _collect(client, officer, over, expect=422, ground="hard_to_enforce")
    assert no_reason["code"] == "payment.cash.reason"
    ok = _collect(client, officer, over, ground="hard_to_enforce", reason="当事人为外地流动商贩，无固定住所")
    assert ok["ground_label"].startswith("不当场收缴事后难以执行")
    small = _on_the_spot(client, login, setup, 5_000)
    too_much = _collect(client, officer, small, expect=422, amount_fen=5_001)
    assert too_much["code"] == "payment.cash.amount"
    used = _collect(client, officer, small, expect=409, bill_no=ok["bill_no"])
    assert used["code"] == "payment.cash.bill_used"
    water = _collect(client, officer, small, expect=422, on_water=True)
    assert water["code"] == "payment.cash.landed_on"


def test_article_69_remote_areas_also_after_an_ordinary_decision_when_the_party_asks(
    client: TestClient, login: Login, setup
):
    case = served(client, login, setup)
    officer = login("bdg_officer")
    remote = {"ground": "remote_area", "reason": "海岛村，最近的银行网点需乘船两小时", "amount_fen": 50_000}
    assert _collect(client, officer, case, expect=422, **remote)["code"] == "payment.cash.not_requested"
    assert _collect(client, officer, case, expect=422, ground="small_fine")["code"] == "payment.cash.not_on_the_spot"
    row = _collect(client, officer, case, party_requested=True, **remote)
    assert row["status"] == "collected"


def test_only_the_cases_handling_officers_collect(client: TestClient, login: Login, setup):
    case = _on_the_spot(client, login, setup, 10_000)
    assert _collect(client, login("licun_officer"), case, expect=404)["code"] == "case.not_found"
    assert client.post(f"/api/v1/cases/{case['id']}/cash-collections", json={"amount_fen": 1},
                       headers=login("shinan_legal")).status_code == 403  # fmt: skip
    leader = _collect(client, login("bdg_leader"), case, expect=403)  # reads the case, does not handle it
    assert leader["code"] == "case.forbidden"
