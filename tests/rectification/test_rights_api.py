"""Procedure rights online: after the prior notice is served, the shop's account states its case (陈述申辩, 第四十五条)
or asks for a hearing (第六十四条第（一）项) in the portal, inside the windows the console's clocks compute; the
statement lands in the case (timeline, evidence of origin party, the no-heavier-penalty gate); a late one is refused
with the day the window ended."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from cases.helpers import act, new_case
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks
from chengguan.core import clock
from rectification.helpers import Login, claim, jpeg, new_shop, today


def _noticed(client: TestClient, login: Login, setup: dict, shop: dict, *, served_days_ago: int = 0,
             hearing_right: bool = False, fine_fen: int = 50_000) -> dict:  # fmt: skip
    """A case against the shop (its USCC), taken to the prior notice served ``served_days_ago`` days ago."""
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    party = {"type": "organization", "name": shop["name"], "id_no": shop["uscc"], "representative": "王测试",
             "address": shop["address"]}  # fmt: skip
    penalty = {"kinds": ["fine"], "fine_fen": fine_fen, "reasoning": "一般情节", "hearing_right": hearing_right}
    case = new_case(client, officer, setup, party=party, merchant_id=shop["id"], penalty=penalty)
    for who, action in ((officer, "start_check"), (officer, "submit_filing"), (squad, "approve"),
                        (district, "approve"), (officer, "end_investigation"), (officer, "issue_notice")):  # fmt: skip
        case = act(client, who, case, action)
    served = today() - timedelta(days=served_days_ago)
    case = act(client, officer, case, "serve_notice", on=str(served))
    assert case["status"] == "statement"
    return case


def test_a_statement_inside_the_window_lands_in_the_case(client: TestClient, login: Login, setup: dict, place):
    shop = new_shop(client, login, place)
    case = _noticed(client, login, setup, shop)
    portal = claim(client, login, shop)
    [mine] = client.get("/api/v1/portal/cases", headers=portal).json()
    assert mine["id"] == case["id"] and mine["statement"]["open"] and mine["hearing"] is None
    sent = client.post(f"/api/v1/portal/cases/{case['id']}/statements", headers=portal,
                       data={"text": "货架当天已移回店内，系员工临时放置，请求从轻处理"},
                       files=[("files", ("整改后.jpg", jpeg(), "image/jpeg"))])  # fmt: skip
    assert sent.status_code == 201, sent.text
    [submission] = sent.json()["submissions"]
    assert (submission["kind"], submission["attachments"]) == ("statement", 1)
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=login("bdg_officer")).json()
    entry = next(e for e in detail["timeline"] if e["action"] == "party_statement")
    assert entry["action_label"] == "当事人在线陈述申辩" and entry["actor_name"] == "王测试"
    assert entry["data"]["channel"] == "portal" and entry["data"]["ledger_seq"]
    evidence = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=login("bdg_officer")).json()["items"]
    assert [e["origin"] for e in evidence] == ["party"]
    # 第四十五条第二款: no heavier penalty for having stated
    raised = act(client, login("bdg_officer"), detail, "submit_decision", expect=409,
                 penalty={"kinds": ["fine"], "fine_fen": 80_000, "reasoning": "加重"})  # fmt: skip
    assert raised["code"] in ("case.gate.raised", "case.gate.statement_window")


def test_a_late_statement_is_refused_with_the_day_the_window_ended(client: TestClient, login: Login, setup: dict,
                                                                    place, db):  # fmt: skip
    shop = new_shop(client, login, place)
    case = _noticed(client, login, setup, shop, served_days_ago=20)
    portal = claim(client, login, shop)
    with db.session(write=False) as s:
        from chengguan.calendar.service import work_calendar

        cal: WorkCalendar = work_calendar(s)
    ends = clocks.statement_ends(today() - timedelta(days=20), case["statement_days"], cal)
    [mine] = client.get("/api/v1/portal/cases", headers=portal).json()
    assert not mine["statement"]["open"] and mine["statement"]["ends_on"] == ends.isoformat()
    late = client.post(f"/api/v1/portal/cases/{case['id']}/statements", headers=portal, data={"text": "我有异议"})
    assert late.status_code == 409
    assert late.headers["content-type"].startswith("application/problem+json")
    assert late.json()["code"] == "portal.statement_late" and late.json()["expired_on"] == ends.isoformat()
    assert ends.isoformat() in late.json()["detail"]


def test_a_hearing_request_inside_five_working_days_moves_the_case(client: TestClient, login: Login, setup: dict,
                                                                   place):  # fmt: skip
    shop = new_shop(client, login, place)
    case = _noticed(client, login, setup, shop, hearing_right=True, fine_fen=1_000_000)
    portal = claim(client, login, shop)
    mine = client.get(f"/api/v1/portal/cases/{case['id']}", headers=portal).json()
    assert mine["hearing"]["open"]
    asked = client.post(f"/api/v1/portal/cases/{case['id']}/hearing-request", headers=portal,
                        json={"reason": "对罚款数额有异议，要求听证"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "hearing" and asked.json()["hearing_requested"]
    after = client.get(f"/api/v1/cases/{case['id']}", headers=login("bdg_officer")).json()
    assert after["status"] == "hearing" and after["hearing_requested"]
    again = client.post(f"/api/v1/portal/cases/{case['id']}/hearing-request", headers=portal,
                        json={"reason": "再次要求"})  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "portal.not_in_statement"


def test_a_late_hearing_request_and_a_case_not_yet_noticed(client: TestClient, login: Login, setup: dict, place):
    shop = new_shop(client, login, place)
    case = _noticed(client, login, setup, shop, hearing_right=True, fine_fen=1_000_000, served_days_ago=12)
    portal = claim(client, login, shop)
    late = client.post(f"/api/v1/portal/cases/{case['id']}/hearing-request", headers=portal,
                       json={"reason": "要求听证"})  # fmt: skip
    assert late.status_code == 409 and late.json()["code"] == "portal.hearing_late" and late.json()["expired_on"]
    fresh = new_case(client, login("bdg_officer"), setup, merchant_id=shop["id"],
                     party={"type": "organization", "name": shop["name"], "id_no": shop["uscc"],
                            "representative": "王测试"})  # fmt: skip
    early = client.post(f"/api/v1/portal/cases/{fresh['id']}/statements", headers=portal, data={"text": "说明情况"})
    assert early.status_code == 409 and early.json()["code"] == "portal.notice_not_served"
    stranger = claim(client, login, new_shop(client, login, place))
    assert client.get(f"/api/v1/portal/cases/{case['id']}", headers=stranger).status_code == 404
    clock.set_now(None)
