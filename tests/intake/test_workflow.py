"""The case-source state machine over every (status, action, capability) triple."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

import pytest

from chengguan.core.errors import Forbidden, InvalidTransition, Unprocessable
from chengguan.intake.enums import Outcome, SourceAction, SourceStatus
from chengguan.intake.workflow import (
    ASSIGNEE,
    DISPATCH,
    MANAGE,
    TRANSITIONS,
    ActionInput,
    Capabilities,
    allowed_actions,
    decide,
)

S, A = SourceStatus, SourceAction
TODAY = date(2026, 11, 23)
FULL = ActionInput(
    reason="原因", squad_id=uuid.uuid4(), officer_id=uuid.uuid4(), outcome=Outcome.warning, rectification_due=None
)
ROLES = {
    "manager": Capabilities(manage=True),
    "dispatcher": Capabilities(dispatch=True),
    "assignee": Capabilities(assignee=True),
    "nobody": Capabilities(),
}
EXPECTED = {
    (S.pending, A.accept): S.accepted,
    (S.pending, A.route): S.routed,
    (S.accepted, A.route): S.routed,
    (S.pending, A.dispatch): S.dispatched,
    (S.accepted, A.dispatch): S.dispatched,
    (S.routed, A.dispatch): S.dispatched,
    (S.dispatched, A.arrive): S.handling,
    (S.handling, A.record_outcome): S.verifying,
    (S.dispatched, A.reassign): S.dispatched,
    (S.handling, A.reassign): S.dispatched,
    (S.routed, A.send_back): S.accepted,
    (S.dispatched, A.send_back): S.accepted,
    (S.verifying, A.verify): S.closed,
    (S.verifying, A.reject_verification): S.handling,
    (S.pending, A.void): S.voided,
    (S.accepted, A.void): S.voided,
    (S.routed, A.void): S.voided,
    (S.closed, A.reopen): S.accepted,
    (S.voided, A.reopen): S.accepted,
}


def test_table_is_exactly_the_documented_lifecycle() -> None:
    assert TRANSITIONS == EXPECTED


def _may(action: SourceAction, role: str) -> bool:
    caps = ROLES[role]
    if action in MANAGE:
        return caps.manage
    if action in DISPATCH:
        return caps.dispatch
    assert action in ASSIGNEE
    return caps.assignee or caps.dispatch


@pytest.mark.parametrize(("status", "action", "role"), list(itertools.product(S, A, ROLES)))
def test_every_status_action_role(status: SourceStatus, action: SourceAction, role: str) -> None:
    target = EXPECTED.get((status, action))
    if target is None:
        with pytest.raises(InvalidTransition):
            decide(status, action, ROLES[role], FULL, TODAY)
    elif not _may(action, role):
        with pytest.raises(Forbidden):
            decide(status, action, ROLES[role], FULL, TODAY)
    else:
        assert decide(status, action, ROLES[role], FULL, TODAY) is target
    assert (action in allowed_actions(status, ROLES[role])) == (target is not None and _may(action, role))


@pytest.mark.parametrize("action", [A.send_back, A.reassign, A.void, A.reopen, A.reject_verification])
def test_reason_required(action: SourceAction) -> None:
    status = next(s for (s, a) in EXPECTED if a is action)
    caps = Capabilities(manage=True, dispatch=True)
    with pytest.raises(Unprocessable) as err:
        decide(status, action, caps, ActionInput(reason="  ", officer_id=uuid.uuid4()), TODAY)
    assert err.value.code == "source.reason_required"


def test_dispatch_needs_officer_and_outcome_rules() -> None:
    caps = Capabilities(manage=True, dispatch=True, assignee=True)
    with pytest.raises(Unprocessable):
        decide(S.routed, A.dispatch, caps, ActionInput(), TODAY)
    with pytest.raises(Unprocessable):
        decide(S.handling, A.record_outcome, caps, ActionInput(), TODAY)
    rectify = ActionInput(outcome=Outcome.rectification)
    with pytest.raises(Unprocessable) as err:
        decide(S.handling, A.record_outcome, caps, rectify, TODAY)
    assert err.value.code == "source.due_required"
    with pytest.raises(Unprocessable) as err:
        decide(
            S.handling,
            A.record_outcome,
            caps,
            ActionInput(outcome=Outcome.rectification, rectification_due=TODAY),
            TODAY,
        )
    assert err.value.code == "source.due_in_past"
    ok = ActionInput(outcome=Outcome.rectification, rectification_due=date(2026, 11, 30))
    assert decide(S.handling, A.record_outcome, caps, ok, TODAY) is S.verifying
