"""The penalty case's state machine: a transition table, who may act, and the statutory gates — pure, no I/O.

``decide(status, action, roles, facts, today, calendar)`` returns where the case goes (``Step``) or raises:
``InvalidTransition`` (409) when the action does not exist in that state, ``NotAllowed`` (403) when none of the
user's roles on this case may take it, ``GateClosed`` (409) with the article when the law does not let it through
yet. ``allowed_actions`` lists what this user may do now (the action panel). The service applies the step and
appends the timeline event; nothing here reads a clock or a session.

Ordinary procedure (《行政处罚法》第五章第三节): 案件来源 → 初查核实 → 立案审批 (或不予立案) → 调查取证 → 案件审核 →
法制审核 (第五十八条) → 集体讨论 (第五十七条) → 事先告知 (第四十四条) → 陈述申辩 / 听证 (第四十五条、第六十三条、
第六十四条) → 决定审批 → 送达 (第六十一条) → 执行 (第六十七条、第七十二条) → 结案审批 → 结案 → 归档; 撤案、移送、
中止/恢复 before a decision. Simple procedure (第五十一条、第五十二条): 当场处罚 → 当场交付 → 执行 → 结案（备案）.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import gates as g
from chengguan.cases.enums import (
    ACTION_LABELS,
    BEFORE_DECISION,
    FILED_UNDECIDED,
    ROLE_LABELS,
    STATUS_LABELS,
    CaseAction,
    CaseStatus,
    DecisionKind,
    Procedure,
    Role,
)
from chengguan.cases.gates import CaseFacts, Gate, Refusal
from chengguan.core.errors import DomainError, field_error

S = CaseStatus
A = CaseAction


class InvalidTransition(DomainError):
    status_code = 409
    code = "case.invalid_transition"


class NotAllowed(DomainError):
    status_code = 403
    code = "case.forbidden"


class GateClosed(DomainError):
    status_code = 409
    code = "case.gate"


@dataclass(frozen=True)
class Position:
    """Where a case stands: its status, the step of the approval chain it waits at, where it came from."""

    status: CaseStatus
    approval_step: int = 0
    approval_steps: int = 0  # length of the chain that applies to the stage (configured per unit and procedure)
    came_from: CaseStatus | None = None  # where a returned approval, a review or a resumed case goes back to


Target = CaseStatus | Callable[[Position, CaseFacts], Position]


@dataclass(frozen=True)
class Rule:
    target: Target
    who: frozenset[Role]
    gates: tuple[Gate, ...] = ()


def _to(status: CaseStatus, *, remember: bool = False) -> Callable[[Position, CaseFacts], Position]:
    def go(p: Position, f: CaseFacts) -> Position:
        return Position(status, came_from=p.status if remember else None)

    return go


def _back(p: Position, f: CaseFacts) -> Position:
    assert p.came_from is not None, "a case that goes back remembers where it came from"
    return Position(p.came_from)


# Stage → (the status after its last approval, the status a rejection returns to; None: where it came from).
_APPROVAL = {
    S.filing_approval: (S.investigation, S.preliminary_check),
    S.decision_approval: (S.service, None),
    S.closure_approval: (S.closed, S.execution),
}


def _submit(stage: CaseStatus) -> Callable[[Position, CaseFacts], Position]:
    """Enter an approval stage at its first step; a unit without a chain for it skips straight past it."""

    def go(p: Position, f: CaseFacts) -> Position:
        steps = f.extra.get(f"chain:{stage.value}", 1)
        assert isinstance(steps, int)
        if steps == 0:
            return Position(_APPROVAL[stage][0])
        return Position(stage, approval_step=0, approval_steps=steps, came_from=p.status)

    return go


def _approve(p: Position, f: CaseFacts) -> Position:
    if p.approval_step + 1 < p.approval_steps:
        return Position(p.status, p.approval_step + 1, p.approval_steps, p.came_from)
    return Position(_APPROVAL[p.status][0])


def _reject(p: Position, f: CaseFacts) -> Position:
    back = _APPROVAL[p.status][1] or p.came_from
    assert back is not None
    return Position(back)


def _after_hearing(p: Position, f: CaseFacts) -> Position:
    # 第五十八条第一款第（二）项：a hearing that was held makes 法制审核 mandatory before the decision.
    return Position(S.legal_review, came_from=S.statement) if f.hearing_held else Position(S.statement)


def _submit_closure(p: Position, f: CaseFacts) -> Position:
    # 第五十二条: a simple-procedure decision is filed with the bureau (备案) — the closing record; no approval.
    if f.procedure is Procedure.simple:
        return Position(S.closed)
    return _submit(S.closure_approval)(p, f)


def _stay(p: Position, f: CaseFacts) -> Position:
    return p


HANDLER = frozenset({Role.handler})
APPROVER = frozenset({Role.approver})
LEGAL = frozenset({Role.legal})
LEADER = frozenset({Role.leader})
# 第六十七条第三款: a fine paid at the bank or through the electronic payment system is recorded by that channel's
# verified report as well as by the handling officer who sees the bank's receipt
HANDLER_OR_COLLECTOR = frozenset({Role.handler, Role.collector})

_DECISION_GATES = (
    g.two_certified_officers,
    g.notice_served_and_statement_over,
    g.hearing_closed_if_requested,
    g.penalty_as_noticed,
    g.not_raised_after_defense,
    g.legal_review_if_required,
    g.discussion_if_required,
    g.machine_evidence_reviewed,
)

TRANSITIONS: dict[tuple[CaseStatus, CaseAction], Rule] = {
    (S.registered, A.start_check): Rule(S.preliminary_check, HANDLER),
    (S.preliminary_check, A.submit_filing): Rule(
        _submit(S.filing_approval), HANDLER, (g.two_certified_officers, g.within_limitation)
    ),
    (S.preliminary_check, A.decline): Rule(S.declined, LEADER, (g.reason_given,)),
    (S.investigation, A.end_investigation): Rule(S.case_review, HANDLER, (g.two_certified_officers,)),
    (S.case_review, A.send_legal_review): Rule(_to(S.legal_review, remember=True), HANDLER),
    (S.statement, A.send_legal_review): Rule(_to(S.legal_review, remember=True), HANDLER),
    (S.legal_review, A.pass_legal_review): Rule(_back, LEGAL),
    (S.legal_review, A.fail_legal_review): Rule(S.investigation, LEGAL),  # the opinion: _refuse_missing_input
    (S.case_review, A.send_discussion): Rule(_to(S.collective_discussion, remember=True), HANDLER),
    (S.statement, A.send_discussion): Rule(_to(S.collective_discussion, remember=True), HANDLER),
    (S.collective_discussion, A.record_discussion): Rule(_back, LEADER),
    (S.case_review, A.issue_notice): Rule(S.prior_notice, HANDLER, (g.not_raised_after_defense,)),
    (S.statement, A.issue_notice): Rule(S.prior_notice, HANDLER, (g.not_raised_after_defense,)),
    (S.prior_notice, A.serve_notice): Rule(S.statement, HANDLER),
    (S.statement, A.record_statement): Rule(_stay, HANDLER),
    (S.statement, A.waive_statement): Rule(_stay, HANDLER),
    (S.statement, A.request_hearing): Rule(S.hearing, HANDLER, (g.hearing_request_in_time,)),
    (S.hearing, A.schedule_hearing): Rule(_stay, HANDLER, (g.hearing_notice_period,)),
    (S.hearing, A.record_hearing): Rule(_after_hearing, HANDLER, (g.hearing_scheduled,)),
    (S.statement, A.submit_decision): Rule(_submit(S.decision_approval), HANDLER, _DECISION_GATES),
    (S.case_review, A.submit_no_penalty): Rule(_submit(S.decision_approval), HANDLER, (g.reason_given,)),
    (S.statement, A.submit_no_penalty): Rule(_submit(S.decision_approval), HANDLER, (g.reason_given,)),
    (S.service, A.serve_decision): Rule(S.execution, HANDLER),
    (S.on_site, A.deliver_on_site): Rule(
        S.execution,
        HANDLER,
        (g.two_certified_officers, g.simple_procedure_allowed, g.signature_or_refusal, g.machine_evidence_reviewed),
    ),
    (S.execution, A.record_payment): Rule(_stay, HANDLER_OR_COLLECTOR, (g.decision_is_penalty, g.payment_amount)),
    (S.execution, A.start_remedy): Rule(_stay, HANDLER, (g.decision_is_penalty, g.no_remedy_running)),
    (S.execution, A.end_remedy): Rule(_stay, HANDLER, (g.remedy_running,)),
    (S.execution, A.serve_reminder): Rule(_stay, HANDLER, (g.decision_is_penalty,)),
    (S.execution, A.apply_enforcement): Rule(_stay, LEADER, (g.decision_is_penalty, g.reminder_period_over)),
    (S.execution, A.submit_closure): Rule(_submit_closure, HANDLER, (g.settled, g.documents_finished)),
    (S.closed, A.archive): Rule(S.archived, HANDLER, (g.documents_finished,)),
}
for _stage in _APPROVAL:
    # 第四十一条: the decision is not approved on machine evidence that arrived unreviewed after it was submitted.
    _approve_gates = (g.machine_evidence_reviewed,) if _stage is S.decision_approval else ()
    TRANSITIONS[(_stage, A.approve)] = Rule(_approve, APPROVER, _approve_gates)
    TRANSITIONS[(_stage, A.reject)] = Rule(_reject, APPROVER, (g.reason_given,))
for _status in BEFORE_DECISION:
    TRANSITIONS[(_status, A.withdraw)] = Rule(S.withdrawn, LEADER, (g.reason_given,))
    TRANSITIONS[(_status, A.transfer_out)] = Rule(S.transferred, LEADER, (g.reason_given,))
    TRANSITIONS[(_status, A.suspend)] = Rule(_to(S.suspended, remember=True), LEADER, (g.reason_given,))
for _status in FILED_UNDECIDED:
    TRANSITIONS[(_status, A.extend)] = Rule(_stay, LEADER, (g.reason_given, g.can_extend))
TRANSITIONS[(S.suspended, A.resume)] = Rule(_back, LEADER)


def _check(rule: Rule, facts: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    for gate in rule.gates:
        refusal = gate(facts, today, cal)
        if refusal is not None:
            return refusal
    return None


def decide(
    position: Position,
    action: CaseAction,
    roles: frozenset[Role],
    facts: CaseFacts,
    today: date,
    calendar: WorkCalendar,
) -> Position:
    """Where ``action`` by a user holding ``roles`` on this case takes it, or the reason it may not (see module)."""
    rule = TRANSITIONS.get((position.status, action))
    if rule is None:
        raise InvalidTransition(f"案件当前为“{_label(position.status)}”，不能执行“{_action_label(action)}”")
    if not roles & rule.who:
        raise NotAllowed(f"无权执行“{_action_label(action)}”：需要{_who(rule.who)}")
    _refuse_missing_input(action, facts)
    refusal = _check(rule, facts, today, calendar)
    if refusal is not None:
        raise GateClosed(refusal.message, code=refusal.code)
    target = rule.target
    return Position(target) if isinstance(target, CaseStatus) else target(position, facts)


def _refuse_missing_input(action: CaseAction, facts: CaseFacts) -> None:
    """Input the action cannot be taken without (422, unlike a gate the law has not opened yet, 409).

    第五十八条：未经法制审核或者审核未通过的，不得作出决定 — a review that does not pass sends the case back, and
    the reviewer's opinion (审核意见) says what the handler must put right: a failed review states it, a passed one
    may."""
    if action is A.fail_legal_review and not (facts.reason or "").strip():
        raise field_error(
            "reason",
            "法制审核未通过的，须填写审核意见（《行政处罚法》第五十八条：审核未通过的，不得作出决定）",
            code="case.legal_review.opinion_required",
        )


class LegalReview(StrEnum):
    """Where the case's 法制审核 (第五十八条) stands, as the case detail shows it."""

    not_required = "not_required"
    pending = "pending"
    passed = "passed"
    failed = "failed"


LEGAL_REVIEW_LABELS = {
    LegalReview.not_required: "无需法制审核",
    LegalReview.pending: "待审核",
    LegalReview.passed: "已通过",
    LegalReview.failed: "未通过",
}


def legal_review_state(status: CaseStatus, required: bool, verdict: CaseAction | None) -> LegalReview:
    """第五十八条: 待审核 while the case sits in 法制审核 (a second review after a hearing included) or when a review
    is required and no reviewer has decided yet; otherwise the last verdict (``pass``/``fail_legal_review``), or 无需
    when the law does not ask for one and none was held."""
    if status is S.legal_review:
        return LegalReview.pending
    if verdict is A.pass_legal_review:
        return LegalReview.passed
    if verdict is A.fail_legal_review:
        return LegalReview.failed
    return LegalReview.pending if required else LegalReview.not_required


def allowed_actions(
    position: Position, roles: frozenset[Role], facts: CaseFacts, today: date, calendar: WorkCalendar
) -> list[tuple[CaseAction, Refusal | None]]:
    """The actions this user may take now, each with the refusal a statutory gate gives it (None: open now).

    Gates that read the action's own input (a reason, a hearing date, a signature, an amount) are checked when the
    action is taken; the others are evaluated here so the panel can show why an action is still closed."""
    out = []
    for (status, action), rule in TRANSITIONS.items():
        if status is not position.status or not roles & rule.who:
            continue
        refusal = next(
            (r for gate in rule.gates if gate not in g.NEEDS_INPUT and (r := gate(facts, today, calendar))), None
        )
        out.append((action, refusal))
    return sorted(out, key=lambda item: list(CaseAction).index(item[0]))


def initial_position(procedure: Procedure) -> Position:
    """Ordinary cases start as a registered source of a case; simple-procedure cases are decided on the spot."""
    return Position(S.on_site if procedure is Procedure.simple else S.registered)


def creation_refusal(facts: CaseFacts, today: date, calendar: WorkCalendar) -> Refusal | None:
    """Gates of creating the case: a simple-procedure case needs two certified officers and the art. 51 caps."""
    if facts.procedure is Procedure.simple:
        return g.two_certified_officers(facts, today, calendar) or g.simple_procedure_allowed(facts, today, calendar)
    return None


def decision_kind_for(action: CaseAction) -> DecisionKind | None:
    return {A.submit_decision: DecisionKind.penalty, A.submit_no_penalty: DecisionKind.no_penalty}.get(action)


def _label(status: CaseStatus) -> str:
    return STATUS_LABELS[status]


def _action_label(action: CaseAction) -> str:
    return ACTION_LABELS[action]


def _who(roles: frozenset[Role]) -> str:
    return "或".join(ROLE_LABELS[r] for r in sorted(roles))
