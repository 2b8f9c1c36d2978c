"""督办: open case sources past their stage deadline are escalated to the supervising unit — exactly once per
deadline, even when several processes run the sweep at the same time (a conditional UPDATE decides who wins)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.principals import SYSTEM, StaffPrincipal
from chengguan.intake.enums import OPEN_STATUSES, STATUS_LABELS
from chengguan.intake.models import CaseSource, SourceEvent, Supervision
from chengguan.intake.schemas import NamedRef, SupervisionFilter, SupervisionRead, SweepResult
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.law.seed import categories
from chengguan.org.models import OrgUnit
from chengguan.org.repository import unit_names
from chengguan.org.scope import scope_clause


def _supervisor(session: Session, unit_id: uuid.UUID | None) -> uuid.UUID | None:
    """The unit that supervises a source's owner: the parent (squad → district bureau); the city bureau supervises
    itself."""
    if unit_id is None:
        return None
    unit = session.get(OrgUnit, unit_id)
    return unit.parent_id or unit.id if unit else None


def sweep(session: Session, now: datetime | None = None) -> SweepResult:
    """Escalate every overdue open source whose current deadline was not escalated yet (one 督办 per deadline)."""
    now = now or clock.now()
    overdue = session.execute(
        select(CaseSource.id, CaseSource.due_at, CaseSource.status, CaseSource.unit_id).where(
            CaseSource.status.in_(sorted(OPEN_STATUSES)),
            CaseSource.due_at < now,
            or_(CaseSource.supervised_due_at.is_(None), CaseSource.supervised_due_at != CaseSource.due_at),
        )
    ).all()
    supervised = 0
    for source_id, due_at, status, unit_id in overdue:
        won = session.execute(
            update(CaseSource)
            .where(
                CaseSource.id == source_id,
                CaseSource.due_at == due_at,
                or_(CaseSource.supervised_due_at.is_(None), CaseSource.supervised_due_at != due_at),
            )
            .values(supervised_due_at=due_at, supervision_count=CaseSource.supervision_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            continue  # another process escalated it first, or it moved on in between
        supervisor = _supervisor(session, unit_id)
        session.add(
            Supervision(case_source_id=source_id, unit_id=supervisor, stage=status.value, due_at=due_at, created_at=now)
        )
        session.add(
            SourceEvent(
                case_source_id=source_id,
                at=now,
                action="supervise",
                from_status=status.value,
                to_status=status.value,
                actor_type=SYSTEM.actor_type,
                actor_id=None,
                actor_name=SYSTEM.actor_name,
                reason=f"「{STATUS_LABELS[status]}」环节超过时限，已督办",
                data={"due_at": due_at.isoformat(), "supervisor_unit_id": str(supervisor) if supervisor else None},
            )
        )
        supervised += 1
    session.flush()
    return SweepResult(supervised=supervised, checked=len(overdue))


SUPERVISION_ORDER = (Supervision.created_at.desc(), Supervision.id)  # newest first


def list_supervisions(
    session: Session, principal: StaffPrincipal, filters: SupervisionFilter, page: PageParams
) -> Paginated[SupervisionRead]:
    """督办单 of the units in the principal's scope (as supervisor or as owner of the source), newest first."""
    statement = supervision_statement(principal, filters)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    ordered = statement.order_by(*SUPERVISION_ORDER).offset(page.offset).limit(page.page_size)
    rows = session.execute(ordered).tuples().all()
    return Paginated(items=supervision_reads(session, list(rows)), total=total)


def supervision_statement(
    principal: StaffPrincipal, filters: SupervisionFilter
) -> Select[tuple[Supervision, CaseSource]]:
    """(督办单, its source) in the principal's scope matching the list's filters, unordered (list and export)."""
    statement = (
        select(Supervision, CaseSource)
        .join(CaseSource, CaseSource.id == Supervision.case_source_id)
        .where(scope_clause(principal, Supervision.unit_id) | scope_clause(principal, CaseSource.unit_id))
    )
    if filters.open is not None:
        statement = statement.where(
            Supervision.resolved_at.is_(None) if filters.open else Supervision.resolved_at.is_not(None)
        )
    return statement


def supervision_reads(session: Session, rows: Sequence[tuple[Supervision, CaseSource]]) -> list[SupervisionRead]:
    names = unit_names(session, {s.unit_id for s, _ in rows})
    cats = categories()
    return [
        SupervisionRead(
            id=s.id,
            case_source_id=src.id,
            case_source_code=src.code,
            category_name=cats.get(src.category_code, src.category_code),
            unit=NamedRef(id=s.unit_id, name=names.get(s.unit_id, "")) if s.unit_id else None,
            stage=s.stage,
            stage_label=STATUS_LABELS.get(s.stage, s.stage),  # type: ignore[call-overload]
            due_at=s.due_at,
            created_at=s.created_at,
            resolved_at=s.resolved_at,
        )
        for s, src in rows
    ]
