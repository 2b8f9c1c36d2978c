"""A party's record (违法记录): earlier cases of the same person, organisation or shop, for the repeat-offender check.

Discretion standards weigh repeat offences (从重情节), so the handler sees the party's whole record in the city —
code, matter, outcome — even for cases another squad handled; opening such a case still goes through the scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chengguan.cases.enums import STATUS_LABELS, DecisionKind
from chengguan.cases.models import Case
from chengguan.org.repository import unit_names

HISTORY_LIMIT = 20


def party_cases(
    session: Session,
    *,
    id_nos: Iterable[str | None],
    merchant_id: uuid.UUID | None,
    exclude: uuid.UUID | None = None,
    limit: int = HISTORY_LIMIT,
) -> list[dict]:
    """Cases with one of the identity numbers or the merchant, newest first (at most ``limit``)."""
    numbers = sorted({n for n in id_nos if n})
    match = [Case.party_id_no.in_(numbers)] if numbers else []
    if merchant_id:
        match.append(Case.merchant_id == merchant_id)
    if not match:
        return []
    statement = select(Case).where(or_(*match)).order_by(Case.act_on.desc(), Case.code.desc()).limit(limit + 1)
    rows = [c for c in session.scalars(statement) if c.id != exclude][:limit]
    names = unit_names(session, {c.unit_id for c in rows})
    return [
        {
            "id": c.id,
            "code": c.code,
            "matter_name": c.matter_name,
            "status": c.status.value,
            "status_label": STATUS_LABELS[c.status],
            "procedure": c.procedure.value,
            "act_on": c.act_on,
            "decided_on": c.decided_on,
            "decision_kind": c.decision_kind.value if c.decision_kind else None,
            "fine_fen": c.fine_fen,
            "unit_name": names.get(c.unit_id, ""),
            "created_at": c.created_at,
        }
        for c in rows
    ]


def penalties(history: list[dict], before: datetime | None = None) -> int:
    """How many of these cases ended in a penalty decision — the offences that count as 违法记录; with ``before``,
    only cases opened earlier (a later case is not a previous offence of this one)."""
    return sum(
        1
        for h in history
        if h["decision_kind"] == DecisionKind.penalty.value and h["decided_on"]
        and (before is None or h["created_at"] < before)
    )  # fmt: skip
