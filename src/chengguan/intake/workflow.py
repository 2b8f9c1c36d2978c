"""The case-source lifecycle as a pure transition table with guards (no session, no request).

待受理 → 已受理 → 已分办 → 已派遣 → 处置中 → 待核查 → 已结案, plus 退回 / 改派 / 作废 (with a reason) and 重新打开.
A command center may dispatch straight from 待受理 (the camera sees a stall, the nearest officer goes): acceptance
and routing are then implied and recorded on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chengguan.core.errors import Forbidden, InvalidTransition, field_error
from chengguan.intake.enums import ACTION_LABELS, STATUS_LABELS, Outcome, SourceAction, SourceStatus

S, A = SourceStatus, SourceAction

TRANSITIONS: dict[tuple[SourceStatus, SourceAction], SourceStatus] = {
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

# Which capability each action needs: manage (受理分办核查), dispatch (派遣改派) or assignee (the dispatched officer;
# a dispatcher may act for an officer whose phone is dead).
MANAGE = frozenset({A.accept, A.route, A.send_back, A.verify, A.reject_verification, A.void, A.reopen})
DISPATCH = frozenset({A.dispatch, A.reassign})
ASSIGNEE = frozenset({A.arrive, A.record_outcome})
NEEDS_REASON = frozenset({A.send_back, A.reassign, A.void, A.reopen, A.reject_verification})


@dataclass(frozen=True)
class Capabilities:
    """What the acting user may do in general, and whether they are the officer dispatched to this source."""

    manage: bool = False
    dispatch: bool = False
    assignee: bool = False


@dataclass(frozen=True)
class ActionInput:
    """The parameters an action brings (validated against the action by :func:`decide`)."""

    reason: str | None = None
    squad_id: object | None = None
    officer_id: object | None = None
    outcome: Outcome | None = None
    rectification_due: date | None = None
    note: str | None = None
    media: tuple[str, ...] = field(default_factory=tuple)


def permitted(action: SourceAction, caps: Capabilities) -> bool:
    """Whether ``caps`` suffice for ``action`` regardless of state."""
    if action in MANAGE:
        return caps.manage
    if action in DISPATCH:
        return caps.dispatch
    return caps.assignee or caps.dispatch


def allowed_actions(status: SourceStatus, caps: Capabilities) -> list[SourceAction]:
    """The actions this user may take now, in table order (the UI shows exactly these)."""
    return [a for (s, a) in TRANSITIONS if s == status and permitted(a, caps)]


def decide(
    status: SourceStatus, action: SourceAction, caps: Capabilities, params: ActionInput, today: date
) -> SourceStatus:
    """The next status, or an error: 409 for a transition the table lacks, 403 without the capability, 422 for
    missing parameters (a reason for 退回/改派/作废/重新打开/核查不通过; the officer for 派遣/改派; the outcome, and a
    future due date for 责令限期整改)."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise InvalidTransition(
            f"案源当前状态为「{STATUS_LABELS[status]}」，不能执行「{ACTION_LABELS[action]}」",
            code="source.invalid_transition",
        )
    if not permitted(action, caps):
        message = "只有被派遣的执法队员或调度员可以执行此操作" if action in ASSIGNEE else "没有执行此操作的权限"
        raise Forbidden(message, code="source.forbidden")
    if action in NEEDS_REASON and not (params.reason and params.reason.strip()):
        raise field_error("reason", f"「{ACTION_LABELS[action]}」须填写原因", code="source.reason_required")
    if action in DISPATCH and params.officer_id is None:
        raise field_error("officer_id", "请选择执法队员", code="source.officer_required")
    if action is A.record_outcome:
        if params.outcome is None:
            raise field_error("outcome", "请选择处置结果", code="source.outcome_required")
        if params.outcome is Outcome.rectification:
            if params.rectification_due is None:
                raise field_error("rectification_due", "责令限期整改须填写整改期限", code="source.due_required")
            if params.rectification_due <= today:
                raise field_error("rectification_due", "整改期限须晚于今天", code="source.due_in_past")
    return target
