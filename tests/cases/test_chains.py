"""Approval chains configured per unit: they apply to cases entering a stage afterwards; a case keeps the chain it
entered with; bad input is a clear problem."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from cases.helpers import act, new_case

Login = Callable[..., dict[str, str]]


def test_unit_chain_applies_to_new_entries_and_in_flight_cases_keep_theirs(
    client: TestClient, login: Login, setup: dict
):
    admin, officer, squad = login("admin"), login("bdg_officer"), login("bdg_leader")
    in_flight = new_case(client, officer, setup)
    in_flight = act(client, officer, in_flight, "start_check")
    in_flight = act(client, officer, in_flight, "submit_filing")  # entered with the default two steps
    body = {"unit_id": str(setup["unit_id"]), "procedure": "ordinary", "stage": "filing_approval",
            "steps": [{"role": "squad_leader", "label": "中队长审批（授权）"}]}  # fmt: skip
    put = client.put("/api/v1/approval-chains", json=body, headers=admin)
    assert put.status_code == 200, put.text
    chain_id = put.json()["id"]
    try:
        fresh = new_case(client, officer, setup)
        fresh = act(client, officer, fresh, "start_check")
        fresh = act(client, officer, fresh, "submit_filing")
        assert fresh["approval_steps"] == 1 and fresh["approval_step_label"] == "中队长审批（授权）"
        fresh = act(client, squad, fresh, "approve")
        assert fresh["status"] == "investigation"  # one signature was the whole chain
        in_flight = act(client, squad, in_flight, "approve")
        assert in_flight["status"] == "filing_approval" and in_flight["approval_step_label"] == "分管局长审批"
        listed = client.get("/api/v1/approval-chains", headers=admin).json()
        assert any(c["id"] == chain_id and c["unit_name"] for c in listed)
        assert any(c["default"] and c["stage"] == "decision_approval" for c in listed)
    finally:
        assert client.delete(f"/api/v1/approval-chains/{chain_id}", headers=admin).status_code == 204
    back = new_case(client, officer, setup)
    back = act(client, officer, back, "start_check")
    back = act(client, officer, back, "submit_filing")
    assert back["approval_steps"] == 2  # the default again


def test_chain_problems_and_permission(client: TestClient, login: Login, setup: dict):
    admin = login("admin")
    base = {"procedure": "ordinary", "stage": "filing_approval", "steps": [{"role": "nobody", "label": "某"}]}
    assert client.put("/api/v1/approval-chains", json=base, headers=admin).json()["code"] == "chain.role"
    wrong_stage = base | {"stage": "investigation", "steps": []}
    assert client.put("/api/v1/approval-chains", json=wrong_stage, headers=admin).json()["code"] == "chain.stage"
    simple = base | {"procedure": "simple", "steps": []}
    assert client.put("/api/v1/approval-chains", json=simple, headers=admin).json()["code"] == "chain.procedure"
    assert client.get("/api/v1/approval-chains", headers=login("bdg_leader")).status_code == 403
