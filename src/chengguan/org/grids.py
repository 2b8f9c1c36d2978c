"""Unit grids (单元网格): registry use cases and the point → grid → squad lookup."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from pydantic import BaseModel
from shapely.geometry import Polygon, shape
from shapely.validation import explain_validity
from sqlalchemy.orm import Session

from chengguan.core.errors import NotFound, field_error
from chengguan.core.geo import Crs, out_of_china, polygon_area_m2, to_wgs84
from chengguan.core.grid_index import GridIndex, GridShape
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.crud import CrudService, conflict
from chengguan.kit.snapshot import as_dict
from chengguan.org.enums import OrgLevel
from chengguan.org.models import Grid, OrgUnit
from chengguan.org.references import unit_in_scope
from chengguan.org.repository import GridRepository, OrgUnitRepository, unit_names
from chengguan.org.schemas import FeatureCollection, GridDetail, GridLocation, GridRead, NamedRef


def _to_polygon(geometry: dict[str, Any], crs: str) -> Polygon:
    """A valid WGS-84 polygon from GeoJSON in ``crs``; 422 on the ``geometry`` field when it is not usable."""
    rings = []
    for ring in geometry["coordinates"]:
        if len(ring) < 4 or tuple(ring[0]) != tuple(ring[-1]):
            raise field_error("geometry", "多边形的每个环至少 4 个点且首尾闭合")
        converted = [to_wgs84(lng, lat, crs) for lng, lat in ring]
        if any(out_of_china(lng, lat) for lng, lat in converted):
            raise field_error("geometry", "网格坐标须位于中国境内（经纬度顺序为 [lng, lat]）")
        rings.append(converted)
    polygon = Polygon(rings[0], rings[1:])
    if polygon.is_empty or not polygon.is_valid or polygon.area == 0:
        raise field_error("geometry", f"多边形无效：{explain_validity(polygon)}")
    return polygon


class GridService(CrudService[Grid]):
    """Unit grids owned by street squads; geometry stored as WGS-84 GeoJSON (input CRS converted at the edge)."""

    model = Grid
    repository = GridRepository
    target_type = "grid"
    noun = "单元网格"

    def label(self, obj: Grid) -> str:
        return f"{obj.grid_code} {obj.name}"

    def to_read(self, session: Session, objs: list[Grid]) -> list[BaseModel]:
        names = unit_names(session, (o.squad_id for o in objs))
        return [GridRead.model_validate(self._fields(o, names)) for o in objs]

    @staticmethod
    def _fields(o: Grid, names: dict[uuid.UUID, str]) -> dict[str, Any]:
        values = as_dict(o)
        return {k: values[k] for k in ("id", "grid_code", "name", "squad_id", "area_m2")} | {
            "squad_name": names.get(o.squad_id, ""),
            "centroid": (o.centroid_lng, o.centroid_lat),
        }

    def read(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> BaseModel:
        grid = self.load(session, principal, id)
        names = unit_names(session, [grid.squad_id])
        return GridDetail.model_validate(self._fields(grid, names) | {"geometry": grid.geometry})

    keyword_columns = ("grid_code", "name")

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Grid | None
    ) -> dict[str, Any]:
        crs = values.pop("crs", "wgs84")
        if "squad_id" in values:
            unit_in_scope(session, principal, values["squad_id"], field="squad_id", level=OrgLevel.squad)
        if values.get("geometry") is not None:
            polygon = _to_polygon(values["geometry"], crs)
            centroid = polygon.centroid
            rings = [polygon.exterior, *polygon.interiors]
            values.update(
                geometry={"type": "Polygon", "coordinates": [[[x, y] for x, y in r.coords] for r in rings]},
                area_m2=round(polygon_area_m2(polygon), 1),
                centroid_lng=round(centroid.x, 7),
                centroid_lat=round(centroid.y, 7),
            )
        elif "geometry" in values:
            values.pop("geometry")
        code = values.get("grid_code")
        changed = code and (obj is None or obj.grid_code != code)
        if changed and GridRepository(session).exists(grid_code=code):
            raise conflict("grid_code", "网格编码已存在")
        return values

    def after_write(self, session: Session, obj: Grid | None) -> None:
        grid_locator.invalidate()

    def geojson(self, session: Session, principal: StaffPrincipal, squad_id: uuid.UUID | None) -> FeatureCollection:
        """Readable grids as a GeoJSON FeatureCollection for the map."""
        statement = GridRepository(session).readable(principal)
        if squad_id:
            statement = statement.where(Grid.squad_id == squad_id)
        grids = list(session.scalars(statement.order_by(Grid.grid_code)))
        names = unit_names(session, {g.squad_id for g in grids})
        features = [
            {
                "type": "Feature",
                "geometry": g.geometry,
                "properties": {
                    "id": str(g.id),
                    "grid_code": g.grid_code,
                    "name": g.name,
                    "squad_id": str(g.squad_id),
                    "squad_name": names.get(g.squad_id, ""),
                },
            }
            for g in grids
        ]
        return FeatureCollection(features=features)


class GridLocator:
    """Point → grid → squad, from an in-memory ``GridIndex`` rebuilt whenever the grid table changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: GridIndex | None = None
        self._version: tuple[int, object] | None = None

    def invalidate(self) -> None:
        self._version = None

    def peek(self) -> GridIndex | None:
        """The index as last built, without asking the database whether it is current (callers check later)."""
        return self._index

    def index(self, session: Session) -> GridIndex:
        repo = GridRepository(session)
        version = repo.version()
        with self._lock:
            if self._index is None or self._version != version:
                shapes = [
                    GridShape(gid, code, squad, shape(geometry)) for gid, code, squad, geometry in repo.all_shapes()
                ]
                self._index, self._version = GridIndex(shapes), version
            return self._index

    def locate(self, session: Session, lng: float, lat: float, crs: Crs) -> GridLocation:
        """The grid covering the point given in ``crs`` (converted to WGS-84 first), its squad and district."""
        wgs_lng, wgs_lat = to_wgs84(lng, lat, crs)
        hit = self.index(session).locate(wgs_lng, wgs_lat)
        if hit is None:
            raise NotFound("该位置不在任何单元网格内，需人工指定责任单位", code="grid.not_found")
        grid = session.get(Grid, hit.grid_id)
        squad = session.get(OrgUnit, hit.squad_id)
        assert grid is not None and squad is not None
        district = OrgUnitRepository(session).ancestor_of_level(squad.id, OrgLevel.district)
        return GridLocation(
            grid_code=grid.grid_code,
            grid_id=grid.id,
            grid_name=grid.name,
            squad=NamedRef(id=squad.id, name=squad.name),
            district=NamedRef(id=district.id, name=district.name) if district else None,
            lng=round(wgs_lng, 7),
            lat=round(wgs_lat, 7),
            crs_in=str(crs),
        )


grid_service = GridService()
grid_locator = GridLocator()
