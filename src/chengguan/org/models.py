"""Organisation tables: the org-unit tree (with its closure table), officers, vehicles, devices, unit grids."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted
from chengguan.kit.types import str_enum
from chengguan.org.enums import (
    ActiveStatus,
    DeviceKind,
    DeviceStatus,
    Gender,
    OfficerKind,
    OrgLevel,
    VehicleKind,
    VehicleStatus,
)


class OrgUnit(UUIDPrimaryKey, Timestamps, Base):
    """A bureau or squad; ``division_code`` is its GB/T 2260 code (6 digits, squads 9: + 3-digit street code)."""

    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint("length(division_code) in (6, 9, 12)", name="division_code_length"),
        CheckConstraint("(lng IS NULL) = (lat IS NULL)", name="office_point_whole"),
    )

    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str | None] = mapped_column(String(50))
    level: Mapped[OrgLevel] = mapped_column(str_enum(OrgLevel, "level"))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    # Where the office is (WGS-84): labelled on the map's offline base.
    lng: Mapped[float | None]
    lat: Mapped[float | None]


class OrgUnitClosure(Base):
    """Closure table of the unit tree: one row per (ancestor, descendant), depth 0 for the unit itself.

    Data scopes "unit and below" resolve with one indexed lookup instead of string matching on paths.
    """

    __tablename__ = "org_unit_closure"

    ancestor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    depth: Mapped[int]


class Officer(UUIDPrimaryKey, Timestamps, Base):
    """A law-enforcement officer (执法队员); ``certificate_no`` (执法证号) is required for certified officers."""

    __tablename__ = "officer"
    __table_args__ = (
        CheckConstraint("kind <> 'certified' OR certificate_no IS NOT NULL", name="certified_has_certificate"),
    )

    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender"))
    certificate_no: Mapped[str | None] = mapped_column(String(30), unique=True)
    rank: Mapped[str] = mapped_column(String(30))
    kind: Mapped[OfficerKind] = mapped_column(str_enum(OfficerKind, "kind"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    phone: Mapped[str | None] = mapped_column(Encrypted("phone", 32))  # a person's mobile: encrypted at rest
    status: Mapped[ActiveStatus] = mapped_column(str_enum(ActiveStatus, "status"), default=ActiveStatus.active)


class Vehicle(UUIDPrimaryKey, Timestamps, Base):
    """An enforcement vehicle (执法车辆) belonging to a unit."""

    __tablename__ = "vehicle"

    plate_no: Mapped[str] = mapped_column(String(20), unique=True)
    model: Mapped[str] = mapped_column(String(50))
    kind: Mapped[VehicleKind] = mapped_column(str_enum(VehicleKind, "kind"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    status: Mapped[VehicleStatus] = mapped_column(str_enum(VehicleStatus, "status"), default=VehicleStatus.in_service)


class Device(UUIDPrimaryKey, Timestamps, Base):
    """A registered device: body camera, video camera or IoT sensor (registry only in the foundation)."""

    __tablename__ = "device"

    kind: Mapped[DeviceKind] = mapped_column(str_enum(DeviceKind, "kind"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    lng: Mapped[float | None]
    lat: Mapped[float | None]
    status: Mapped[DeviceStatus] = mapped_column(str_enum(DeviceStatus, "status"), default=DeviceStatus.online)


class Grid(UUIDPrimaryKey, Timestamps, Base):
    """A unit grid (单元网格): 15-digit code, WGS-84 GeoJSON polygon, owned by one squad."""

    __tablename__ = "grid"
    __table_args__ = (
        CheckConstraint("length(grid_code) = 15", name="grid_code_length"),
        Index("ix_grid_squad_code", "squad_id", "grid_code"),
    )

    grid_code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    squad_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    area_m2: Mapped[float]
    centroid_lng: Mapped[float]
    centroid_lat: Mapped[float]
