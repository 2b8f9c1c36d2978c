"""Races against a real server: many people (or one client's retries) acting on one object at the same moment.

Exactly the expected number win, everyone else gets 409 with the object's stable code (never a 500, never a 503
that would tell a client to retry what can no longer succeed); retries with one idempotency key all get the
result of the one that was carried out. Run on SQLite, and on PostgreSQL with CHENGGUAN_TEST_DATABASE_URL."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

import httpx
import pytest

from chengguan.core import clock
from support import synthetic_ric

from .conftest import race, tally

pytestmark = pytest.mark.commits  # races on a live server with its own copy of the demo city

N = 20
SPOT = (120.3812, 36.0571)  # 八大关 (the demo's 八大关中队 grid)


def _post(server: str, path: str, headers: dict[str, str], body: dict) -> dict:
    r = httpx.post(f"{server}{path}", json=body, headers=headers, trust_env=False, timeout=60)
    assert r.status_code in (200, 201), r.text
    return r.json()


def _get(server: str, path: str, headers: dict[str, str]) -> dict:
    r = httpx.get(f"{server}{path}", headers=headers, trust_env=False, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


_spots = itertools.count(1)


def _source(server: str, headers: dict[str, str]) -> dict:
    """A new pending case source from a patrol report (each ~90 m from the last, beyond the merge radius)."""
    n = next(_spots)
    result = _post(server, "/api/v1/signals", headers, {
        "idempotency_key": f"race-{uuid.uuid4().hex}", "channel": "patrol", "category_code": "09006",
        "lng": SPOT[0] + 0.001 * (n % 6), "lat": SPOT[1] + 0.0008 * (n // 6),
        "occurred_at": (clock.now() - timedelta(minutes=1)).isoformat(), "description": f"并发测试 {n}",
    })  # fmt: skip
    assert not result["merged"], result
    return _get(server, f"/api/v1/case-sources/{result['case_source_id']}", headers)


def _codes(responses: list[httpx.Response]) -> set[str]:
    return {r.json()["code"] for r in responses if r.status_code == 409}


def test_source_action_one_winner(server: str, token) -> None:  # type: ignore[no-untyped-def]
    admin = token("admin")
    source = _source(server, admin)
    path = f"/api/v1/case-sources/{source['id']}/actions/accept"
    responses = race(server, [("POST", path, admin, {"version": source["version"]})] * N)
    assert tally(responses) == {200: 1, 409: N - 1}, [r.text for r in responses if r.status_code not in (200, 409)]
    assert _codes(responses) <= {"source.version_conflict", "workflow.invalid_transition"}
    after = _get(server, f"/api/v1/case-sources/{source['id']}", admin)
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert after["status"] == "accepted" and after["version"] == winner["version"] > source["version"]
    assert [e["action"] for e in after["timeline"]].count("accept") == 1


def test_mixed_source_actions_never_500(server: str, token) -> None:  # type: ignore[no-untyped-def]
    """Different actions from different people at once (accept, route, void): one of them wins."""
    admin, leader = token("admin"), token("bdg_leader")
    source = _source(server, admin)
    base = f"/api/v1/case-sources/{source['id']}/actions/"
    v = {"version": source["version"]}
    calls = [
        ("POST", base + "accept", admin, v),
        ("POST", base + "void", leader, v | {"reason": "重复上报"}),
        ("POST", base + "accept", leader, v),
        ("POST", base + "void", admin, v | {"reason": "误报"}),
    ] * (N // 4)
    responses = race(server, calls)
    assert tally(responses) == {200: 1, 409: N - 1}, [r.text for r in responses if r.status_code not in (200, 409)]


def test_dispatch_task_ack_one_winner(server: str, token) -> None:  # type: ignore[no-untyped-def]
    admin, officer = token("admin"), token("bdg_officer")
    me = _get(server, "/api/v1/auth/me", officer)
    on_duty = httpx.put(f"{server}/api/v1/dispatch/me/duty", json={"on_duty": True}, headers=officer, trust_env=False)
    assert on_duty.status_code == 200, on_duty.text  # an officer off duty is never dispatched
    source = _source(server, admin)
    order = {"source_id": source["id"], "officer_id": me["officer"]["id"]}
    task = _post(server, "/api/v1/dispatch/tasks", admin, order)
    path = f"/api/v1/dispatch/tasks/{task['id']}/acknowledge"
    responses = race(server, [("POST", path, officer if n % 2 else admin, None) for n in range(N)])
    assert tally(responses) == {200: 1, 409: N - 1}, [r.text for r in responses if r.status_code not in (200, 409)]
    assert _codes(responses) <= {"dispatch.version_conflict", "dispatch.invalid_transition"}
    after = _get(server, f"/api/v1/case-sources/{source['id']}", admin)
    assert [e["action"] for e in after["timeline"]].count("acknowledge") == 1


def test_source_action_same_key_replays(server: str, token) -> None:  # type: ignore[no-untyped-def]
    """One client retrying one action (same idempotency key) many times at once: all get the one result."""
    admin = token("admin")
    source = _source(server, admin)
    path = f"/api/v1/case-sources/{source['id']}/actions/accept"
    body = {"version": source["version"], "idempotency_key": f"k-{uuid.uuid4().hex}"}
    responses = race(server, [("POST", path, admin, body)] * N)
    assert tally(responses) == {200: N}, [r.text for r in responses if r.status_code != 200]
    after = _get(server, f"/api/v1/case-sources/{source['id']}", admin)
    assert {(r.json()["status"], r.json()["version"]) for r in responses} == {("accepted", after["version"])}
    assert [e["action"] for e in after["timeline"]].count("accept") == 1
    # The key is spent: the same key later is still the replay, a new key meets the moved-on source.
    again = httpx.post(f"{server}{path}", json=body, headers=admin, trust_env=False, timeout=60)
    assert again.status_code == 200 and again.json()["version"] == after["version"]
    fresh = httpx.post(f"{server}{path}", json=body | {"idempotency_key": "other"}, headers=admin, trust_env=False)
    assert fresh.status_code == 409


def _case_in_filing_approval(server: str, token) -> dict:  # type: ignore[no-untyped-def]
    officer = token("bdg_officer")
    me = _get(server, "/api/v1/auth/me", officer)
    colleagues = _get(server, "/api/v1/cases/colleagues", officer)
    partner = next(c for c in colleagues if c["kind"] == "certified" and c["user_id"] is None)
    matters = _get(server, "/api/v1/law/matters?page_size=200", officer)["items"]
    matter = next(
        m["code"] for m in matters if (m["individual_min_fen"] or 10**9) <= 50_000 <= (m["individual_max_fen"] or 0)
    )
    party = {"type": "individual", "name": "并发测试", "id_no": synthetic_ric(uuid.uuid4().int), "address": "市南区"}
    case = _post(server, "/api/v1/cases", officer, {
        "procedure": "ordinary", "matter_code": matter, "facts": "在八大关街区占道经营", "party": party,
        "act_on": (clock.local_now().date() - timedelta(days=3)).isoformat(),
        "officer_ids": [me["officer"]["id"], partner["id"]],
        "penalty": {"kinds": ["fine"], "fine_fen": 50_000, "reasoning": "一般情节"},
    })  # fmt: skip
    for action in ("start_check", "submit_filing"):
        case = _post(server, f"/api/v1/cases/{case['id']}/actions/{action}", officer, {"version": case["version"]})
    assert case["status"] == "filing_approval" and case["approval_step"] == 0
    return case


def test_two_approvers_one_winner(server: str, token) -> None:  # type: ignore[no-untyped-def]
    """The squad leader and an administrator both sign the first approval step at once."""
    case = _case_in_filing_approval(server, token)
    path = f"/api/v1/cases/{case['id']}/actions/approve"
    who = [token("bdg_leader"), token("admin")]
    responses = race(server, [("POST", path, who[n % 2], {"version": case["version"]}) for n in range(N)])
    assert tally(responses) == {200: 1, 409: N - 1}, [r.text for r in responses if r.status_code not in (200, 409)]
    assert _codes(responses) <= {"case.version_conflict", "workflow.invalid_transition"}
    after = _get(server, f"/api/v1/cases/{case['id']}", token("admin"))
    assert after["version"] == next(r.json() for r in responses if r.status_code == 200)["version"] > case["version"]
    assert [e["action"] for e in after["timeline"]].count("approve") == 1


def test_case_action_same_key_replays(server: str, token) -> None:  # type: ignore[no-untyped-def]
    case = _case_in_filing_approval(server, token)
    path = f"/api/v1/cases/{case['id']}/actions/approve"
    body = {"version": case["version"], "idempotency_key": f"k-{uuid.uuid4().hex}", "reason": "同意立案"}
    responses = race(server, [("POST", path, token("bdg_leader"), body)] * N)
    assert tally(responses) == {200: N}, [r.text for r in responses if r.status_code != 200]
    after = _get(server, f"/api/v1/cases/{case['id']}", token("admin"))
    assert {(r.json()["version"], r.json()["approval_step"]) for r in responses} == {(after["version"], 1)}
    assert [e["action"] for e in after["timeline"]].count("approve") == 1


@pytest.mark.parametrize("n", [N])
def test_signal_same_key_replays(server: str, token, n: int) -> None:  # type: ignore[no-untyped-def]
    """A device retrying one alarm many times at once: one signal, every answer names the same case source."""
    admin = token("admin")
    body = {"idempotency_key": f"race-{uuid.uuid4().hex}", "channel": "patrol", "category_code": "09006",
            "lng": SPOT[0] - 0.002, "lat": SPOT[1] - 0.002,
            "occurred_at": (clock.now() - timedelta(minutes=1)).isoformat()}  # fmt: skip
    responses = race(server, [("POST", "/api/v1/signals", admin, body)] * n)
    assert {r.status_code for r in responses} <= {200, 201}, [r.text for r in responses if r.status_code >= 300]
    assert len({r.json()["case_source_id"] for r in responses}) == 1


def test_any_stale_version_is_409_with_the_objects_code() -> None:
    """A StaleDataError from any flush of a request (not only the ones a service guards) answers 409 with the code
    of the table whose version moved on; an unknown table gets the generic code."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from sqlalchemy.orm.exc import StaleDataError

    from chengguan.core import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/stale/{table}")
    def stale(table: str) -> None:
        raise StaleDataError(f"UPDATE statement on table '{table}' expected to update 1 row(s); 0 were matched.")

    client = TestClient(app, raise_server_exceptions=False)
    for table, code in [("document", "document.version_conflict"), ("dispatch_task", "dispatch.version_conflict"),
                        ("penalty_case", "case.version_conflict"), ("case_source", "source.version_conflict"),
                        ("elsewhere", "conflict.version")]:  # fmt: skip
        r = client.get(f"/stale/{table}")
        assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == code and "刷新" in r.json()["detail"]
