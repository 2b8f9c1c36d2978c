"""Reads of penalty cases: the list (filters, countdown, overdue first, total) and the detail with its clocks,
allowed actions, approvals and timeline; the queries are ``cases.repository``'s."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.cases import approvals, clocks, hooks, personal, repository
from chengguan.cases.enums import ACTION_LABELS, FILED_UNDECIDED, STATUS_LABELS, CaseAction, CaseStatus, Role
from chengguan.cases.facts import amount_due, facts_of, roles_of, today
from chengguan.cases.history import party_record
from chengguan.cases.models import Case, CaseEvent
from chengguan.cases.repository import CaseRepository, load, officers_of
from chengguan.cases.schemas import (
    ActionOption,
    ApprovalRead,
    CaseClockRead,
    CaseDetail,
    CaseFilter,
    CaseListItem,
    Colleague,
    DisclosureRead,
    LegalReviewRead,
    NamedRef,
)
from chengguan.cases.timeline import event_read
from chengguan.cases.workflow import LEGAL_REVIEW_LABELS, LegalReview, Position, allowed_actions, legal_review_state
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.org.repository import unit_names


def list_cases(
    session: Session, principal: StaffPrincipal, filters: CaseFilter, page: PageParams
) -> Paginated[CaseListItem]:
    """Filtered; overdue first, then running cases by deadline, then the rest by latest activity; ``total`` counts
    every match."""
    on = today()
    cases = CaseRepository(session)
    statement = cases.filtered(principal, filters, on)
    if filters.awaiting_me:
        return _awaiting(session, principal, cases.in_approval(statement), page, on)
    total = cases.count(statement)
    rows = cases.list_page(statement, page, on, total)
    names = unit_names(session, {c.unit_id for c in rows})
    return Paginated(items=[_item(c, names, on) for c in rows], total=total)


def _awaiting(
    session: Session, principal: StaffPrincipal, candidates: list[Case], page: PageParams, on: date
) -> Paginated[CaseListItem]:
    """审批待办: cases in an approval stage whose current step this principal may sign, oldest first."""
    with approvals.memoized(session):
        mine = [c for c in candidates if Role.approver in roles_of(session, principal, c)]
    shown = mine[page.offset : page.offset + page.page_size]
    names = unit_names(session, {c.unit_id for c in shown})
    return Paginated(items=[_item(c, names, on) for c in shown], total=len(mine))


def _item(c: Case, names: dict[uuid.UUID, str], on: date) -> CaseListItem:
    running = c.status in FILED_UNDECIDED and c.decision_due_on is not None
    return CaseListItem(
        id=c.id,
        code=c.code,
        procedure=c.procedure,
        status=c.status,
        status_label=STATUS_LABELS[c.status],
        matter_name=c.matter_name,
        party_name=c.party_name,
        unit=NamedRef(id=c.unit_id, name=names.get(c.unit_id, "")),
        decision_due_on=c.decision_due_on,
        remaining_days=(c.decision_due_on - on).days if running and c.decision_due_on else None,
        overdue=bool(running and c.decision_due_on and c.decision_due_on < on),
        supervised=c.supervised_at is not None,
        created_at=c.created_at,
        updated_at=c.updated_at,
        version=c.version,
    )


def case_clocks(session: Session, c: Case, on: date) -> list[clocks.Clock]:
    """The statutory clocks running on the case now (countdowns on the detail page)."""
    cal = work_calendar(session)
    out = []
    if c.status in FILED_UNDECIDED and c.decision_due_on is not None:
        out.append(clocks.clock("decision", "办案期限", "《行政处罚法》第六十条", c.decision_due_on, warn_days=10))
    if c.status is CaseStatus.statement and c.notice_served_on is not None and not c.statement_waived:
        # The party's windows: shown while they run (once ended they are not overdue — the decision may follow).
        ends = clocks.statement_ends(c.notice_served_on, c.statement_days, cal)
        if on <= ends:
            out.append(clocks.clock("statement", "陈述申辩期", "《行政处罚法》第四十五条", ends, warn_days=1))
        last = clocks.hearing_request_last_day(c.notice_served_on, cal)
        if c.hearing_right and not c.hearing_requested and on <= last:
            out.append(clocks.clock("hearing_request", "听证申请期", "《行政处罚法》第六十四条", last, warn_days=1))
    if c.status is CaseStatus.service and c.decided_on is not None:
        due = clocks.service_due(c.decided_on, cal)
        out.append(clocks.clock("service", "决定书送达", "《行政处罚法》第六十一条", due, warn_days=2))
    if c.status is CaseStatus.execution and c.payment_due_on is not None and amount_due(c, on)[1] > 0:
        out.append(clocks.clock("payment", "缴款期限", "《行政处罚法》第六十七条", c.payment_due_on, warn_days=3))
    return out


def detail(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> CaseDetail:
    c = load(session, case_id, principal)
    on = today()
    names = unit_names(session, {c.unit_id})
    fee, due = amount_due(c, on)
    step = approvals.current_step(session, c)
    events = repository.events_of(session, c.id)
    approvals_given = repository.approvals_of(session, c.id)
    history = party_record(session, principal, id_nos=[c.party_id_no], merchant_id=c.merchant_id, exclude=c.id,
                           before=c.created_at)  # fmt: skip
    party = personal.masked(c)
    return CaseDetail(
        **_item(c, names, on).model_dump(),
        approval_step=c.approval_step,
        approval_steps=c.approval_steps,
        approval_step_label=step["label"] if step else None,
        source_id=c.source_id,
        matter_code=c.matter_code,
        knowledge_version=c.knowledge_version,
        party_type=c.party_type,
        party_id_no=party.id_no,
        party_phone=party.phone,
        party_address=party.address,
        party_masked=party.masked,
        may_reveal=personal.may_reveal(principal),
        party_representative=c.party_representative,
        repeat_offences=history.penalties,
        party_history=history.cases,
        party_history_hidden=history.hidden,
        merchant=hooks.shops().ref(session, c.merchant_id) if c.merchant_id else None,
        facts=c.facts,
        address=c.address,
        lng=c.lng,
        lat=c.lat,
        act_on=c.act_on,
        act_at=c.act_at,
        act_ended_on=c.act_ended_on,
        officers=[NamedRef(id=o.id, name=o.name) for o in officers_of(session, c.id)],
        penalty_kinds=c.penalty_kinds,
        fine_fen=c.fine_fen,
        penalty_reasoning=c.penalty_reasoning,
        hearing_right=c.hearing_right,
        noticed_kinds=c.noticed_kinds,
        noticed_fine_fen=c.noticed_fine_fen,
        notice_served_on=c.notice_served_on,
        statement_days=c.statement_days,
        statement_waived=c.statement_waived,
        hearing_requested=c.hearing_requested,
        hearing_on=c.hearing_on,
        legal_review_required=bool(c.legal_review_grounds) or c.hearing_held,
        legal_review_passed=c.legal_review_passed,
        legal_review=_legal_review(c, events),
        discussion_required=c.discussion_required,
        discussion_done=c.discussion_done,
        filed_on=c.filed_on,
        decision_kind=c.decision_kind,
        decided_on=c.decided_on,
        decision_served_on=c.decision_served_on,
        payment_due_on=c.payment_due_on,
        paid_fen=c.paid_fen,
        late_fee_fen=fee,
        amount_due_fen=due,
        clocks=[
            CaseClockRead(
                key=k.key,
                label=k.label,
                basis=k.basis,
                due=k.due,
                remaining_days=k.remaining_days(on),
                warning=k.warning(on),
                overdue=k.overdue(on),
            )
            for k in case_clocks(session, c, on)
        ],
        actions=actions(session, principal, c),
        approvals=[ApprovalRead.model_validate(a) for a in approvals_given],
        disclosure=_disclosure(session, c),
        timeline=[event_read(e) for e in events],
    )


def _disclosure(session: Session, c: Case) -> DisclosureRead | None:
    row = repository.disclosure_of(session, c.id)
    return DisclosureRead.model_validate(row) if row else None


def case_actions(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> list[ActionOption]:
    return actions(session, principal, load(session, case_id, principal))


def actions(session: Session, principal: StaffPrincipal, c: Case) -> list[ActionOption]:
    """What this user may do on the case now; closed ones carry the article that keeps them closed."""
    on = today()
    position = Position(c.status, c.approval_step, c.approval_steps, c.came_from)
    options = allowed_actions(position, roles_of(session, principal, c), facts_of(session, c, on), on,
                              work_calendar(session))  # fmt: skip
    return [
        ActionOption(
            action=a,
            label=ACTION_LABELS[a],
            open=r is None,
            blocked_by=r.message if r else None,
            blocked_code=r.code if r else None,
        )
        for a, r in options
    ]


def _legal_review(c: Case, events: list[CaseEvent]) -> LegalReviewRead:
    """The last reviewer's verdict and opinion come from the timeline (the 审核意见 is the event's reason)."""
    verdicts = (CaseAction.pass_legal_review.value, CaseAction.fail_legal_review.value)
    last = next((e for e in reversed(events) if e.action in verdicts), None)
    state = legal_review_state(
        c.status, bool(c.legal_review_grounds) or c.hearing_held, CaseAction(last.action) if last else None
    )
    shown = last if state in (LegalReview.passed, LegalReview.failed) else None
    return LegalReviewRead(
        state=state.value,
        state_label=LEGAL_REVIEW_LABELS[state],
        opinion=shown.reason if shown else None,
        reviewer=shown.actor_name if shown else None,
        at=shown.at if shown else None,
    )


def colleagues(session: Session, principal: StaffPrincipal) -> list[Colleague]:
    """承办人候选: the active officers of the principal's unit, certified first (a case needs two certified officers,
    《行政处罚法》第四十二条) — what a handler may pick without the officer register's read permission."""
    if principal.unit_id is None:
        return []
    return [
        Colleague(
            id=o.id,
            name=o.name,
            kind=o.kind.value,
            certificate_no=o.certificate_no,
            rank=o.rank,
            user_id=login,
        )
        for o, login in repository.unit_officers(session, principal.unit_id)
    ]
