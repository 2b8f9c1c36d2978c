"""法制审核 (《行政处罚法》第五十八条) records the reviewer's opinion: required when the review does not pass (422
naming the article), optional when it passes; the case detail shows 待审核 until a reviewer decides, then
已通过 / 未通过 with the opinion, the reviewer and the time, and the timeline keeps every opinion."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from cases.helpers import act, new_case
from cases.test_workflow import OPEN, TODAY
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases.enums import CaseAction, CaseStatus, Role
from chengguan.cases.workflow import LegalReview, Position, decide, legal_review_state
from chengguan.core.errors import Unprocessable

S, A = CaseStatus, CaseAction
L = LegalReview
Login = Callable[..., dict[str, str]]
LEGAL = frozenset({Role.legal})
IN_REVIEW = Position(S.legal_review, came_from=S.case_review)


@pytest.mark.parametrize(
    ("status", "required", "verdict", "state"),
    [
        (S.case_review, True, None, L.pending),  # required, nobody has reviewed yet: 待审核, not 未通过
        (S.case_review, False, None, L.not_required),
        (S.legal_review, False, None, L.pending),  # sent although not required
        (S.legal_review, True, A.fail_legal_review, L.pending),  # sent again after a failed review
        (S.legal_review, True, A.pass_legal_review, L.pending),  # a held hearing asks for a second review
        (S.investigation, True, A.fail_legal_review, L.failed),
        (S.statement, True, A.pass_legal_review, L.passed),
        (S.case_review, False, A.pass_legal_review, L.passed),
        (S.closed, True, A.pass_legal_review, L.passed),
    ],
)
def test_legal_review_state(status, required, verdict, state):
    assert legal_review_state(status, required, verdict) is state


@pytest.mark.parametrize("opinion", [None, "", "   \n"])
def test_a_failed_review_without_an_opinion_is_422_naming_article_58(opinion):
    facts = dataclasses.replace(OPEN, reason=opinion)
    with pytest.raises(Unprocessable) as exc:
        decide(IN_REVIEW, A.fail_legal_review, LEGAL, facts, TODAY, WorkCalendar())
    assert exc.value.status_code == 422
    assert exc.value.code == "case.legal_review.opinion_required"
    assert "第五十八条" in exc.value.detail and exc.value.errors[0].field == "reason"


@pytest.mark.parametrize("opinion", [None, "事实清楚，证据确凿，同意"])
def test_a_passed_review_may_carry_an_opinion(opinion):
    facts = dataclasses.replace(OPEN, reason=opinion)
    p = decide(IN_REVIEW, A.pass_legal_review, LEGAL, facts, TODAY, WorkCalendar())
    assert p.status is S.case_review


def _in_case_review(client: TestClient, login: Login, setup: dict) -> dict:
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    case = new_case(client, officer, setup, legal_review_grounds=["complex"])
    for who, action in ((officer, "start_check"), (officer, "submit_filing"), (squad, "approve"),
                        (district, "approve"), (officer, "end_investigation")):  # fmt: skip
        case = act(client, who, case, action)
    assert case["status"] == "case_review"
    return case


def test_opinion_recorded_on_fail_and_pass_and_shown_in_the_detail(client: TestClient, login: Login, setup: dict):
    officer, legal = login("bdg_officer"), login("shinan_legal")
    case = _in_case_review(client, login, setup)
    assert case["legal_review"] == {
        "state": "pending", "state_label": "待审核", "opinion": None, "reviewer": None, "at": None
    }  # fmt: skip
    case = act(client, officer, case, "send_legal_review")
    assert case["legal_review"]["state"] == "pending"

    for missing in ({}, {"reason": "  "}):
        refused = client.post(
            f"/api/v1/cases/{case['id']}/actions/fail_legal_review",
            json={"version": case["version"], **missing},
            headers=legal,
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        body = refused.json()
        assert body["code"] == "case.legal_review.opinion_required" and "第五十八条" in body["detail"]
        assert [e["field"] for e in body["errors"]] == ["reason"]

    opinion = "当事人身份证明缺失，违法所得计算依据不足，请补充调查"
    case = act(client, legal, case, "fail_legal_review", reason=opinion)
    review = case["legal_review"]
    assert case["status"] == "investigation"
    assert (review["state"], review["state_label"], review["opinion"]) == ("failed", "未通过", opinion)
    assert review["reviewer"] and review["at"]
    assert any(e["action"] == "fail_legal_review" and e["reason"] == opinion for e in case["timeline"])
    assert client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()["legal_review"] == review

    case = act(client, officer, case, "end_investigation")
    case = act(client, officer, case, "send_legal_review")
    assert case["legal_review"]["state"] == "pending" and case["legal_review"]["opinion"] is None  # a new review
    passed = "补充材料已齐，事实清楚，证据确凿，同意"
    case = act(client, legal, case, "pass_legal_review", reason=passed)
    assert case["status"] == "case_review" and case["legal_review_passed"] is True
    assert (case["legal_review"]["state"], case["legal_review"]["state_label"]) == ("passed", "已通过")
    assert case["legal_review"]["opinion"] == passed
    reviews = [(e["action"], e["reason"]) for e in case["timeline"] if e["action"].endswith("_legal_review")]
    assert reviews == [
        ("send_legal_review", None), ("fail_legal_review", opinion), ("send_legal_review", None),
        ("pass_legal_review", passed),
    ]  # fmt: skip


def test_a_review_may_pass_without_an_opinion(client: TestClient, login: Login, setup: dict):
    officer, legal = login("bdg_officer"), login("shinan_legal")
    case = act(client, officer, _in_case_review(client, login, setup), "send_legal_review")
    case = act(client, legal, case, "pass_legal_review")
    assert case["legal_review"]["state"] == "passed" and case["legal_review"]["opinion"] is None
    assert case["legal_review"]["reviewer"]
