"""Queries of case sources; every scoped read goes through ``readable`` (unit scope, or own: dispatched/reported)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.intake.models import CaseSource, Signal, SourceEvent
from chengguan.kit.repository import Repository
from chengguan.org.models import Officer
from chengguan.org.scope import scope_clause


class CaseSourceRepository(Repository[CaseSource]):
    model = CaseSource

    def readable(self, principal: StaffPrincipal) -> Select[tuple[CaseSource]]:
        own = [CaseSource.reported_by_id == principal.user_id]
        if principal.officer_id is not None:
            own.append(CaseSource.officer_id == principal.officer_id)
        return select(CaseSource).where(scope_clause(principal, CaseSource.unit_id, own=or_(*own)))

    def timeline(self, source_id: uuid.UUID) -> list[SourceEvent]:
        statement = select(SourceEvent).where(SourceEvent.case_source_id == source_id)
        return list(self.session.scalars(statement.order_by(SourceEvent.at, SourceEvent.id)))

    def by_ids(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, CaseSource]:
        return {s.id: s for s in self.session.scalars(select(CaseSource).where(CaseSource.id.in_(ids)))}

    def signals(self, source_id: uuid.UUID, limit: int = 100) -> list[Signal]:
        statement = select(Signal).where(Signal.case_source_id == source_id)
        return list(self.session.scalars(statement.order_by(Signal.occurred_at.desc()).limit(limit)))


def officer_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Officer.id, Officer.name).where(Officer.id.in_(ids))).tuples().all())
