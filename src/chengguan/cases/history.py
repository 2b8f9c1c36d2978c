"""A party's record (违法记录): earlier cases of the same person, organisation or shop, for the repeat-offender check.

Discretion standards weigh repeat offences (从重情节) wherever they were decided, so the number of the party's
penalty decisions counts every case in the city. The cases themselves are shown only as far as the reader's data
scope goes (``CaseRepository.readable``): of the others the reader learns how many there are, never what they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from chengguan.cases.enums import STATUS_LABELS, DecisionKind
from chengguan.cases.models import Case
from chengguan.cases.repository import CaseRepository
from chengguan.core.principals import StaffPrincipal
from chengguan.org.repository import unit_names

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class PartyRecord:
    """What a reader may see of a party's record."""

    cases: list[dict]  # readable cases, newest first (at most the limit)
    hidden: int  # the party's other cases outside the reader's scope: a count only
    penalties: int  # penalty decisions of the party in the whole city (before the given moment, if any)


def party_record(
    session: Session,
    principal: StaffPrincipal,
    *,
    id_nos: Iterable[str | None],
    merchant_id: uuid.UUID | None,
    exclude: uuid.UUID | None = None,
    before: datetime | None = None,
    limit: int = HISTORY_LIMIT,
) -> PartyRecord:
    """The party's cases (one of the identity numbers, or the shop) that ``principal`` may read, how many others
    there are, and how many penalty decisions the party received — the count the repeat-offence rule weighs; with
    ``before``, only cases opened earlier (a later case is not a previous offence of this one)."""
    match = _match(id_nos, merchant_id, exclude)
    if match is None:
        return PartyRecord([], 0, 0)
    penalty = (Case.decision_kind == DecisionKind.penalty) & Case.decided_on.is_not(None)
    if before is not None:
        penalty &= Case.created_at < before
    total, penalties = session.execute(
        select(func.count(), func.count().filter(penalty)).select_from(Case).where(match)
    ).one()
    mine = CaseRepository(session).readable(principal).where(match)
    seen = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    rows = list(session.scalars(mine.order_by(Case.act_on.desc(), Case.code.desc()).limit(limit)))
    return PartyRecord(_rows(session, rows), total - seen, penalties)


def _match(
    id_nos: Iterable[str | None], merchant_id: uuid.UUID | None, exclude: uuid.UUID | None
) -> ColumnElement[bool] | None:
    numbers = sorted({n for n in id_nos if n})
    match = [Case.party_id_no_hash.in_(numbers)] if numbers else []  # the keyed hashes of the numbers
    if merchant_id:
        match.append(Case.merchant_id == merchant_id)
    if not match:
        return None
    return or_(*match) if exclude is None else or_(*match) & (Case.id != exclude)


def _rows(session: Session, rows: list[Case]) -> list[dict]:
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
