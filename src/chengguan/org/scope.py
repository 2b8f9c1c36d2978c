"""Data-scope filtering (数据权限), the one place it is written: repositories call ``scope_clause``.

In org because a scope is a set of units of the organisation tree (its closure table answers "this unit and below").
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from chengguan.core.auditnotes import refusal
from chengguan.core.errors import Forbidden
from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.kit import crud
from chengguan.org.models import OrgUnit, OrgUnitClosure


def units_below(unit_id: Any) -> Select[tuple[uuid.UUID]]:
    """The ids of a unit and of every unit below it (the closure table holds each unit as its own descendant)."""
    return select(OrgUnitClosure.descendant_id).where(OrgUnitClosure.ancestor_id == unit_id)


crud.wire(units_below=units_below)


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
            clauses.append(unit_column.in_(units_below(principal.unit_id)))
        elif DataScope.unit in scopes:
            clauses.append(unit_column == principal.unit_id)
    if DataScope.custom in scopes and principal.custom_unit_ids:
        clauses.append(unit_column.in_(sorted(principal.custom_unit_ids)))
    if own is not None:
        clauses.append(own)
    return or_(*clauses) if clauses else false()


def city_wide(session: Session, principal: StaffPrincipal) -> bool:
    """Whether the principal's data covers the whole platform (全市): scope ``all``, or ``unit_and_below`` from the
    root unit (the city bureau) — who alone may set configuration that applies everywhere."""
    if DataScope.all in principal.scopes:
        return True
    if DataScope.unit_and_below not in principal.scopes or principal.unit_id is None:
        return False
    unit = session.get(OrgUnit, principal.unit_id)
    return unit is not None and unit.parent_id is None


def unit_in_scope(session: Session, principal: StaffPrincipal, unit_id: uuid.UUID) -> bool:
    """Whether ``unit_id`` is one of the units the principal's data scope covers (scope ``self`` covers none)."""
    found = select(OrgUnit.id).where(OrgUnit.id == unit_id, scope_clause(principal, OrgUnit.id))
    return session.scalar(found) is not None


def require_config_scope(session: Session, principal: StaffPrincipal, unit_id: uuid.UUID | None, noun: str) -> None:
    """Configuration is written for the units the writer's data scope covers: a unit outside it, or a platform-wide
    setting (no unit) without city-wide data, is 403 — a squad leader sets the squad's rules, not the city's."""
    if unit_id is None:
        if not city_wide(session, principal):
            raise Forbidden(f"只有具有全市数据权限的账号可以设置全市通用的{noun}，请选择本单位",
                            code="config.city_wide_forbidden").noting(
                refusal(principal, "config", None, "city_wide_config", status=403, label=noun))  # fmt: skip
    elif not unit_in_scope(session, principal, unit_id):
        raise Forbidden(f"该单位不在您的数据权限范围内，不能设置其{noun}", code="config.unit_out_of_scope").noting(
            refusal(principal, "org_unit", unit_id, "config_out_of_scope", status=403, label=noun)
        )


def config_readable(principal: StaffPrincipal, unit_column: Any) -> ColumnElement[bool]:
    """Configuration rows a principal reads: platform-wide ones, those of units in scope, and those of the units
    above the principal's own (they apply to the principal's work too)."""
    clauses = [unit_column.is_(None), scope_clause(principal, unit_column)]
    if principal.unit_id is not None:
        above = select(OrgUnitClosure.ancestor_id).where(OrgUnitClosure.descendant_id == principal.unit_id)
        clauses.append(unit_column.in_(above))
    return or_(*clauses)
