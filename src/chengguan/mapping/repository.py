"""The map's queries, each scoped to the caller's data (org.scope.scope_clause)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching.models import SubjectKind, TrackPoint
from chengguan.iot.models import IotDevice
from chengguan.merchants.enums import MerchantStatus
from chengguan.merchants.models import Merchant
from chengguan.org.enums import DeviceKind, OrgLevel
from chengguan.org.models import Device, Grid, Officer, OrgUnit, Vehicle
from chengguan.org.scope import scope_clause


def grids(session: Session, principal: StaffPrincipal, squad_ids: Iterable[uuid.UUID] | None = None) -> list[Grid]:
    statement = select(Grid).where(scope_clause(principal, Grid.squad_id)).order_by(Grid.grid_code)
    if squad_ids is not None:
        statement = statement.where(Grid.squad_id.in_(list(squad_ids)))
    return list(session.scalars(statement))


def units(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, OrgUnit]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(wanted)))}


def shops(session: Session, principal: StaffPrincipal) -> list[tuple[Any, ...]]:
    statement = select(Merchant.id, Merchant.name, Merchant.address, Merchant.lng, Merchant.lat).where(
        scope_clause(principal, Merchant.unit_id), Merchant.lng.is_not(None), Merchant.status != MerchantStatus.closed
    )
    return list(session.execute(statement.order_by(Merchant.code)).tuples())


def cameras(session: Session, principal: StaffPrincipal) -> list[tuple[Any, ...]]:
    statement = select(Device.id, Device.name, Device.code, Device.lng, Device.lat).where(
        scope_clause(principal, Device.unit_id), Device.kind == DeviceKind.camera, Device.lng.is_not(None)
    )
    return list(session.execute(statement.order_by(Device.code)).tuples())


def sensors(session: Session, principal: StaffPrincipal) -> list[tuple[Any, ...]]:
    """Active IoT devices with a position: (id, name, site, address, lng, lat, health)."""
    statement = select(
        IotDevice.id, IotDevice.name, IotDevice.site, IotDevice.address, IotDevice.lng, IotDevice.lat, IotDevice.health
    ).where(scope_clause(principal, IotDevice.unit_id), IotDevice.lng.is_not(None), IotDevice.active.is_(True))
    return list(session.execute(statement.order_by(IotDevice.code)).tuples())


def offices(session: Session, principal: StaffPrincipal) -> list[tuple[Any, ...]]:
    """Bureaus and squads of the caller's scope whose office has a position: (id, name, address, lng, lat, level)."""
    statement = select(OrgUnit.id, OrgUnit.name, OrgUnit.address, OrgUnit.lng, OrgUnit.lat, OrgUnit.level).where(
        scope_clause(principal, OrgUnit.id), OrgUnit.lng.is_not(None)
    )
    return list(session.execute(statement.order_by(OrgUnit.division_code, OrgUnit.name)).tuples())


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_squads(session: Session, principal: StaffPrincipal, text: str, limit: int) -> list[OrgUnit]:
    statement = select(OrgUnit).where(
        OrgUnit.level == OrgLevel.squad,
        scope_clause(principal, OrgUnit.id),
        or_(OrgUnit.name.ilike(_like(text), escape="\\"), OrgUnit.division_code == text),
    )
    return list(session.scalars(statement.order_by(OrgUnit.division_code).limit(limit)))


def find_grids(session: Session, principal: StaffPrincipal, text: str, limit: int) -> list[Grid]:
    statement = select(Grid).where(
        scope_clause(principal, Grid.squad_id),
        or_(Grid.name.ilike(_like(text), escape="\\"), Grid.grid_code.startswith(text)),
    )
    return list(session.scalars(statement.order_by(Grid.grid_code).limit(limit)))


def find_shops(session: Session, principal: StaffPrincipal, text: str, limit: int) -> list[Merchant]:
    like = _like(text)
    statement = select(Merchant).where(
        scope_clause(principal, Merchant.unit_id),
        Merchant.lng.is_not(None),
        or_(Merchant.name.ilike(like, escape="\\"), Merchant.address.ilike(like, escape="\\"), Merchant.code == text),
    )
    return list(session.scalars(statement.order_by(Merchant.code).limit(limit)))


def find_sites(session: Session, principal: StaffPrincipal, text: str, limit: int) -> list[IotDevice]:
    like = _like(text)
    statement = select(IotDevice).where(
        scope_clause(principal, IotDevice.unit_id),
        IotDevice.site.is_not(None),
        IotDevice.lng.is_not(None),
        or_(IotDevice.site.ilike(like, escape="\\"), IotDevice.address.ilike(like, escape="\\")),
    )
    return list(session.scalars(statement.order_by(IotDevice.code).limit(limit)))


def subject(session: Session, principal: StaffPrincipal, kind: SubjectKind, subject_id: uuid.UUID) -> str | None:
    """The name (officer) or plate (vehicle) of a subject in the principal's scope; None when not found or outside."""
    model: Any = Officer if kind is SubjectKind.officer else Vehicle
    label = Officer.name if kind is SubjectKind.officer else Vehicle.plate_no
    statement: Select[Any] = select(label).where(model.id == subject_id, scope_clause(principal, model.unit_id))
    return session.scalar(statement)


def track(
    session: Session, kind: SubjectKind, subject_id: uuid.UUID, start: datetime, end: datetime
) -> list[tuple[datetime, float, float, float | None]]:
    """(at, lng, lat, speed) of the subject's fixes in [start, end], in time order (the table's primary key)."""
    statement = (
        select(TrackPoint.at, TrackPoint.lng, TrackPoint.lat, TrackPoint.speed_mps)
        .where(
            TrackPoint.subject_kind == kind,
            TrackPoint.subject_id == subject_id,
            TrackPoint.at >= start,
            TrackPoint.at <= end,
        )
        .order_by(TrackPoint.at)
    )
    return list(session.execute(statement).tuples())
