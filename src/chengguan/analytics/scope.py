"""The caller's data scope as plain values, for queries that run outside the database (DuckDB over the snapshot).

The live queries use the repositories' ``readable`` statements themselves; this reproduces exactly what they admit:
the units ``org.scope.scope_clause`` covers, plus the principal's own rows — a source reported by the user or
dispatched to their officer card (``intake.repository``), a case the officer handles (``cases.repository``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.models import CaseOfficer
from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.org.models import OrgUnit
from chengguan.org.scope import scope_clause


@dataclass(frozen=True)
class Scope:
    everything: bool
    unit_ids: tuple[str, ...] = ()
    user_id: str | None = None
    officer_id: str | None = None
    handled_case_ids: tuple[str, ...] = field(default=(), repr=False)

    def sources_sql(self, alias: str = "s") -> tuple[str, list[object]]:
        """A DuckDB predicate (and its parameters) admitting the sources this scope may read."""
        if self.everything:
            return "TRUE", []
        parts, params = [f"list_contains(?, {alias}.unit_id)"], [list(self.unit_ids)]
        if self.user_id:
            parts.append(f"{alias}.reported_by_id = ?")
            params.append(self.user_id)
        if self.officer_id:
            parts.append(f"{alias}.officer_id = ?")
            params.append(self.officer_id)
        return "(" + " OR ".join(parts) + ")", params

    def cases_sql(self, alias: str = "c") -> tuple[str, list[object]]:
        """A DuckDB predicate admitting the cases this scope may read (its units, and the cases the officer handles)."""
        if self.everything:
            return "TRUE", []
        return (f"(list_contains(?, {alias}.unit_id) OR list_contains(?, {alias}.id))",
                [list(self.unit_ids), list(self.handled_case_ids)])  # fmt: skip


def resolve(session: Session, principal: StaffPrincipal, *, cases: bool) -> Scope:
    """The principal's scope as values; ``cases`` adds the ids of the cases the officer handles."""
    if DataScope.all in principal.scopes:
        return Scope(everything=True)
    units = session.scalars(select(OrgUnit.id).where(scope_clause(principal, OrgUnit.id))).all()
    handled: tuple[str, ...] = ()
    if cases and principal.officer_id is not None:
        ids = session.scalars(select(CaseOfficer.case_id).where(CaseOfficer.officer_id == principal.officer_id))
        handled = tuple(str(i) for i in ids)
    return Scope(
        everything=False,
        unit_ids=tuple(str(u) for u in units),
        user_id=str(principal.user_id) if principal.user_id else None,
        officer_id=str(principal.officer_id) if principal.officer_id else None,
        handled_case_ids=handled,
    )
