"""What the gates read about a case (``CaseFacts``: its state, the money owed, the officers who may enforce, the
approval chains, and the facts modules above cases contribute through ``hooks``) and who a principal is on it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chengguan.cases import approvals, clocks, hooks
from chengguan.cases.enums import CaseStatus, Procedure, Role
from chengguan.cases.gates import CaseFacts
from chengguan.cases.models import Case
from chengguan.cases.repository import officers_of
from chengguan.cases.schemas import CaseActionIn
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.law.enums import PenaltyKind
from chengguan.org.enums import ActiveStatus, OfficerKind


def today() -> date:
    return clock.local_now().date()


def amount_due(case: Case, on: date) -> tuple[int, int]:
    """(late fee, amount still owed) in fen on ``on`` — 第七十二条: 3 % of the fine a day from the day after the due
    date until the fine is paid in full, paused while review or litigation runs (第七十三条第三款)."""
    if case.fine_fen is None or case.payment_due_on is None:
        return 0, 0
    paused = [(date.fromisoformat(a), date.fromisoformat(b) if b else None) for a, b in case.remedy_periods]  # type: ignore[arg-type]
    until = min(on, case.fine_paid_on) if case.fine_paid_on else on
    fee = clocks.late_fee(case.fine_fen, case.payment_due_on, until, paused).amount_fen
    return fee, max(0, case.fine_fen + fee - case.paid_fen)


def certified_count(session: Session, case_id: uuid.UUID) -> int:
    """Handling officers who may enforce (第四十二条): certified, active, with a certificate number."""
    return sum(
        1
        for o in officers_of(session, case_id)
        if o.kind is OfficerKind.certified and o.status is ActiveStatus.active and o.certificate_no
    )


def chain_lengths(session: Session, unit_id: uuid.UUID, procedure: Procedure) -> dict[str, object]:
    return {
        f"chain:{stage.value}": len(approvals.chain(session, unit_id, procedure, stage))
        for stage in (CaseStatus.filing_approval, CaseStatus.decision_approval, CaseStatus.closure_approval)
    }


def facts_of(session: Session, case: Case, on: date, data: CaseActionIn | None = None) -> CaseFacts:
    """What the gates read: the case's state plus, for an action, its input, and what the modules above cases know
    of it (its open drafts, its machine-recorded evidence still under review)."""
    certified = certified_count(session, case.id)
    steps = chain_lengths(session, case.unit_id, case.procedure)
    facts = facts_from(case, on, certified, steps, data)
    return dataclasses.replace(facts, **hooks.contributed(session, case))


def facts_from(
    case: Case,
    on: date,
    certified: int,
    steps: dict[str, object],
    data: CaseActionIn | None = None,
) -> CaseFacts:
    """``facts_of`` without the queries (the officers' count and the chain lengths given) and without what the
    modules above cases contribute."""
    act_end = case.act_ended_on or case.act_on
    reference = case.filed_on or on
    facts = CaseFacts(
        procedure=case.procedure,
        party_type=case.party_type,
        certified_officers=certified,
        penalty_kinds=frozenset(PenaltyKind(k) for k in case.penalty_kinds),
        fine_fen=case.fine_fen,
        noticed_kinds=None if case.noticed_kinds is None else frozenset(PenaltyKind(k) for k in case.noticed_kinds),
        noticed_fine_fen=case.noticed_fine_fen,
        defense_recorded=case.defense_recorded,
        hearing_right=case.hearing_right,
        notice_served_on=case.notice_served_on,
        statement_days=case.statement_days,
        statement_waived=case.statement_waived,
        hearing_requested=case.hearing_requested,
        hearing_notified_on=case.hearing_notified_on,
        hearing_on=case.hearing_on,
        hearing_held=case.hearing_held,
        hearing_closed=case.hearing_closed,
        legal_review_grounds=frozenset(case.legal_review_grounds),
        legal_review_passed=case.legal_review_passed,
        discussion_required=case.discussion_required,
        discussion_done=case.discussion_done,
        decision_kind=case.decision_kind,
        amount_due_fen=amount_due(case, on)[1],
        remedy_running=bool(case.remedy_periods) and case.remedy_periods[-1][1] is None,
        reminder_served_on=case.reminder_served_on,
        enforcement_applied=case.enforcement_applied_on is not None,
        within_limitation=clocks.within_limitation(act_end, reference, extended=case.limitation_extended),
        limitation_override=bool(case.limitation_override),
        extensions=case.extensions,
        extra=steps,
    )
    if data is None:
        return facts
    changes: dict[str, Any] = {"reason": data.reason, "signed_or_refused": data.signed_or_refused,
                               "payment_fen": data.amount_fen}  # fmt: skip
    if data.penalty is not None:
        changes |= {"penalty_kinds": frozenset(data.penalty.kinds), "fine_fen": data.penalty.fine_fen}
    if data.hearing_on is not None or data.hearing_notified_on is not None:
        changes |= {"hearing_on": data.hearing_on, "hearing_notified_on": data.hearing_notified_on or on}
    if data.hearing_held is not None:
        changes["hearing_held"] = data.hearing_held
    return dataclasses.replace(facts, **changes)


def roles_of(session: Session, principal: StaffPrincipal, case: Case) -> frozenset[Role]:
    """The principal's roles on this case: 承办人 (a handling officer with case:write), the approver of the current
    step, 法制审核 (legal:review), 负责人 (case:approve)."""
    handler = (
        principal.officer_id is not None
        and principal.has("case:write")
        and principal.officer_id in {o.id for o in officers_of(session, case.id)}
    )
    roles = set()
    if handler:
        roles.add(Role.handler)
    if approvals.may_approve(session, principal, case, handler):
        roles.add(Role.approver)
    if principal.has("legal:review"):
        roles.add(Role.legal)
    if principal.has("case:approve"):
        roles.add(Role.leader)
    return frozenset(roles)
