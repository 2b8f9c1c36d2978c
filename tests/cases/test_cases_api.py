"""The penalty case over HTTP: a full ordinary procedure by the roles involved, a simple-procedure case, optimistic
locking between two approvers, idempotent retries and the refusals (403/409/422) in problem+json."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from cases.helpers import act, case_body, new_case
from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.core.idnumbers import ric_check_digit

Login = Callable[..., dict[str, str]]


def test_full_ordinary_procedure_by_the_roles_involved(client: TestClient, login: Login, setup: dict):
    officer, squad = login("bdg_officer"), login("bdg_leader")
    district, legal = login("shinan_leader"), login("shinan_legal")
    case = new_case(client, officer, setup)
    assert (case["status"], case["repeat_offences"]) == ("registered", 0)
    assert [a["action"] for a in case["actions"] if a["open"]] == ["start_check"]
    case = act(client, officer, case, "start_check")
    case = act(client, officer, case, "submit_filing")
    assert (case["status"], case["approval_step_label"]) == ("filing_approval", "中队长审核")
    act(client, officer, case, "approve", expect=403)  # a handler does not approve their own case
    case = act(client, squad, case, "approve", reason="同意立案")
    case = act(client, district, case, "approve", reason="同意")
    assert case["status"] == "investigation" and case["filed_on"] == clock.local_now().date().isoformat()
    assert case["decision_due_on"] is not None and any(c["key"] == "decision" for c in case["clocks"])
    case = act(client, officer, case, "end_investigation")
    act(client, officer, case, "submit_decision", expect=409)  # not in case_review
    case = act(client, officer, case, "issue_notice")
    case = act(client, officer, case, "serve_notice")
    decision = next(a for a in case["actions"] if a["action"] == "submit_decision")
    assert not decision["open"] and decision["blocked_code"] == "case.gate.statement_window"
    act(client, officer, case, "submit_decision", expect=409)
    case = act(client, officer, case, "waive_statement", data={"note": "当事人书面放弃"})
    case = act(client, officer, case, "submit_decision")
    for approver in (squad, legal, district):
        case = act(client, approver, case, "approve", reason="同意")
    assert case["status"] == "service" and case["decided_on"] == clock.local_now().date().isoformat()
    case = act(client, officer, case, "serve_decision")
    assert case["status"] == "execution" and case["payment_due_on"] is not None
    act(client, officer, case, "submit_closure", expect=409)  # the fine is unpaid
    case = act(client, officer, case, "record_payment", amount_fen=50_000)
    case = act(client, officer, case, "submit_closure")
    case = act(client, squad, case, "approve", reason="同意结案")
    assert case["status"] == "closed"
    case = act(client, officer, case, "archive")
    assert case["status"] == "archived"
    assert [a["step_label"] for a in case["approvals"]] == [
        "中队长审核", "分管局长审批", "中队长审核", "法制科审核", "分管局长审批", "中队长审批"
    ]  # fmt: skip
    assert all(len(a["signature"]) == 64 for a in case["approvals"])
    actions = [e["action"] for e in case["timeline"]]
    assert actions[0] == "create" and actions[-1] == "archive" and len(actions) == 18


@pytest.mark.commits
def test_two_approvers_on_one_step_one_wins(client: TestClient, login: Login, setup: dict, db: Database):
    officer, squad = login("bdg_officer"), login("bdg_leader")
    case = new_case(client, officer, setup)
    case = act(client, officer, case, "start_check")
    case = act(client, officer, case, "submit_filing")
    results: list[int] = []
    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        response = client.post(
            f"/api/v1/cases/{case['id']}/actions/approve", json={"version": case["version"]}, headers=squad
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    fresh = client.get(f"/api/v1/cases/{case['id']}", headers=squad).json()
    assert fresh["approval_step"] == 1 and len(fresh["approvals"]) == 1


def test_retry_with_the_same_key_is_applied_once(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    first = act(client, officer, case, "start_check", idempotency_key="retry-1")
    again = act(client, officer, case, "start_check", idempotency_key="retry-1")  # stale version, same key
    assert again["version"] == first["version"] and again["status"] == "preliminary_check"
    assert [e["action"] for e in again["timeline"]].count("start_check") == 1


def test_simple_procedure_on_the_spot(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    refused = client.post(
        "/api/v1/cases",
        json={
            "procedure": "simple",
            "matter_code": setup["matter"],
            "party": {"type": "individual", "name": "摊主"},
            "act_on": clock.local_now().date().isoformat(),
            "officer_ids": setup["officers"],
            "penalty": {"kinds": ["fine"], "fine_fen": 20_100},
        },
        headers=officer,
    )
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "case.fine_over_simple_cap" and "第五十一条" in refused.json()["detail"]
    case = new_case(client, officer, setup, procedure="simple", penalty={"kinds": ["fine"], "fine_fen": 20_000})
    assert case["status"] == "on_site" and case["code"].startswith("JY")
    act(client, officer, case, "deliver_on_site", expect=409)  # signature or refusal not recorded
    case = act(client, officer, case, "deliver_on_site", signed_or_refused=True)
    assert case["status"] == "execution" and case["payment_due_on"] is not None
    case = act(client, officer, case, "record_payment", amount_fen=20_000)
    case = act(client, officer, case, "submit_closure")
    assert case["status"] == "closed"  # 备案: no approval chain


def test_bad_input_is_a_clear_problem(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    body = "37020219800101001"
    party = {"type": "individual", "name": "张某", "id_no": body + ("1" if ric_check_digit(body) != "1" else "2")}
    bad_id = client.post(
        "/api/v1/cases",
        json={
            "procedure": "ordinary",
            "matter_code": setup["matter"],
            "party": party,
            "act_on": "2026-01-01",
            "officer_ids": setup["officers"],
        },
        headers=officer,
    )
    assert bad_id.status_code == 422 and bad_id.json()["code"] == "case.party.id_no"
    unknown = client.post(f"/api/v1/cases/{uuid.uuid4()}/actions/approve", json={"version": 1}, headers=officer)
    assert unknown.status_code == 404 and unknown.json()["code"] == "case.not_found"
    case = new_case(client, officer, setup)
    no_such = client.post(f"/api/v1/cases/{case['id']}/actions/fly", json={"version": 1}, headers=officer)
    assert no_such.status_code == 422
    stale = act(client, officer, case, "start_check", expect=409, version=case["version"] + 5)
    assert stale["code"] == "case.version_conflict"


def test_other_squads_officer_cannot_see_the_case(client: TestClient, login: Login, setup: dict):
    case = new_case(client, login("bdg_officer"), setup)
    other = client.get(f"/api/v1/cases/{case['id']}", headers=login("licun_officer"))
    assert other.status_code == 404
    listed = client.get("/api/v1/cases", params={"q": case["code"]}, headers=login("bdg_leader")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == case["id"]


def test_approval_inbox_lists_what_this_user_signs_next(client: TestClient, login: Login, setup: dict):
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    case = new_case(client, officer, setup)
    case = act(client, officer, case, "start_check")
    case = act(client, officer, case, "submit_filing")
    ids = lambda who: {c["id"] for c in client.get("/api/v1/cases", params={"awaiting_me": True, "page_size": 200},  # noqa: E731
                                                    headers=who).json()["items"]}  # fmt: skip
    assert case["id"] in ids(squad) and case["id"] not in ids(district) and case["id"] not in ids(officer)
    act(client, squad, case, "approve")
    assert case["id"] not in ids(squad) and case["id"] in ids(district)


def test_list_order_overdue_then_running_by_deadline_then_latest(client: TestClient, login: Login, db: Database):
    from datetime import date as day

    from sqlalchemy import select

    from chengguan.cases.enums import FILED_UNDECIDED
    from chengguan.cases.models import Case

    listed, page = [], 1
    while True:
        got = client.get("/api/v1/cases", params={"page": page, "page_size": 200}, headers=login("admin")).json()
        listed += got["items"]
        if len(listed) >= got["total"]:
            break
        page += 1
    assert len({c["id"] for c in listed}) == len(listed) == got["total"]
    with db.session(write=False) as s:
        cases = {str(c.id): c for c in s.scalars(select(Case))}
    today = day.today()

    def bucket(c: Case) -> int:
        running = c.status in FILED_UNDECIDED and c.decision_due_on is not None
        return 0 if running and c.decision_due_on < today else 1 if running else 2

    order = [cases[item["id"]] for item in listed]
    assert [bucket(c) for c in order] == sorted(bucket(c) for c in order)
    for b in (0, 1):
        dues = [c.decision_due_on for c in order if bucket(c) == b]
        assert dues == sorted(dues)
    latest = [c.updated_at for c in order if bucket(c) == 2]
    assert latest == sorted(latest, reverse=True)
    assert any(bucket(c) == 0 for c in order)  # the demo has overdue cases


def test_a_handler_lists_the_colleagues_of_their_unit(client: TestClient, login: Login, setup: dict):
    listed = client.get("/api/v1/cases/colleagues", headers=login("bdg_officer"))
    assert listed.status_code == 200, listed.text
    ids = {o["id"] for o in listed.json()}
    assert set(setup["officers"]) <= ids  # the officer and the certified colleague the tests use
    kinds = [o["kind"] for o in listed.json()]
    assert kinds == sorted(kinds, key=lambda k: k != "certified")  # certified first
    assert client.get("/api/v1/cases/colleagues", headers=login("shinan_legal")).status_code == 403  # no case:write


def test_payment_date_is_recorded(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup, procedure="simple", penalty={"kinds": ["fine"], "fine_fen": 10_000})
    case = act(client, officer, case, "deliver_on_site", signed_or_refused=True)
    case = act(client, officer, case, "record_payment", amount_fen=10_000, on=case["decision_served_on"])
    assert case["timeline"][-1]["data"]["paid_on"] == case["decision_served_on"]


def test_a_case_opened_from_a_case_source_takes_its_place_and_marks_its_timeline(
    client: TestClient, login: Login, setup: dict, db: Database
):
    from sqlalchemy import select

    from chengguan.intake.models import CaseSource

    with db.session(write=False) as s:
        located = select(CaseSource).where(CaseSource.grid_code.is_not(None))
        source = s.scalars(located.order_by(CaseSource.code)).first()
    officer = login("bdg_officer")
    case = new_case(client, officer, setup, source_id=str(source.id), facts=None, address=None)
    assert case["source_id"] == str(source.id)
    assert (case["lng"], case["lat"]) == (source.lng, source.lat) and case["address"] == source.address
    detail = client.get(f"/api/v1/case-sources/{source.id}", headers=login("admin")).json()
    assert any(e["action"] == "open_case" and e["data"]["case_code"] == case["code"] for e in detail["timeline"])
    body = {"procedure": "ordinary", "matter_code": setup["matter"], "party": {"type": "individual", "name": "某"},
            "act_on": "2026-01-05", "officer_ids": setup["officers"], "source_id": str(uuid.uuid4())}  # fmt: skip
    unknown = client.post("/api/v1/cases", json=body, headers=officer)
    assert unknown.status_code == 422 and unknown.json()["code"] == "case.source_unknown"


def test_the_statement_window_shows_while_it_runs(client: TestClient, login: Login, setup: dict):
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    case = new_case(client, officer, setup)
    for who, action in ((officer, "start_check"), (officer, "submit_filing"), (squad, "approve"),
                        (district, "approve"), (officer, "end_investigation"), (officer, "issue_notice"),
                        (officer, "serve_notice")):  # fmt: skip
        case = act(client, who, case, action)
    statement = next(c for c in case["clocks"] if c["key"] == "statement")
    assert statement["remaining_days"] >= 1 and not statement["overdue"]  # served today: 3 working days ahead


def test_the_late_fee_stops_on_the_day_the_fine_is_paid(client: TestClient, login: Login, setup: dict):
    """第七十二条第一款第（一）项: 3 % of the fine a day after the due date — until the fine is paid, not beyond."""
    from datetime import timedelta

    officer = login("bdg_officer")
    case = new_case(client, officer, setup, procedure="simple", penalty={"kinds": ["fine"], "fine_fen": 10_000})
    case = act(client, officer, case, "deliver_on_site", signed_or_refused=True)
    due = date.fromisoformat(case["payment_due_on"])
    clock.set_now(clock.now() + timedelta(days=(due - clock.local_now().date()).days + 10))
    officer = login("bdg_officer")  # a token does not outlive the jump in time
    paid_on = (due + timedelta(days=5)).isoformat()
    case = act(client, officer, case, "record_payment", amount_fen=10_000, on=paid_on)
    assert (case["late_fee_fen"], case["amount_due_fen"]) == (1_500, 1_500)  # five days late
    clock.set_now(clock.now() + timedelta(days=30))
    later = client.get(f"/api/v1/cases/{case['id']}", headers=login("bdg_officer")).json()
    assert (later["late_fee_fen"], later["amount_due_fen"]) == (1_500, 1_500)


def test_a_case_is_filed_only_for_a_unit_in_the_filers_scope(client: TestClient, login: Login, setup: dict, db):
    from sqlalchemy import select

    from chengguan.org.models import OrgUnit

    with db.session(write=False) as s:
        licun = s.scalar(select(OrgUnit.id).where(OrgUnit.name == "李村街道执法中队"))
    body = {"unit_id": str(licun)}
    refused = client.post("/api/v1/cases", json=case_body(setup, **body), headers=login("bdg_officer"))
    assert refused.status_code == 422 and refused.json()["code"] == "case.unit_out_of_scope"
