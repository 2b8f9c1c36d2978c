"""Case test helpers: open a case and take an action over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from chengguan.core import clock
from support import synthetic_ric


def ric(seed: int) -> str:
    return synthetic_ric(seed)


def act_time(days_ago: int = 0, hour: int = 9) -> str:
    """An ISO time of the act: ``days_ago`` local days back at ``hour`` (never after now)."""
    local = clock.local_now()
    at = min(local.replace(hour=hour, minute=30, second=0, microsecond=0) - timedelta(days=days_ago), local)
    return at.isoformat()


def case_body(setup: dict, **overrides) -> dict:
    """A complete filing (facts, time, place, a checked identity) for the test squad, with ``overrides``."""
    return {
        "procedure": "ordinary",
        "matter_code": setup["matter"],
        "party": {
            "type": "individual",
            "name": "测试当事人",
            "id_no": ric(uuid.uuid4().int),
            "address": "青岛市市南区山海关路5号",
        },
        "facts": "当事人未经批准擅自占用山海关路5号门前人行道堆放建筑材料，占用面积约6平方米",
        "address": "青岛市市南区山海关路5号门前人行道",
        "act_at": act_time(days_ago=3),
        "officer_ids": setup["officers"],
        "penalty": {"kinds": ["fine"], "fine_fen": 50_000, "reasoning": "一般情节"},
    } | overrides


def new_case(client: TestClient, headers: dict, setup: dict, **overrides) -> dict:
    response = client.post("/api/v1/cases", json=case_body(setup, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def act(client: TestClient, headers: dict, case: dict, action: str, expect: int = 200, **data) -> dict:
    response = client.post(
        f"/api/v1/cases/{case['id']}/actions/{action}", json={"version": case["version"], **data}, headers=headers
    )
    assert response.status_code == expect, response.text
    return response.json()


def decided(client: TestClient, login: Callable[..., dict[str, str]], setup: dict, **overrides) -> dict:
    """A new ordinary case taken through filing, notice and the decision's approvals: waiting for service."""
    officer, squad = login("bdg_officer"), login("bdg_leader")
    district, legal = login("shinan_leader"), login("shinan_legal")
    case = new_case(client, officer, setup, **overrides)
    for who, action in ((officer, "start_check"), (officer, "submit_filing"), (squad, "approve"),
                        (district, "approve"), (officer, "end_investigation"), (officer, "issue_notice"),
                        (officer, "serve_notice"), (officer, "waive_statement"), (officer, "submit_decision"),
                        (squad, "approve"), (legal, "approve"), (district, "approve")):  # fmt: skip
        case = act(client, who, case, action)
    assert case["status"] == "service"
    return case
