"""Queries of the organisation tables; every scoped read goes through ``readable``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import Select, delete, func, insert, literal, select, true
from sqlalchemy.orm import Session, aliased

from chengguan.core.principals import StaffPrincipal
from chengguan.kit.repository import Repository
from chengguan.kit.snapshot import as_dict
from chengguan.org.models import Device, Grid, Officer, OrgUnit, OrgUnitClosure, Vehicle
from chengguan.org.scope import scope_clause


def unit_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Names of the given units in one query (read models show unit names next to ids)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted))).tuples().all())


def with_unit_names(
    session: Session,
    objs: Iterable[object],
    schema: type[BaseModel],
    *,
    unit_attr: str = "unit_id",
    name_field: str = "unit_name",
) -> list[BaseModel]:
    """Read models of rows that point at a unit, with the unit's name filled in (one query for the page)."""
    rows = list(objs)
    names = unit_names(session, (getattr(o, unit_attr) for o in rows))
    return [schema.model_validate(as_dict(o) | {name_field: names.get(getattr(o, unit_attr), "")}) for o in rows]


class OrgUnitRepository(Repository[OrgUnit]):
    model = OrgUnit
    order_by = (OrgUnit.level, OrgUnit.sort_order, OrgUnit.division_code)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[OrgUnit]]:
        return select(OrgUnit).where(scope_clause(principal, OrgUnit.id, own=OrgUnit.id == principal.unit_id))

    def descendant_ids(self, unit_id: uuid.UUID) -> list[uuid.UUID]:
        statement = select(OrgUnitClosure.descendant_id).where(OrgUnitClosure.ancestor_id == unit_id)
        return list(self.session.scalars(statement))

    def ancestor_of_level(self, unit_id: uuid.UUID, level: str) -> OrgUnit | None:
        statement = (
            select(OrgUnit)
            .join(OrgUnitClosure, OrgUnitClosure.ancestor_id == OrgUnit.id)
            .where(OrgUnitClosure.descendant_id == unit_id, OrgUnit.level == level)
        )
        return self.session.scalars(statement).first()

    def has_children(self, unit_id: uuid.UUID) -> bool:
        return self.exists(parent_id=unit_id)

    def add_to_closure(self, unit: OrgUnit) -> None:
        """Rows for the new unit: itself at depth 0, plus every ancestor of its parent one level further."""
        self.session.execute(insert(OrgUnitClosure).values(ancestor_id=unit.id, descendant_id=unit.id, depth=0))
        if unit.parent_id is not None:
            parent_rows = select(
                OrgUnitClosure.ancestor_id,
                literal(unit.id, OrgUnitClosure.descendant_id.type),
                OrgUnitClosure.depth + 1,
            ).where(OrgUnitClosure.descendant_id == unit.parent_id)
            self.session.execute(
                insert(OrgUnitClosure).from_select(["ancestor_id", "descendant_id", "depth"], parent_rows)
            )

    def move_in_closure(self, unit_id: uuid.UUID, new_parent_id: uuid.UUID | None) -> None:
        """Re-hang a subtree: drop its links to old outside ancestors, link it under the new parent's ancestors."""
        subtree = self.descendant_ids(unit_id)
        outside = select(OrgUnitClosure.ancestor_id).where(
            OrgUnitClosure.descendant_id == unit_id, OrgUnitClosure.ancestor_id.not_in(subtree)
        )
        self.session.execute(
            delete(OrgUnitClosure)
            .where(OrgUnitClosure.descendant_id.in_(subtree), OrgUnitClosure.ancestor_id.in_(outside.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )
        if new_parent_id is None:
            return
        above = aliased(OrgUnitClosure)
        below = aliased(OrgUnitClosure)
        # Every ancestor of the new parent × every node of the subtree: a deliberate cross join.
        links = (
            select(above.ancestor_id, below.descendant_id, above.depth + below.depth + 1)
            .select_from(above)
            .join(below, true())
            .where(above.descendant_id == new_parent_id, below.ancestor_id == unit_id)
        )
        self.session.execute(insert(OrgUnitClosure).from_select(["ancestor_id", "descendant_id", "depth"], links))


class OfficerRepository(Repository[Officer]):
    model = Officer
    order_by = (Officer.unit_id, Officer.name, Officer.id)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Officer]]:
        own = Officer.id == principal.officer_id if principal.officer_id else None
        return select(Officer).where(scope_clause(principal, Officer.unit_id, own=own))


class VehicleRepository(Repository[Vehicle]):
    model = Vehicle
    order_by = (Vehicle.plate_no,)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Vehicle]]:
        return select(Vehicle).where(scope_clause(principal, Vehicle.unit_id))


class DeviceRepository(Repository[Device]):
    model = Device
    order_by = (Device.kind, Device.code)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Device]]:
        return select(Device).where(scope_clause(principal, Device.unit_id))


class GridRepository(Repository[Grid]):
    model = Grid
    order_by = (Grid.grid_code,)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Grid]]:
        # An officer limited to "self" still sees the grids of the squad they patrol: those are "theirs".
        own = Grid.squad_id == principal.unit_id if principal.unit_id else None
        return select(Grid).where(scope_clause(principal, Grid.squad_id, own=own))

    def version(self) -> tuple[int, object]:
        """A cheap fingerprint of the table: any insert, delete or edit changes it."""
        count, latest = self.session.execute(select(func.count(Grid.id), func.max(Grid.updated_at))).one()
        return int(count), latest

    def all_shapes(self) -> list[tuple[uuid.UUID, str, uuid.UUID, dict]]:
        return list(self.session.execute(select(Grid.id, Grid.grid_code, Grid.squad_id, Grid.geometry)).tuples().all())
