"""督查: filed cases still undecided past their legal deadline (《行政处罚法》第六十条) move to supervision, with a
timeline record — once per deadline, even when several processes sweep at the same time.

One set-based conditional UPDATE … RETURNING marks the overdue cases; the rows it returns are the ones this process
won (another process's UPDATE of the same row finds the condition false), so the timeline entries are written once.
A deadline that is later extended (第六十条 “从其规定”) and missed again is escalated again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from chengguan.cases.enums import FILED_UNDECIDED, STATUS_LABELS
from chengguan.cases.models import Case, CaseEvent
from chengguan.core import clock
from chengguan.core.ids import uuid7_many
from chengguan.core.principals import SYSTEM
from chengguan.org.models import OrgUnit


def sweep(session: Session, now: datetime | None = None) -> int:
    """Move every overdue undecided case to 督查; returns how many this call moved."""
    now = now or clock.now()
    today = now.astimezone(clock.SHANGHAI).date()
    won = session.execute(
        update(Case)
        .where(
            Case.status.in_(sorted(FILED_UNDECIDED)),
            Case.decision_due_on < today,
            or_(Case.supervised_due_on.is_(None), Case.supervised_due_on != Case.decision_due_on),
        )
        .values(supervised_at=now, supervised_due_on=Case.decision_due_on)
        .returning(Case.id, Case.status, Case.decision_due_on, Case.unit_id)
        .execution_options(synchronize_session=False)
    ).all()
    if not won:
        return 0
    parents = _parents(session, {unit_id for *_, unit_id in won})
    ids = uuid7_many(len(won))
    session.add_all(
        CaseEvent(
            id=event_id,
            case_id=case_id,
            at=now,
            action="supervise",
            from_status=status.value,
            to_status=status.value,
            actor_type=SYSTEM.actor_type,
            actor_id=None,
            actor_name=SYSTEM.actor_name,
            reason=f"「{STATUS_LABELS[status]}」阶段超过办案期限（{due.isoformat()}），已转督查（《行政处罚法》第六十条）",
            data={"due_on": due.isoformat(), "supervisor_unit_id": str(parents.get(unit_id) or unit_id)},
        )
        for event_id, (case_id, status, due, unit_id) in zip(ids, won, strict=True)
    )
    session.flush()
    return len(won)


def _parents(session: Session, unit_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    """The supervising unit of each handling unit: its parent (squad → district bureau)."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id).where(OrgUnit.id.in_(unit_ids)))
    return dict(rows.tuples().all())
