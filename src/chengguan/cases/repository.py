"""Queries of penalty cases: the principal's readable cases (every scoped read goes through ``readable``), loading
one, the list in its order, and the rows a case's detail and its use cases read."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session, load_only

from chengguan.cases.enums import APPROVAL_STAGES, FILED_UNDECIDED
from chengguan.cases.models import Case, CaseApproval, CaseEvent, CaseOfficer, Disclosure
from chengguan.cases.schemas import CaseFilter
from chengguan.core.auditnotes import refusal
from chengguan.core.errors import NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.models import User
from chengguan.kit import window
from chengguan.kit.repository import Repository
from chengguan.kit.schemas import PageParams
from chengguan.kit.sql import in_select
from chengguan.law.models import EnforcementMatter
from chengguan.org.enums import ActiveStatus, OfficerKind
from chengguan.org.models import Officer
from chengguan.org.scope import scope_clause

OUTSIDE_IDS = 1000
KEYWORD_IDS = 500
# What a list row shows (cases.read._item): the case's facts, particulars and texts stay unread (JSON decoding was a
# third of the list's time).
LIST_COLUMNS = (Case.code, Case.procedure, Case.status, Case.matter_name, Case.party_name, Case.unit_id,
                Case.decision_due_on, Case.supervised_at, Case.created_at, Case.updated_at, Case.version)  # fmt: skip
LIST_LOAD = load_only(*LIST_COLUMNS)  # built once: the option costs as much to build as it saves in loading
AWAITING_SCAN = 2000  # approval stages hold few cases at a time; the approver check needs the chain per unit


class CaseRepository(Repository[Case]):
    model = Case

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Case]]:
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
        found = self.session.scalars(outside.limit(OUTSIDE_IDS + 1)).all()
        if not found:
            return select(Case).where(scope)
        mine = select(CaseOfficer.case_id).where(CaseOfficer.officer_id == principal.officer_id)
        if len(found) <= OUTSIDE_IDS:
            extra = Case.id.in_(found)
        elif self.session.get_bind().dialect.name == "postgresql":
            extra = in_select(Case.id, mine)
        else:
            extra = Case.id.in_(mine)
        return select(Case).where(or_(scope, extra))

    # -- the list ------------------------------------------------------------------------------------------------

    def filtered(self, principal: StaffPrincipal, filters: CaseFilter, on: date) -> Select[tuple[Case]]:
        """The readable cases that match the list's filters (审批待办 aside: it needs the approver check)."""
        statement = self.readable(principal)
        if filters.status:
            statement = statement.where(Case.status.in_(filters.status))
        if filters.procedure is not None:
            statement = statement.where(Case.procedure == filters.procedure)
        if filters.unit_id is not None:
            statement = statement.where(Case.unit_id == filters.unit_id)
        if filters.district_id is not None:
            statement = statement.where(Case.district_id == filters.district_id)
        if filters.created_from or filters.created_to:
            statement = statement.where(window.within(Case.created_at, filters.created_from, filters.created_to))
        if filters.q and filters.q.strip():
            statement = statement.where(self._matching(filters.q.strip()))
        running = Case.status.in_(sorted(FILED_UNDECIDED))
        overdue = running & (Case.decision_due_on < on)
        if filters.overdue is not None:
            statement = statement.where(overdue if filters.overdue else ~overdue)
        # 本周到期 (the home page): the decision deadline of cases still running, a plain date range.
        if filters.due_from is not None or filters.due_to is not None:
            statement = statement.where(running)
            if filters.due_from is not None:
                statement = statement.where(Case.decision_due_on >= filters.due_from)
            if filters.due_to is not None:
                statement = statement.where(Case.decision_due_on <= filters.due_to)
        if filters.decided_from is not None:
            statement = statement.where(Case.decided_on >= filters.decided_from)
        if filters.decided_to is not None:
            statement = statement.where(Case.decided_on <= filters.decided_to)
        if filters.paid_from is not None:
            statement = statement.where(Case.fine_paid_on >= filters.paid_from)
        if filters.paid_to is not None:
            statement = statement.where(Case.fine_paid_on <= filters.paid_to)
        if filters.mine and principal.officer_id is not None:
            statement = statement.where(
                Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.officer_id == principal.officer_id))
            )
        return statement

    def _matching(self, q: str) -> ColumnElement[bool]:
        """The 案号, the party's full name, identity number or phone number (through their keyed hashes: the numbers
        are encrypted), or a matter whose name contains ``q`` — each an index lookup, so a keyword costs the same
        with a million cases (a substring scan of every party name would not)."""
        upper = q.upper()
        matters = self.session.scalars(
            select(EnforcementMatter.code).where(or_(EnforcementMatter.name.contains(q), EnforcementMatter.code == q))
        ).all()
        condition = or_(
            Case.code == upper,
            Case.party_name == q,
            Case.party_id_no_hash == q,
            Case.party_phone_hash == q,
            Case.matter_code.in_(matters) if matters else false(),
        )
        # A name or a number matches a handful of cases: resolved first, they drive the query through the primary
        # key (otherwise a planner may walk an officer's thousands of own cases and test each against the keyword).
        found = self.session.scalars(select(Case.id).where(condition).limit(KEYWORD_IDS + 1)).all()
        return Case.id.in_(found) if len(found) <= KEYWORD_IDS else condition

    def count(self, statement: Select[tuple[Case]]) -> int:
        ids = statement.with_only_columns(Case.id).order_by(None).subquery()
        return self.session.scalar(select(func.count()).select_from(ids)) or 0

    def list_page(self, statement: Select[tuple[Case]], page: PageParams, on: date, total: int) -> list[Case]:
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
                size = self.count(statement.where(condition)) if n < 2 else total
                if skip >= size:
                    skip -= size
                    continue
            # Ids first (an index answers filter and order), then only the page's rows.
            ids = self.session.scalars(
                statement.with_only_columns(Case.id).where(condition).order_by(*order).offset(skip).limit(need)
            ).all()
            page_rows = select(Case).options(LIST_LOAD).where(Case.id.in_(ids))
            loaded = {c.id: c for c in self.session.scalars(page_rows)} if ids else {}
            got = [loaded[i] for i in ids]
            rows.extend(got)
            need -= len(got)
            skip = 0
        return rows

    def in_approval(self, statement: Select[tuple[Case]]) -> list[Case]:
        """The matching cases in an approval stage, oldest first (the candidates of 审批待办)."""
        statement = statement.where(Case.status.in_(sorted(APPROVAL_STAGES))).order_by(Case.updated_at, Case.id)
        return list(self.session.scalars(statement.limit(AWAITING_SCAN)))


def load(session: Session, case_id: uuid.UUID, principal: StaffPrincipal) -> Case:
    """A case the principal may read; 404 otherwise."""
    case = CaseRepository(session).get_readable(principal, case_id)
    if case is None:
        refused = NotFound("案件不存在或无权查看", code="case.not_found")
        other = session.get(Case, case_id)  # only on the way out: another unit's case is a refusal the log keeps
        if other is not None:
            refused.noting(refusal(principal, "case", case_id, "out_of_scope", status=404, label=other.code))
        raise refused
    return case


def officers_of(session: Session, case_id: uuid.UUID) -> list[Officer]:
    """The case's handling officers, the lead first."""
    statement = (
        select(Officer)
        .join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
        .where(CaseOfficer.case_id == case_id)
        .order_by(CaseOfficer.lead.desc(), Officer.name)
    )
    return list(session.scalars(statement))


def events_of(session: Session, case_id: uuid.UUID) -> list[CaseEvent]:
    statement = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)
    return list(session.scalars(statement))


def approvals_of(session: Session, case_id: uuid.UUID) -> list[CaseApproval]:
    statement = select(CaseApproval).where(CaseApproval.case_id == case_id)
    return list(session.scalars(statement.order_by(CaseApproval.at, CaseApproval.id)))


def disclosure_of(session: Session, case_id: uuid.UUID) -> Disclosure | None:
    return session.scalar(select(Disclosure).where(Disclosure.case_id == case_id))


def matter(session: Session, code: str) -> EnforcementMatter | None:
    return session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == code))


def officers(session: Session, ids: list[uuid.UUID]) -> list[Officer]:
    return list(session.scalars(select(Officer).where(Officer.id.in_(ids))))


def unit_officers(session: Session, unit_id: uuid.UUID) -> list[tuple[Officer, uuid.UUID | None]]:
    """The unit's active officers, certified first, each with the id of the login it has (if any)."""
    rows = session.scalars(
        select(Officer)
        .where(Officer.unit_id == unit_id, Officer.status == ActiveStatus.active)
        .order_by(when((Officer.kind == OfficerKind.certified, 0), else_=1), Officer.name)
    ).all()
    logins = dict(
        session.execute(select(User.officer_id, User.id).where(User.officer_id.in_([o.id for o in rows])))
        .tuples()
        .all()
    )
    return [(o, logins.get(o.id)) for o in rows]
