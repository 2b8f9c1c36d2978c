"""Data-scope filtering (数据权限), the one place it is written: repositories call ``scope_clause``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from chengguan.identity.enums import DataScope
from chengguan.identity.principals import StaffPrincipal
from chengguan.org.models import OrgUnitClosure


def scope_clause(
    principal: StaffPrincipal, unit_column: Any, *, own: ColumnElement[bool] | None = None
) -> ColumnElement[bool]:
    """Rows whose ``unit_column`` lies in the principal's scopes, OR'd with ``own`` (the principal's own rows).

    all → everything; unit → the principal's unit; unit_and_below → the unit and its descendants via the closure
    table; custom → the role's listed units; self → only ``own``. Several roles combine as a union.
    """
    scopes = principal.scopes
    if DataScope.all in scopes:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if principal.unit_id is not None:
        if DataScope.unit_and_below in scopes:
            below = select(OrgUnitClosure.descendant_id).where(OrgUnitClosure.ancestor_id == principal.unit_id)
            clauses.append(unit_column.in_(below))
        elif DataScope.unit in scopes:
            clauses.append(unit_column == principal.unit_id)
    if DataScope.custom in scopes and principal.custom_unit_ids:
        clauses.append(unit_column.in_(sorted(principal.custom_unit_ids)))
    if own is not None:
        clauses.append(own)
    return or_(*clauses) if clauses else false()
