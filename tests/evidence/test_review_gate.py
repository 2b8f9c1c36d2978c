"""《行政处罚法》第四十一条: machine-recorded evidence passes 技术审核 then 法制审核 before it may support a penalty
decision; rejected evidence may not be used. The review rules (table), the case gate (table) and the whole path
over HTTP with the demo roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from cases.helpers import act, new_case
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import gates as g
from chengguan.cases.enums import CaseAction, CaseStatus, Procedure, Role
from chengguan.cases.gates import CaseFacts
from chengguan.cases.workflow import GateClosed, Position, decide
from chengguan.core.errors import DomainError
from chengguan.evidence.enums import EvidenceOrigin, ReviewStatus
from chengguan.evidence.review import initial_status, review_step
from chengguan.law.enums import PenaltyKind
from evidence.helpers import jpeg

Login = Callable[..., dict[str, str]]
R = ReviewStatus
ME, UPLOADER, FIRST = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TODAY = date(2026, 6, 15)
CAL = WorkCalendar()


def test_only_machine_evidence_is_reviewed():
    """第四十一条 concerns 电子技术监控设备; officers' and parties' evidence needs no review."""
    assert initial_status(EvidenceOrigin.machine) is R.pending
    assert initial_status(EvidenceOrigin.officer) is R.not_required
    assert initial_status(EvidenceOrigin.party) is R.not_required


# (status, passed, may_check (case:write), may_legal_review, uploader, first reviewer) → (level, status) or error code
REVIEW_TABLE = [
    (R.pending, True, True, False, UPLOADER, None, (1, R.first_passed)),
    (R.pending, False, True, False, UPLOADER, None, (1, R.rejected)),
    (R.pending, True, True, True, None, None, (1, R.first_passed)),  # a system upload: any handler checks it
    (R.pending, True, False, True, UPLOADER, None, "evidence.review.forbidden"),  # legal staff do not do level 1
    (R.pending, True, True, False, ME, None, "evidence.review.own"),  # nobody checks their own upload
    (R.first_passed, True, False, True, UPLOADER, FIRST, (2, R.passed)),
    (R.first_passed, False, False, True, UPLOADER, FIRST, (2, R.rejected)),
    (R.first_passed, True, True, False, UPLOADER, FIRST, "evidence.review.forbidden"),  # 法制审核 needs legal:review
    (R.first_passed, True, True, True, UPLOADER, ME, "evidence.review.same_person"),  # two levels, two people
    (R.passed, True, True, True, UPLOADER, FIRST, "evidence.review.done"),
    (R.rejected, True, True, True, UPLOADER, FIRST, "evidence.review.done"),
    (R.not_required, True, True, True, UPLOADER, None, "evidence.review.not_required"),
]


@pytest.mark.parametrize(("status", "passed", "check", "legal", "uploader", "first", "expected"), REVIEW_TABLE)
def test_review_table(status, passed, check, legal, uploader, first, expected):
    def run():
        return review_step(status, passed, reviewer_id=ME, uploader_id=uploader, first_reviewer_id=first,
                           may_check=check, may_legal_review=legal)  # fmt: skip

    if isinstance(expected, str):
        with pytest.raises(DomainError) as refused:
            run()
        assert refused.value.code == expected
        assert refused.value.status_code == (409 if expected in ("evidence.review.done",
                                                                 "evidence.review.not_required") else 403)  # fmt: skip
    else:
        step = run()
        assert (step.level, step.status) == expected


def _decision_facts(unreviewed: int) -> CaseFacts:
    kinds = frozenset({PenaltyKind.fine})
    return CaseFacts(certified_officers=2, penalty_kinds=kinds, fine_fen=50_000, noticed_kinds=kinds,
                     noticed_fine_fen=50_000, notice_served_on=date(2026, 6, 1), statement_waived=True,
                     unreviewed_machine_evidence=unreviewed, extra={"chain:decision_approval": 2})  # fmt: skip


# (position, action, role) of every step that makes or approves a penalty decision (第四十一条第二款)
DECISION_STEPS = [
    (Position(CaseStatus.statement), CaseAction.submit_decision, Role.handler),
    (Position(CaseStatus.decision_approval, 0, 2, CaseStatus.statement), CaseAction.approve, Role.approver),
    (Position(CaseStatus.decision_approval, 1, 2, CaseStatus.statement), CaseAction.approve, Role.approver),
]


@pytest.mark.parametrize(("position", "action", "role"), DECISION_STEPS)
@pytest.mark.parametrize(("unreviewed", "closed"), [(0, False), (1, True), (3, True)])
def test_no_penalty_decision_on_unreviewed_machine_evidence(position, action, role, unreviewed, closed):
    facts = _decision_facts(unreviewed)
    if not closed:
        decide(position, action, frozenset({role}), facts, TODAY, CAL)
        return
    with pytest.raises(GateClosed) as refused:
        decide(position, action, frozenset({role}), facts, TODAY, CAL)
    assert refused.value.code == "case.gate.evidence_review"
    assert "第四十一条" in refused.value.detail and f"{unreviewed} 项" in refused.value.detail


def test_on_the_spot_decision_is_gated_too():
    facts = CaseFacts(procedure=Procedure.simple, certified_officers=2, penalty_kinds=frozenset({PenaltyKind.fine}),
                      fine_fen=10_000, signed_or_refused=True, unreviewed_machine_evidence=1)  # fmt: skip
    with pytest.raises(GateClosed) as refused:
        decide(Position(CaseStatus.on_site), CaseAction.deliver_on_site, frozenset({Role.handler}), facts, TODAY, CAL)
    assert refused.value.code == "case.gate.evidence_review"


@pytest.mark.parametrize(
    ("position", "action", "role"),
    [
        (Position(CaseStatus.statement), CaseAction.submit_no_penalty, Role.handler),  # no penalty, nothing to prove
        (Position(CaseStatus.investigation), CaseAction.end_investigation, Role.handler),
        (Position(CaseStatus.filing_approval, 0, 1, CaseStatus.preliminary_check), CaseAction.approve, Role.approver),
    ],
)
def test_other_steps_are_not_held_up(position, action, role):
    facts = _decision_facts(2)
    facts = CaseFacts(**{**facts.__dict__, "reason": "违法行为轻微并及时改正"})
    decide(position, action, frozenset({role}), facts, TODAY, CAL)


def test_gate_names_the_article():
    assert g.machine_evidence_reviewed(_decision_facts(0), TODAY, CAL) is None
    refusal = g.machine_evidence_reviewed(_decision_facts(2), TODAY, CAL)
    assert refusal is not None and "《行政处罚法》第四十一条" in refusal.message


# -- over HTTP -----------------------------------------------------------------------------------------------------


def _to_statement(client: TestClient, login: Login, setup: dict) -> dict:
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    case = new_case(client, officer, setup)
    case = act(client, officer, case, "start_check")
    case = act(client, officer, case, "submit_filing")
    case = act(client, squad, case, "approve", reason="同意立案")
    case = act(client, district, case, "approve", reason="同意")
    case = act(client, officer, case, "end_investigation")
    case = act(client, officer, case, "issue_notice")
    case = act(client, officer, case, "serve_notice")
    return act(client, officer, case, "waive_statement", data={"note": "当事人书面放弃"})


def _upload(client: TestClient, headers: dict, case: dict, origin: str = "machine") -> dict:
    response = client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        files={"file": ("抓拍.jpg", jpeg(str(uuid.uuid4())), "image/jpeg")},
        data={"origin": origin, "device": "CAM-370202-001", "title": "视频抓拍：占道经营"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _review(client: TestClient, headers: dict, item: dict, passed: bool, expect: int = 200, **body) -> dict:
    response = client.post(f"/api/v1/evidence/{item['id']}/reviews", json={"passed": passed, **body}, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def _decision(case: dict) -> dict:
    return next(a for a in case["actions"] if a["action"] == "submit_decision")


def test_two_levels_by_two_people_open_the_decision(client: TestClient, login: Login, setup: dict):
    officer, squad, legal = login("bdg_officer"), login("bdg_leader"), login("shinan_legal")
    case = _to_statement(client, login, setup)
    assert _decision(case)["open"]
    item = _upload(client, officer, case)
    assert (item["review_status"], item["review_level"], item["usable"]) == ("pending", 1, False)
    case = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()
    assert _decision(case)["blocked_code"] == "case.gate.evidence_review"
    refused = act(client, officer, case, "submit_decision", expect=409)
    assert refused["code"] == "case.gate.evidence_review" and "第四十一条" in refused["detail"]

    assert not item["may_review"]  # the uploader
    assert _review(client, officer, item, True, expect=403)["code"] == "evidence.review.own"
    assert _review(client, legal, item, True, expect=403)["code"] == "evidence.review.forbidden"  # level 1 first
    assert _review(client, squad, item, False, expect=422)["errors"][0]["field"] == "opinion"
    item = _review(client, squad, item, True, opinion="画面清晰，记录完整")
    assert (item["review_status"], item["review_label"], item["review_level"]) == ("first_passed", "待法制审核", 2)
    act(client, officer, case, "submit_decision", expect=409)  # one level is not enough
    assert _review(client, squad, item, True, expect=403)["code"] == "evidence.review.forbidden"
    item = _review(client, legal, item, True, opinion="可作为证据")
    assert (item["review_status"], item["usable"]) == ("passed", True)
    assert [(r["level"], r["level_label"], r["passed"]) for r in item["reviews"]] == [
        (1, "技术审核", True), (2, "法制审核", True)
    ]  # fmt: skip
    assert _review(client, legal, item, True, expect=409)["code"] == "evidence.review.done"
    case = act(client, officer, case, "submit_decision")
    assert case["status"] == "decision_approval"
    timeline = [e["action_label"] for e in case["timeline"]]
    assert "登记证据" in timeline and timeline.count("证据审核") == 2


def test_rejected_evidence_does_not_count(client: TestClient, login: Login, setup: dict):
    """第四十一条第二款: what failed review may not be used — and no longer holds the case up."""
    officer, squad = login("bdg_officer"), login("bdg_leader")
    case = _to_statement(client, login, setup)
    item = _upload(client, officer, case)
    item = _review(client, squad, item, False, opinion="画面被遮挡，无法辨认")
    assert (item["review_status"], item["usable"], item["review_level"]) == ("rejected", False, None)
    case = act(client, officer, case, "submit_decision")
    assert case["status"] == "decision_approval"


def test_evidence_arriving_during_approval_holds_the_approval(client: TestClient, login: Login, setup: dict):
    officer, squad = login("bdg_officer"), login("bdg_leader")
    case = _to_statement(client, login, setup)
    case = act(client, officer, case, "submit_decision")
    _upload(client, officer, case)
    refused = act(client, squad, case, "approve", expect=409, reason="同意")
    assert refused["code"] == "case.gate.evidence_review"


def test_officer_evidence_needs_no_review(client: TestClient, login: Login, setup: dict):
    officer, squad = login("bdg_officer"), login("bdg_leader")
    case = new_case(client, officer, setup)
    item = _upload(client, officer, case, origin="officer")
    assert (item["review_status"], item["usable"], item["may_review"]) == ("not_required", True, False)
    assert _review(client, squad, item, True, expect=409)["code"] == "evidence.review.not_required"
