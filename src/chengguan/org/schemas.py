"""API schemas of the organisation domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chengguan.kit.schemas import Filter, Out, Schema
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

DIVISION_CODE = r"^[0-9]{6}([0-9]{3}){0,2}$"
PHONE = r"^[0-9+\-() ]{5,20}$"
Name = Field(min_length=1, max_length=100)


class OrgUnitRead(Out):
    id: uuid.UUID
    name: str
    short_name: str | None
    level: OrgLevel
    division_code: str
    parent_id: uuid.UUID | None
    sort_order: int
    phone: str | None
    address: str | None
    lng: float | None
    lat: float | None
    created_at: datetime
    updated_at: datetime


class OrgUnitCreate(Schema):
    name: str = Name
    level: OrgLevel
    division_code: str = Field(pattern=DIVISION_CODE, description="GB/T 2260 行政区划代码（区县 6 位，街道 9 位）")
    parent_id: uuid.UUID | None = None
    short_name: str | None = Field(None, max_length=50)
    sort_order: int = Field(0, ge=0, le=100_000)
    phone: str | None = Field(None, pattern=PHONE)
    address: str | None = Field(None, max_length=200)
    lng: float | None = Field(None, ge=-180, le=180, description="驻地经度（WGS-84）")
    lat: float | None = Field(None, ge=-90, le=90, description="驻地纬度（WGS-84）")


class OrgUnitUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    division_code: str | None = Field(None, pattern=DIVISION_CODE)
    parent_id: uuid.UUID | None = None
    short_name: str | None = Field(None, max_length=50)
    sort_order: int | None = Field(None, ge=0, le=100_000)
    phone: str | None = Field(None, pattern=PHONE)
    address: str | None = Field(None, max_length=200)
    lng: float | None = Field(None, ge=-180, le=180, description="驻地经度（WGS-84）")
    lat: float | None = Field(None, ge=-90, le=90, description="驻地纬度（WGS-84）")


class OrgUnitFilter(Filter):
    parent_id: uuid.UUID | None = None
    level: OrgLevel | None = None
    q: str | None = Field(None, max_length=50, description="名称关键字")


class OrgTreeNode(Out):
    id: uuid.UUID
    name: str
    level: OrgLevel
    division_code: str
    children: list[OrgTreeNode] = Field(default_factory=list)


class OfficerRead(Out):
    id: uuid.UUID
    name: str
    gender: Gender
    certificate_no: str | None
    rank: str
    kind: OfficerKind
    unit_id: uuid.UUID
    unit_name: str
    phone: str | None
    status: ActiveStatus
    user_id: uuid.UUID | None = None


class OfficerCreate(Schema):
    name: str = Field(min_length=1, max_length=50)
    gender: Gender
    certificate_no: str | None = Field(None, pattern=r"^[0-9A-Za-z\-]{6,30}$", description="执法证号，持证人员必填")
    rank: str = Field(min_length=1, max_length=30)
    kind: OfficerKind
    unit_id: uuid.UUID
    phone: str | None = Field(None, pattern=PHONE)
    status: ActiveStatus = ActiveStatus.active


class OfficerUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    gender: Gender | None = None
    certificate_no: str | None = Field(None, pattern=r"^[0-9A-Za-z\-]{6,30}$")
    rank: str | None = Field(None, min_length=1, max_length=30)
    kind: OfficerKind | None = None
    unit_id: uuid.UUID | None = None
    phone: str | None = Field(None, pattern=PHONE)
    status: ActiveStatus | None = None


class OfficerFilter(Filter):
    unit_id: uuid.UUID | None = Field(None, description="单位（含下级）")
    q: str | None = Field(None, max_length=50, description="姓名或执法证号")
    kind: OfficerKind | None = None
    status: ActiveStatus | None = None


class VehicleRead(Out):
    id: uuid.UUID
    plate_no: str
    model: str
    kind: VehicleKind
    unit_id: uuid.UUID
    unit_name: str
    status: VehicleStatus


class VehicleCreate(Schema):
    plate_no: str = Field(min_length=5, max_length=20)
    model: str = Field(min_length=1, max_length=50)
    kind: VehicleKind
    unit_id: uuid.UUID
    status: VehicleStatus = VehicleStatus.in_service


class VehicleUpdate(Schema):
    plate_no: str | None = Field(None, min_length=5, max_length=20)
    model: str | None = Field(None, min_length=1, max_length=50)
    kind: VehicleKind | None = None
    unit_id: uuid.UUID | None = None
    status: VehicleStatus | None = None


class VehicleFilter(Filter):
    unit_id: uuid.UUID | None = Field(None, description="单位（含下级）")
    kind: VehicleKind | None = None
    q: str | None = Field(None, max_length=50, description="车牌或型号")
    status: VehicleStatus | None = None


Longitude = Field(None, ge=-180, le=180)
Latitude = Field(None, ge=-90, le=90)


class DeviceRead(Out):
    id: uuid.UUID
    kind: DeviceKind
    code: str
    name: str
    unit_id: uuid.UUID
    unit_name: str
    lng: float | None
    lat: float | None
    status: DeviceStatus


class DeviceCreate(Schema):
    kind: DeviceKind
    code: str = Field(min_length=2, max_length=40, pattern=r"^[0-9A-Za-z\-_]+$")
    name: str = Name
    unit_id: uuid.UUID
    lng: float | None = Longitude
    lat: float | None = Latitude
    status: DeviceStatus = DeviceStatus.online


class DeviceUpdate(Schema):
    kind: DeviceKind | None = None
    code: str | None = Field(None, min_length=2, max_length=40, pattern=r"^[0-9A-Za-z\-_]+$")
    name: str | None = Field(None, min_length=1, max_length=100)
    unit_id: uuid.UUID | None = None
    lng: float | None = Longitude
    lat: float | None = Latitude
    status: DeviceStatus | None = None


class DeviceFilter(Filter):
    unit_id: uuid.UUID | None = Field(None, description="单位（含下级）")
    kind: DeviceKind | None = None
    q: str | None = Field(None, max_length=50, description="编号或名称")
    status: DeviceStatus | None = None


class PolygonGeometry(Schema):
    """A GeoJSON Polygon: one outer ring and optional holes, each ring closed, [lng, lat] pairs."""

    type: Literal["Polygon"]
    coordinates: list[list[tuple[float, float]]] = Field(min_length=1, max_length=50)


GRID_CODE = r"^[0-9A-Z]{15}$"


class GridRead(Out):
    id: uuid.UUID
    grid_code: str
    name: str
    squad_id: uuid.UUID
    squad_name: str
    area_m2: float
    centroid: tuple[float, float]


class GridDetail(GridRead):
    geometry: dict[str, Any]


class GridCreate(Schema):
    grid_code: str = Field(pattern=GRID_CODE, description="15 位单元网格标识码")
    name: str = Name
    squad_id: uuid.UUID
    geometry: PolygonGeometry
    crs: Literal["wgs84", "gcj02", "bd09"] = Field("wgs84", description="geometry 的坐标系，入库统一转为 WGS-84")


class GridUpdate(Schema):
    grid_code: str | None = Field(None, pattern=GRID_CODE)
    name: str | None = Field(None, min_length=1, max_length=100)
    squad_id: uuid.UUID | None = None
    geometry: PolygonGeometry | None = None
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"


class GridFilter(Filter):
    squad_id: uuid.UUID | None = None
    q: str | None = Field(None, max_length=50, description="网格编码或名称")


class NamedRef(Out):
    id: uuid.UUID
    name: str


class GridLocation(Out):
    grid_code: str
    grid_id: uuid.UUID
    grid_name: str
    squad: NamedRef
    district: NamedRef | None
    lng: float
    lat: float
    crs_in: str


class FeatureCollection(Out):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]
