"""What an action the workflow let through does to the case — dates recorded, clocks started, flags set — beside the
transition table of ``workflow``: one small function per action (``EFFECTS``), then what entering the new position
brings (立案 starts the 90-day clock, the approved decision is published, the case closes, the approval chain of a
new stage is fixed).

The functions write the case row and the timeline entry's ``record``; deciding stays in ``workflow``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import approvals, clocks, disclosure
from chengguan.cases.enums import APPROVAL_STAGES, CaseAction, CaseStatus, DecisionKind
from chengguan.cases.models import Case
from chengguan.cases.schemas import CaseActionIn
from chengguan.cases.workflow import Position, decision_kind_for

EXTENSION_DAYS = 30  # 第六十条“从其规定”: the bureau's rule (e.g. a ministry rule's 30 days), configurable per call
CLOSING = frozenset({CaseStatus.closed, CaseStatus.declined, CaseStatus.withdrawn, CaseStatus.transferred})
A, S = CaseAction, CaseStatus


@dataclass(frozen=True)
class Step:
    """One action on a case, as its effects see it."""

    session: Session
    case: Case
    action: CaseAction
    data: CaseActionIn
    before: Position
    after: Position
    on: date  # today
    cal: WorkCalendar
    record: dict[str, Any]  # what the timeline entry records besides the action
    now: datetime

    @property
    def when(self) -> date:
        """The day the action happened: the one the input names (a service recorded later), else today."""
        return self.data.on or self.on


def _set_penalty(s: Step) -> None:
    penalty, case = s.data.penalty, s.case
    if penalty is None:
        return
    case.penalty_kinds = [k.value for k in penalty.kinds]
    case.fine_fen = penalty.fine_fen
    case.penalty_reasoning = penalty.reasoning or case.penalty_reasoning
    case.hearing_right = penalty.hearing_right


def _issue_notice(s: Step) -> None:
    """A (new) notice restarts the statement window and a hearing request."""
    _set_penalty(s)
    case = s.case
    case.noticed_kinds, case.noticed_fine_fen = list(case.penalty_kinds), case.fine_fen
    case.notice_served_on, case.statement_waived = None, False
    case.hearing_requested = case.hearing_held = case.hearing_closed = False
    case.hearing_on = case.hearing_notified_on = None


def _serve_notice(s: Step) -> None:
    s.case.notice_served_on = s.when
    s.record["statement_ends"] = clocks.statement_ends(s.when, s.case.statement_days, s.cal).isoformat()


def _schedule_hearing(s: Step) -> None:
    s.case.hearing_on, s.case.hearing_notified_on = s.data.hearing_on, s.data.hearing_notified_on or s.on


def _record_hearing(s: Step) -> None:
    s.case.hearing_held, s.case.hearing_closed = bool(s.data.hearing_held), True


def _submit_decision(s: Step) -> None:
    _set_penalty(s)
    _decision_kind(s)


def _decision_kind(s: Step) -> None:
    s.case.decision_kind = decision_kind_for(s.action)


def _serve_decision(s: Step) -> None:
    """The decision served: with a fine, the 15-day payment window runs (第六十七条)."""
    case = s.case
    case.decision_served_on = s.when
    if case.fine_fen and case.decision_kind is DecisionKind.penalty:
        case.payment_due_on = clocks.payment_due(s.when, s.cal)
        s.record["payment_due_on"] = case.payment_due_on.isoformat()


def _deliver_on_site(s: Step) -> None:
    """当场处罚: decided and served in one act (第五十一条)."""
    s.case.decided_on = s.when
    _serve_decision(s)


def _record_payment(s: Step) -> None:
    case, when = s.case, s.when
    case.paid_fen += s.data.amount_fen or 0
    s.record.update(paid_on=when.isoformat(), amount_fen=s.data.amount_fen)
    if case.fine_paid_on is None and case.fine_fen is not None and case.paid_fen >= case.fine_fen:
        case.fine_paid_on = when


def _start_remedy(s: Step) -> None:
    s.case.remedy_periods = [*s.case.remedy_periods, [s.when.isoformat(), None]]


def _end_remedy(s: Step) -> None:
    periods = s.case.remedy_periods
    s.case.remedy_periods = [*periods[:-1], [periods[-1][0], s.when.isoformat()]]


def _extend(s: Step) -> None:
    case = s.case
    case.extensions += 1
    case.extension_days += s.data.extension_days or EXTENSION_DAYS
    if case.filed_on is not None:
        case.decision_due_on = clocks.decision_due(case.filed_on, s.cal, extension_days=case.extension_days)


def _setter(field: str, value: object) -> Callable[[Step], None]:
    def effect(s: Step) -> None:
        setattr(s.case, field, value)

    return effect


def _dated(field: str) -> Callable[[Step], None]:
    def effect(s: Step) -> None:
        setattr(s.case, field, s.when)

    return effect


EFFECTS: dict[CaseAction, Callable[[Step], None]] = {
    A.issue_notice: _issue_notice,
    A.serve_notice: _serve_notice,
    A.record_statement: _setter("defense_recorded", True),
    A.waive_statement: _setter("statement_waived", True),
    A.request_hearing: _setter("hearing_requested", True),
    A.schedule_hearing: _schedule_hearing,
    A.record_hearing: _record_hearing,
    A.pass_legal_review: _setter("legal_review_passed", True),
    A.fail_legal_review: _setter("legal_review_passed", False),
    A.record_discussion: _setter("discussion_done", True),
    A.submit_decision: _submit_decision,
    A.submit_no_penalty: _decision_kind,
    A.serve_decision: _serve_decision,
    A.deliver_on_site: _deliver_on_site,
    A.record_payment: _record_payment,
    A.start_remedy: _start_remedy,
    A.end_remedy: _end_remedy,
    A.serve_reminder: _dated("reminder_served_on"),
    A.apply_enforcement: _dated("enforcement_applied_on"),
    A.extend: _extend,
}


def _filed(s: Step) -> None:
    """立案: the 90-day clock starts (第六十条)."""
    s.case.filed_on = s.on
    s.case.decision_due_on = clocks.decision_due(s.on, s.cal, extension_days=s.case.extension_days)
    s.record["decision_due_on"] = s.case.decision_due_on.isoformat()


def _decided(s: Step) -> None:
    """The decision approved: published with personal data masked (第四十八条)."""
    s.case.decided_on = s.on
    disclosure.publish(s.session, s.case, s.now)


MOVES: dict[tuple[CaseStatus, CaseStatus], Callable[[Step], None]] = {
    (S.filing_approval, S.investigation): _filed,
    (S.decision_approval, S.service): _decided,
}


def apply(
    session: Session,
    case: Case,
    action: CaseAction,
    data: CaseActionIn,
    before: Position,
    after: Position,
    on: date,
    cal: WorkCalendar,
    record: dict[str, Any],
    now: datetime,
) -> None:
    """The effects of ``action`` (moving the case from ``before`` to ``after``) on the case and its ``record``."""
    step = Step(session, case, action, data, before, after, on, cal, record, now)
    effect = EFFECTS.get(action)
    if effect is not None:
        effect(step)
    moved = MOVES.get((before.status, after.status))
    if moved is not None:
        moved(step)
    if after.status in CLOSING and case.closed_at is None:
        case.closed_at = now
    if after.status is S.archived:
        case.archived_at = now


def enter(session: Session, case: Case, before: Position, after: Position) -> None:
    """The case takes its new position; the approval chain of a stage is fixed when the case enters it."""
    if after.status in APPROVAL_STAGES and after.status is not before.status:
        case.approval_chain = approvals.chain(session, case.unit_id, case.procedure, after.status)
    elif after.status not in APPROVAL_STAGES:
        case.approval_chain = None
    case.status, case.approval_step = after.status, after.approval_step
    case.approval_steps, case.came_from = after.approval_steps, after.came_from
