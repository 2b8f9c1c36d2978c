"""Queries of the audit log."""

from __future__ import annotations

from sqlalchemy import Select, select

from chengguan.audit.models import AuditEntry
from chengguan.audit.schemas import AuditFilter
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.repository import Repository
from chengguan.org.scope import scope_clause


class AuditRepository(Repository[AuditEntry]):
    model = AuditEntry
    order_by = (AuditEntry.seq.desc(),)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[AuditEntry]]:
        """Entries made by actors of units in scope, plus one's own."""
        return select(AuditEntry).where(
            scope_clause(principal, AuditEntry.actor_unit_id, own=AuditEntry.actor_id == principal.user_id)
        )

    def search(self, principal: StaffPrincipal, filters: AuditFilter) -> Select[tuple[AuditEntry]]:
        statement = self.readable(principal)
        if filters.actor_id:
            statement = statement.where(AuditEntry.actor_id == filters.actor_id)
        if filters.action:
            statement = statement.where(AuditEntry.action.startswith(filters.action, autoescape=True))
        if filters.target_type:
            statement = statement.where(AuditEntry.target_type == filters.target_type)
        if filters.target_id:
            statement = statement.where(AuditEntry.target_id == filters.target_id)
        if filters.since:
            statement = statement.where(AuditEntry.occurred_at >= filters.since)
        if filters.until:
            statement = statement.where(AuditEntry.occurred_at < filters.until)
        return statement
