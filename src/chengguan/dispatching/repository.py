"""Queries and row operations of dispatch tasks (派遣单) and the officers' latest positions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching.models import ACTIVE_TASK, DispatchTask, Position, SubjectKind, TaskStatus
from chengguan.intake.models import CaseSource
from chengguan.intake.repository import CaseSourceRepository
from chengguan.org.models import Officer

LIST_LIMIT = 200


def position_of(session: Session, officer_id: uuid.UUID) -> Position | None:
    """The officer's latest fix and duty status on the live map."""
    return session.get(Position, (SubjectKind.officer, officer_id))


def positions_of(session: Session, officer_ids: set[uuid.UUID]) -> dict[uuid.UUID, Position]:
    mine = (Position.subject_kind == SubjectKind.officer, Position.subject_id.in_(officer_ids))
    return {p.subject_id: p for p in session.scalars(select(Position).where(*mine))}


def active(session: Session, source_id: uuid.UUID) -> DispatchTask | None:
    """The source's open task (dispatched, acknowledged or arrived), the latest if several."""
    statement = select(DispatchTask).where(
        DispatchTask.case_source_id == source_id, DispatchTask.status.in_(sorted(ACTIVE_TASK))
    )
    return session.scalars(statement.order_by(DispatchTask.dispatched_at.desc())).first()


def active_count(session: Session, officer_id: uuid.UUID) -> int:
    """How many open tasks the officer holds."""
    statement = select(func.count()).select_from(DispatchTask)
    statement = statement.where(DispatchTask.officer_id == officer_id, DispatchTask.status.in_(sorted(ACTIVE_TASK)))
    return session.scalar(statement) or 0


def with_officer_names(session: Session, source_id: uuid.UUID) -> list[tuple[DispatchTask, str]]:
    """The source's tasks, newest first, each with its officer's name."""
    return list(
        session.execute(
            select(DispatchTask, Officer.name)
            .join(Officer, Officer.id == DispatchTask.officer_id)
            .where(DispatchTask.case_source_id == source_id)
            .order_by(DispatchTask.dispatched_at.desc())
        ).tuples()
    )


def listed(session: Session, principal: StaffPrincipal, *, own: bool, active_only: bool) -> list[DispatchTask]:
    """The officer's own tasks (``own``) or the tasks of the sources the principal may read; newest first, at most
    ``LIST_LIMIT``."""
    statement = select(DispatchTask)
    if own:
        statement = statement.where(DispatchTask.officer_id == principal.officer_id)
    else:
        readable = CaseSourceRepository(session).readable(principal).with_only_columns(CaseSource.id)
        statement = statement.where(DispatchTask.case_source_id.in_(readable))
    if active_only:
        statement = statement.where(DispatchTask.status.in_(sorted(ACTIVE_TASK)))
    return list(session.scalars(statement.order_by(DispatchTask.dispatched_at.desc()).limit(LIST_LIMIT)))


def tried_officers(session: Session, source_id: uuid.UUID) -> set[uuid.UUID]:
    """Every officer the source was ever dispatched to."""
    return set(session.scalars(select(DispatchTask.officer_id).where(DispatchTask.case_source_id == source_id)))


def unacknowledged(session: Session, now: datetime) -> list[uuid.UUID]:
    """Tasks still waiting for the officer past their acknowledgement deadline."""
    statement = select(DispatchTask.id).where(
        DispatchTask.status == TaskStatus.dispatched, DispatchTask.ack_due_at < now
    )
    return list(session.scalars(statement))


def time_out(session: Session, task_id: uuid.UUID, now: datetime) -> bool:
    """Mark a task timed out unless it moved on meanwhile; whether this call did (once, even with several
    processes)."""
    won = session.execute(
        update(DispatchTask)
        .where(DispatchTask.id == task_id, DispatchTask.status == TaskStatus.dispatched)
        .values(
            status=TaskStatus.timed_out,
            ended_reason="超时未接收",
            completed_at=now,
            version=DispatchTask.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return won == 1
