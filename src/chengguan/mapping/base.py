"""The offline base (离线底图): what orients a user with no tile server — district, street, community and grid
boundaries with their names, and labelled places (shops, sites, cameras, IoT devices) — drawn only from the
platform's own data: a street is the union of its squad's grids, a district the union of its squads' streets, a
community the union of the grids sharing its 12-digit division code (the first 12 digits of the 15-digit grid code,
legal-facts §5). Nothing is drawn that the data does not hold; squad offices have an address but no coordinates,
so they are not placed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.mapping import repository
from chengguan.mapping.enums import PlaceKind
from chengguan.mapping.rules import district_name, street_name
from chengguan.mapping.schemas import OfflineBase
from chengguan.org.enums import OrgLevel

# Coordinates are sent to 1e-6° (~0.1 m): grids share their edges exactly at this grid size, so their union has no
# slivers, and the payload is a third of full precision.
PRECISION_DEG = 1e-6


def _area(kind: PlaceKind, name: str, code: str, geometry: BaseGeometry, **extra: Any) -> dict[str, Any]:
    label = geometry.representative_point()  # inside the area even when it is concave (a centroid may not be)
    return {
        "type": "Feature",
        "geometry": mapping(geometry),
        "properties": {
            "kind": kind.value,
            "name": name,
            "code": code,
            "label": [round(label.x, 6), round(label.y, 6)],
            **extra,
        },
    }


def _place(kind: PlaceKind, place_id: Any, name: str, lng: float, lat: float, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
        "properties": {"kind": kind.value, "id": str(place_id), "name": name, **extra},
    }


def union(shapes: list[BaseGeometry]) -> BaseGeometry:
    """The union of grid shapes snapped to PRECISION_DEG (their shared edges merge, no slivers remain)."""
    return shapely.set_precision(shapely.unary_union(shapes), PRECISION_DEG)


def build(session: Session, principal: StaffPrincipal) -> OfflineBase:
    """The offline base of the principal's data scope."""
    grids = repository.grids(session, principal)
    shapes = {g.id: shapely.set_precision(shape(g.geometry), PRECISION_DEG) for g in grids}
    squads = repository.units(session, {g.squad_id for g in grids})
    districts = repository.units(session, {s.parent_id for s in squads.values() if s.parent_id})
    by_squad: dict[uuid.UUID, list[BaseGeometry]] = defaultdict(list)
    by_community: dict[str, list[BaseGeometry]] = defaultdict(list)
    community_squad: dict[str, uuid.UUID] = {}
    areas: list[dict[str, Any]] = []
    for g in grids:
        by_squad[g.squad_id].append(shapes[g.id])
        by_community[g.grid_code[:12]].append(shapes[g.id])
        community_squad[g.grid_code[:12]] = g.squad_id
        areas.append(_area(PlaceKind.grid, g.name, g.grid_code, shapes[g.id], id=str(g.id)))
    streets: dict[uuid.UUID, BaseGeometry] = {}
    by_district: dict[uuid.UUID, list[BaseGeometry]] = defaultdict(list)
    for squad_id, parts in by_squad.items():
        squad = squads[squad_id]
        streets[squad_id] = union(parts)
        if squad.parent_id in districts and districts[squad.parent_id].level is OrgLevel.district:
            by_district[squad.parent_id].append(streets[squad_id])
        areas.append(
            _area(
                PlaceKind.street,
                street_name(squad.name),
                squad.division_code,
                streets[squad_id],
                id=str(squad_id),
                squad=squad.name,
            )
        )
    for code, parts in sorted(by_community.items()):
        # No community name is kept (only its code inside the grid code): labelled by its street and number.
        street = street_name(squads[community_squad[code]].name)
        areas.append(_area(PlaceKind.community, f"{street}{code[9:]}社区", code, union(parts)))
    for district_id, parts in by_district.items():
        district = districts[district_id]
        areas.append(
            _area(
                PlaceKind.district,
                district_name(district.name),
                district.division_code,
                union(parts),
                id=str(district_id),
            )
        )
    places = [_place(PlaceKind.shop, i, n, x, y, address=a) for i, n, a, x, y in repository.shops(session, principal)]
    places += [_place(PlaceKind.camera, i, n, x, y, code=c) for i, n, c, x, y in repository.cameras(session, principal)]
    sensors = repository.sensors(session, principal)
    for i, name, site, address, x, y, health in sensors:
        places.append(_place(PlaceKind.device, i, name, x, y, site=site, address=address, health=health.value))
    for site, (x, y, address) in _sites(sensors).items():
        places.append(_place(PlaceKind.site, site, site, x, y, address=address))
    for i, name, address, x, y, level in repository.offices(session, principal):
        places.append(_place(PlaceKind.office, i, name, x, y, address=address, level=level.value))
    everything = list(streets.values())
    bounds = list(shapely.unary_union(everything).bounds) if everything else None
    return OfflineBase(
        areas={"type": "FeatureCollection", "features": areas},
        places={"type": "FeatureCollection", "features": places},
        bounds=bounds,
    )


def _sites(sensors: list[tuple[Any, ...]]) -> dict[str, tuple[float, float, str | None]]:
    """A site (工地、小区、泵房) placed at the mean position of the sensors watching it."""
    seen: dict[str, list[tuple[float, float, str | None]]] = defaultdict(list)
    for _, _, site, address, x, y, _ in sensors:
        if site:
            seen[site].append((x, y, address))
    return {
        site: (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points), points[0][2])
        for site, points in seen.items()
    }
