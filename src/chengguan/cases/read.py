"""Reads of penalty cases: the principal's readable cases, the list (filters, countdown, overdue first, total) and
the detail with its clocks, allowed actions, approvals and timeline."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.cases import approvals, clocks
from chengguan.cases.enums import (
    ACTION_LABELS,
    APPROVAL_STAGES,
    FILED_UNDECIDED,
    STATUS_LABELS,
    CaseAction,
    CaseStatus,
    Role,
)
from chengguan.cases.history import party_record
from chengguan.cases.models import Case, CaseApproval, CaseEvent, CaseOfficer, Disclosure
from chengguan.cases.schemas import (
    ActionOption,
    ApprovalRead,
    CaseClockRead,
    CaseDetail,
    CaseFilter,
    CaseListItem,
    Colleague,
    DisclosureRead,
    EventRead,
    LegalReviewRead,
    MerchantRef,
    NamedRef,
)
from chengguan.cases.service import amount_due, facts_of, load, officers_of, roles_of, today
from chengguan.cases.workflow import LEGAL_REVIEW_LABELS, LegalReview, Position, allowed_actions, legal_review_state
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.models import User
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.kit.sql import in_select
from chengguan.law.models import EnforcementMatter
from chengguan.merchants.models import Merchant
from chengguan.org.enums import ActiveStatus, OfficerKind
from chengguan.org.models import Officer
from chengguan.org.repository import unit_names
from chengguan.org.scope import scope_clause

EVENT_LABELS = {
    "create": "立案登记",
    "supervise": "超期转督查",
    "withdraw_disclosure": "撤回公开信息",
    "add_evidence": "登记证据",
    "review_evidence": "证据审核",
    "amend": "补正案件信息",
}


OUTSIDE_IDS = 1000


def readable(session: Session, principal: StaffPrincipal) -> Select[tuple[Case]]:
    """Cases of the principal's data scope, plus the cases the principal handles as an officer."""
    scope = scope_clause(principal, Case.unit_id)
    if principal.officer_id is None:
        return select(Case).where(scope)
    # Only the handled cases the scope does not already cover (usually none), looked up first: then the scope is
    # read by its index alone instead of being merged with every case the officer ever handled.
    outside = (
        select(CaseOfficer.case_id)
        .join(Case, Case.id == CaseOfficer.case_id)
        .where(CaseOfficer.officer_id == principal.officer_id, ~scope)
    )
    found = session.scalars(outside.limit(OUTSIDE_IDS + 1)).all()
    if not found:
        return select(Case).where(scope)
    mine = select(CaseOfficer.case_id).where(CaseOfficer.officer_id == principal.officer_id)
    if len(found) <= OUTSIDE_IDS:
        extra = Case.id.in_(found)
    elif session.get_bind().dialect.name == "postgresql":
        extra = in_select(Case.id, mine)
    else:
        extra = Case.id.in_(mine)
    return select(Case).where(or_(scope, extra))


def list_cases(
    session: Session, principal: StaffPrincipal, filters: CaseFilter, page: PageParams
) -> Paginated[CaseListItem]:
    """Filtered; overdue first, then running cases by deadline, then the rest by latest activity; ``total`` counts
    every match."""
    on = today()
    statement = readable(session, principal)
    if filters.status:
        statement = statement.where(Case.status.in_(filters.status))
    if filters.procedure is not None:
        statement = statement.where(Case.procedure == filters.procedure)
    if filters.unit_id is not None:
        statement = statement.where(Case.unit_id == filters.unit_id)
    if filters.q and filters.q.strip():
        statement = statement.where(_matching(session, filters.q.strip()))
    running = Case.status.in_(sorted(FILED_UNDECIDED))
    overdue = running & (Case.decision_due_on < on)
    if filters.overdue is not None:
        statement = statement.where(overdue if filters.overdue else ~overdue)
    if filters.mine and principal.officer_id is not None:
        statement = statement.where(
            Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.officer_id == principal.officer_id))
        )
    if filters.awaiting_me:
        return _awaiting(session, principal, statement, page, on)
    total = _count(session, statement)
    rows = _page(session, statement, page, on, total)
    names = unit_names(session, {c.unit_id for c in rows})
    return Paginated(items=[_item(c, names, on) for c in rows], total=total)


KEYWORD_IDS = 500


def _matching(session: Session, q: str) -> ColumnElement[bool]:
    """The 案号, the party's full name or identity number, or a matter whose name contains ``q`` —
    each an index lookup, so a keyword costs the same with a million cases (a substring scan of every party name
    would not)."""
    upper = q.upper()
    matters = session.scalars(
        select(EnforcementMatter.code).where(or_(EnforcementMatter.name.contains(q), EnforcementMatter.code == q))
    ).all()
    condition = or_(
        Case.code == upper,
        Case.party_name == q,
        Case.party_id_no == upper,
        Case.matter_code.in_(matters) if matters else false(),
    )
    # A name or a number matches a handful of cases: resolved first, they drive the query through the primary key
    # (otherwise a planner may walk an officer's thousands of own cases and test each against the keyword).
    found = session.scalars(select(Case.id).where(condition).limit(KEYWORD_IDS + 1)).all()
    return Case.id.in_(found) if len(found) <= KEYWORD_IDS else condition


def _count(session: Session, statement: Select[tuple[Case]]) -> int:
    ids = statement.with_only_columns(Case.id).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(ids)) or 0


def _page(session: Session, statement: Select[tuple[Case]], page: PageParams, on: date, total: int) -> list[Case]:
    """The page in list order: overdue (most overdue first), then running (nearest deadline first), then the rest
    (latest activity first). Each bucket is read on its own, in an order an index gives, so a page costs a few
    index range scans instead of sorting every matching case."""
    running = Case.status.in_(sorted(FILED_UNDECIDED)) & Case.decision_due_on.is_not(None)
    buckets = [
        (running & (Case.decision_due_on < on), (Case.decision_due_on, Case.id)),
        (running & (Case.decision_due_on >= on), (Case.decision_due_on, Case.id)),
    ]
    buckets.append((~running, (Case.updated_at.desc(), Case.id.desc())))
    skip, need, rows = page.offset, min(page.page_size, max(0, total - page.offset)), []
    for n, (condition, order) in enumerate(buckets):
        if need <= 0:
            break
        if skip:  # only a later page needs to know how many the buckets before it hold
            size = _count(session, statement.where(condition)) if n < 2 else total
            if skip >= size:
                skip -= size
                continue
        # Ids first (an index answers filter and order), then only the page's rows.
        ids = session.scalars(
            statement.with_only_columns(Case.id).where(condition).order_by(*order).offset(skip).limit(need)
        ).all()
        loaded = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))} if ids else {}
        got = [loaded[i] for i in ids]
        rows.extend(got)
        need -= len(got)
        skip = 0
    return rows


AWAITING_SCAN = 2000  # approval stages hold few cases at a time; the approver check needs the chain per unit


def _awaiting(
    session: Session, principal: StaffPrincipal, statement: Select[tuple[Case]], page: PageParams, on: date
) -> Paginated[CaseListItem]:
    """审批待办: cases in an approval stage whose current step this principal may sign, oldest first."""
    candidates = session.scalars(
        statement.where(Case.status.in_(sorted(APPROVAL_STAGES)))
        .order_by(Case.updated_at, Case.id)
        .limit(AWAITING_SCAN)
    ).all()
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
    events = list(
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.at, CaseEvent.id))
    )
    approvals_given = session.scalars(
        select(CaseApproval).where(CaseApproval.case_id == c.id).order_by(CaseApproval.at, CaseApproval.id)
    )
    history = party_record(session, principal, id_nos=[c.party_id_no], merchant_id=c.merchant_id, exclude=c.id,
                           before=c.created_at)  # fmt: skip
    merchant = session.get(Merchant, c.merchant_id) if c.merchant_id else None
    return CaseDetail(
        **_item(c, names, on).model_dump(),
        approval_step=c.approval_step,
        approval_steps=c.approval_steps,
        approval_step_label=step["label"] if step else None,
        source_id=c.source_id,
        matter_code=c.matter_code,
        knowledge_version=c.knowledge_version,
        party_type=c.party_type,
        party_id_no=c.party_id_no,
        party_phone=c.party_phone,
        party_address=c.party_address,
        party_representative=c.party_representative,
        repeat_offences=history.penalties,
        party_history=history.cases,
        party_history_hidden=history.hidden,
        merchant=MerchantRef.model_validate(merchant) if merchant else None,
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
        timeline=[_event(e) for e in events],
    )


def _disclosure(session: Session, c: Case) -> DisclosureRead | None:
    row = session.scalar(select(Disclosure).where(Disclosure.case_id == c.id))
    return DisclosureRead.model_validate(row) if row else None


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


def _event(e: CaseEvent) -> EventRead:
    try:
        label = ACTION_LABELS[CaseAction(e.action)]
    except ValueError:
        label = EVENT_LABELS.get(e.action, e.action)
    return EventRead(id=e.id, at=e.at, action=e.action, action_label=label, from_status=e.from_status,
                     to_status=e.to_status, actor_name=e.actor_name, ip=e.ip, reason=e.reason, data=e.data)  # fmt: skip


def colleagues(session: Session, principal: StaffPrincipal) -> list[Colleague]:
    """承办人候选: the active officers of the principal's unit, certified first (a case needs two certified officers,
    《行政处罚法》第四十二条) — what a handler may pick without the officer register's read permission."""
    if principal.unit_id is None:
        return []
    officers = session.scalars(
        select(Officer)
        .where(Officer.unit_id == principal.unit_id, Officer.status == ActiveStatus.active)
        .order_by(when((Officer.kind == OfficerKind.certified, 0), else_=1), Officer.name)
    ).all()
    logins = dict(
        session.execute(select(User.officer_id, User.id).where(User.officer_id.in_([o.id for o in officers])))
        .tuples()
        .all()
    )
    return [
        Colleague(
            id=o.id,
            name=o.name,
            kind=o.kind.value,
            certificate_no=o.certificate_no,
            rank=o.rank,
            user_id=logins.get(o.id),
        )
        for o in officers
    ]
