"""HTTP routes of the organisation registry: units, officers, vehicles, devices, grids and grid lookup."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chengguan.core.access import CurrentStaff, SessionDep, require
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.geo import Crs
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.router import add_crud_routes
from chengguan.org import export
from chengguan.org.grids import grid_locator, grid_service
from chengguan.org.schemas import (
    DeviceCreate,
    DeviceFilter,
    DeviceRead,
    DeviceUpdate,
    FeatureCollection,
    GridCreate,
    GridDetail,
    GridFilter,
    GridLocation,
    GridRead,
    GridUpdate,
    OfficerCreate,
    OfficerFilter,
    OfficerRead,
    OfficerUpdate,
    OrgTreeNode,
    OrgUnitCreate,
    OrgUnitFilter,
    OrgUnitRead,
    OrgUnitUpdate,
    VehicleCreate,
    VehicleFilter,
    VehicleRead,
    VehicleUpdate,
)
from chengguan.org.services import device_service, officer_service, org_unit_service, vehicle_service

router = APIRouter(responses=PROBLEM_RESPONSES)

OrgReader = Annotated[StaffPrincipal, Depends(require("org:read"))]
GridReader = Annotated[StaffPrincipal, Depends(require("grid:read"))]
OfficerReader = Annotated[StaffPrincipal, Depends(require("officer:read"))]


@router.get("/org-units/tree", tags=["组织机构"], summary="组织机构树（仅数据权限内）")
def org_tree(session: SessionDep, principal: OrgReader) -> list[OrgTreeNode]:
    return org_unit_service.tree(session, principal)


@router.get("/grids/locate", tags=["单元网格"], summary="坐标定位网格与责任中队")
def locate_grid(
    session: SessionDep,
    principal: CurrentStaff,
    lng: Annotated[float, Query(ge=-180, le=180, description="经度")],
    lat: Annotated[float, Query(ge=-90, le=90, description="纬度")],
    crs: Annotated[Crs, Query(description="输入坐标系")] = Crs.WGS84,
) -> GridLocation:
    # Any staff member may locate a point: reporting a problem anywhere must find its squad, whatever one's scope.
    return grid_locator.locate(session, lng, lat, crs)


@router.get("/grids/geojson", tags=["单元网格"], summary="网格 GeoJSON（地图用）")
def grids_geojson(
    session: SessionDep, principal: GridReader, squad_id: Annotated[uuid.UUID | None, Query()] = None
) -> FeatureCollection:
    return grid_service.geojson(session, principal, squad_id)


add_crud_routes(
    router,
    grid_service,
    path="/grids",
    read=GridRead,
    create=GridCreate,
    update=GridUpdate,
    filters=GridFilter,
    read_permission="grid:read",
    write_permission="grid:write",
    tag="单元网格",
    detail=GridDetail,
    export=export.GRIDS,
)


for service, path, schemas, permission, tag, spec in [
    (org_unit_service, "/org-units", (OrgUnitRead, OrgUnitCreate, OrgUnitUpdate, OrgUnitFilter), "org", "组织机构",
     export.ORG_UNITS),
    (officer_service, "/officers", (OfficerRead, OfficerCreate, OfficerUpdate, OfficerFilter), "officer", "执法人员",
     export.OFFICERS),
    (vehicle_service, "/vehicles", (VehicleRead, VehicleCreate, VehicleUpdate, VehicleFilter), "vehicle", "执法车辆",
     export.VEHICLES),
    (device_service, "/devices", (DeviceRead, DeviceCreate, DeviceUpdate, DeviceFilter), "device", "设备",
     export.DEVICES),
]:  # fmt: skip
    read, create, update, filters = schemas
    add_crud_routes(
        router,
        service,
        path=path,
        read=read,
        create=create,
        update=update,
        filters=filters,
        read_permission=f"{permission}:read",
        write_permission=f"{permission}:write",
        tag=tag,
        export=spec,
    )
