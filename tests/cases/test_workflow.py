"""The case state machine over every (state, action, role) triple: the allowed ones go where the table says, the
others are refused — 409 for an action the state does not have, 403 for a role that may not take it."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, Procedure, Role
from chengguan.cases.gates import CaseFacts
from chengguan.cases.workflow import (
    TRANSITIONS,
    GateClosed,
    InvalidTransition,
    NotAllowed,
    Position,
    allowed_actions,
    decide,
)
from chengguan.law.enums import PenaltyKind

S, A = CaseStatus, CaseAction
CAL = WorkCalendar()
TODAY = date(2025, 6, 16)  # a Monday, far from holidays
LONG_AGO = date(2025, 5, 6)
FINE = frozenset({PenaltyKind.fine})

# Facts under which every statutory gate is open (the action-specific ones are set in open_facts).
OPEN = CaseFacts(
    procedure=Procedure.ordinary,
    certified_officers=2,
    penalty_kinds=FINE,
    fine_fen=500_00,
    noticed_kinds=FINE,
    noticed_fine_fen=500_00,
    hearing_right=True,
    notice_served_on=TODAY,
    statement_waived=True,
    hearing_notified_on=LONG_AGO,
    hearing_on=TODAY,
    decision_kind=DecisionKind.penalty,
    reason="依据事实",
    signed_or_refused=True,
    payment_fen=100_00,
)


def open_facts(action: CaseAction) -> CaseFacts:
    if action is A.apply_enforcement:
        return dataclasses.replace(OPEN, amount_due_fen=500_00, reminder_served_on=LONG_AGO)
    if action is A.end_remedy:
        return dataclasses.replace(OPEN, remedy_running=True)
    return OPEN


def position(status: CaseStatus) -> Position:
    came_from = {
        S.decision_approval: S.statement,
        S.legal_review: S.case_review,
        S.collective_discussion: S.case_review,
        S.suspended: S.investigation,
        S.filing_approval: S.preliminary_check,
        S.closure_approval: S.execution,
    }.get(status)
    return Position(status, approval_step=0, approval_steps=2, came_from=came_from)


EXPECTED = {  # (status, action) → status after, for every allowed pair (approval stages: 2-step chains, step 0)
    (S.registered, A.start_check): S.preliminary_check,
    (S.preliminary_check, A.submit_filing): S.filing_approval,
    (S.preliminary_check, A.decline): S.declined,
    (S.investigation, A.end_investigation): S.case_review,
    (S.case_review, A.send_legal_review): S.legal_review,
    (S.statement, A.send_legal_review): S.legal_review,
    (S.legal_review, A.pass_legal_review): S.case_review,
    (S.legal_review, A.fail_legal_review): S.investigation,
    (S.case_review, A.send_discussion): S.collective_discussion,
    (S.statement, A.send_discussion): S.collective_discussion,
    (S.collective_discussion, A.record_discussion): S.case_review,
    (S.case_review, A.issue_notice): S.prior_notice,
    (S.statement, A.issue_notice): S.prior_notice,
    (S.prior_notice, A.serve_notice): S.statement,
    (S.statement, A.record_statement): S.statement,
    (S.statement, A.waive_statement): S.statement,
    (S.statement, A.request_hearing): S.hearing,
    (S.hearing, A.schedule_hearing): S.hearing,
    (S.hearing, A.record_hearing): S.statement,  # not held (abandoned): back to the window
    (S.statement, A.submit_decision): S.decision_approval,
    (S.case_review, A.submit_no_penalty): S.decision_approval,
    (S.statement, A.submit_no_penalty): S.decision_approval,
    (S.service, A.serve_decision): S.execution,
    (S.on_site, A.deliver_on_site): S.execution,
    (S.execution, A.record_payment): S.execution,
    (S.execution, A.start_remedy): S.execution,
    (S.execution, A.end_remedy): S.execution,
    (S.execution, A.serve_reminder): S.execution,
    (S.execution, A.apply_enforcement): S.execution,
    (S.execution, A.submit_closure): S.closure_approval,
    (S.closed, A.archive): S.archived,
    (S.suspended, A.resume): S.investigation,
    **{(st, A.approve): st for st in (S.filing_approval, S.decision_approval, S.closure_approval)},  # step 0 → 1
    (S.filing_approval, A.reject): S.preliminary_check,
    (S.decision_approval, A.reject): S.statement,
    (S.closure_approval, A.reject): S.execution,
}
_BEFORE_DECISION = (S.registered, S.preliminary_check, S.investigation, S.case_review, S.legal_review,
                    S.collective_discussion, S.prior_notice, S.statement, S.hearing)  # fmt: skip
for _st in _BEFORE_DECISION:
    EXPECTED[(_st, A.withdraw)] = S.withdrawn
    EXPECTED[(_st, A.transfer_out)] = S.transferred
    EXPECTED[(_st, A.suspend)] = S.suspended
    if _st not in (S.registered, S.preliminary_check):
        EXPECTED[(_st, A.extend)] = _st


def test_the_table_is_the_expected_one():
    assert set(TRANSITIONS) == set(EXPECTED)


TRIPLES = [(s, a, r) for s in CaseStatus for a in CaseAction for r in Role]


@pytest.mark.parametrize(("status", "action", "role"), TRIPLES, ids=lambda v: v.value)
def test_every_state_action_role(status: CaseStatus, action: CaseAction, role: Role):
    rule = TRANSITIONS.get((status, action))
    call = lambda: decide(position(status), action, frozenset({role}), open_facts(action), TODAY, CAL)  # noqa: E731
    if rule is None:
        with pytest.raises(InvalidTransition) as exc:
            call()
        assert exc.value.status_code == 409
    elif role not in rule.who:
        with pytest.raises(NotAllowed) as exc:
            call()
        assert exc.value.status_code == 403
    else:
        assert call().status is EXPECTED[(status, action)]


def test_approval_chain_walks_its_steps_then_leaves():
    p = Position(S.preliminary_check)
    facts = dataclasses.replace(OPEN, extra={"chain:filing_approval": 3})
    p = decide(p, A.submit_filing, frozenset({Role.handler}), facts, TODAY, CAL)
    assert (p.status, p.approval_step, p.approval_steps, p.came_from) == (S.filing_approval, 0, 3, S.preliminary_check)
    p = decide(p, A.approve, frozenset({Role.approver}), facts, TODAY, CAL)
    p = decide(p, A.approve, frozenset({Role.approver}), facts, TODAY, CAL)
    assert (p.status, p.approval_step) == (S.filing_approval, 2)
    assert decide(p, A.approve, frozenset({Role.approver}), facts, TODAY, CAL).status is S.investigation


def test_unit_without_a_chain_skips_the_stage():
    facts = dataclasses.replace(OPEN, extra={"chain:decision_approval": 0})
    p = decide(Position(S.statement), A.submit_decision, frozenset({Role.handler}), facts, TODAY, CAL)
    assert p.status is S.service


def test_rejected_decision_returns_where_it_was_submitted_from():
    p = decide(Position(S.case_review), A.submit_no_penalty, frozenset({Role.handler}), OPEN, TODAY, CAL)
    assert p.came_from is S.case_review
    assert decide(p, A.reject, frozenset({Role.approver}), OPEN, TODAY, CAL).status is S.case_review


def test_a_held_hearing_sends_the_case_to_legal_review_and_back():
    held = dataclasses.replace(OPEN, hearing_held=True, hearing_closed=True)
    p = decide(Position(S.hearing), A.record_hearing, frozenset({Role.handler}), held, TODAY, CAL)
    assert (p.status, p.came_from) == (S.legal_review, S.statement)
    assert decide(p, A.pass_legal_review, frozenset({Role.legal}), held, TODAY, CAL).status is S.statement


def test_simple_procedure_closes_without_approval():
    simple = dataclasses.replace(OPEN, procedure=Procedure.simple)
    p = decide(Position(S.execution), A.submit_closure, frozenset({Role.handler}), simple, TODAY, CAL)
    assert p.status is S.closed


def test_missing_reason_is_refused_with_its_code():
    no_reason = dataclasses.replace(OPEN, reason="  ")
    with pytest.raises(GateClosed) as exc:
        decide(Position(S.investigation), A.withdraw, frozenset({Role.leader}), no_reason, TODAY, CAL)
    assert exc.value.code == "case.gate.reason"


def test_allowed_actions_lists_only_this_roles_actions_with_closed_gates_explained():
    facts = dataclasses.replace(OPEN, statement_waived=False, notice_served_on=TODAY)
    handler = dict(allowed_actions(Position(S.statement), frozenset({Role.handler}), facts, TODAY, CAL))
    assert A.withdraw not in handler  # a leader's action
    assert handler[A.record_statement] is None
    assert handler[A.submit_decision] is not None
    assert handler[A.submit_decision].code == "case.gate.statement_window"
    leader = dict(allowed_actions(Position(S.statement), frozenset({Role.leader}), facts, TODAY, CAL))
    assert set(leader) == {A.withdraw, A.transfer_out, A.suspend, A.extend}
    assert all(refusal is None for refusal in leader.values())  # reasons are input: checked when taken
