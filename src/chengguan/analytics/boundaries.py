"""The big screen's outlines: district, street (squad) and grid boundaries from the platform's own unit grids.

Only grids carry geometry (WGS-84 GeoJSON); a street's outline is the union of its squad's grids and a district's the
union of its streets' — nothing is invented. Simplified (≈10 m) so a city's outlines stay a few hundred kilobytes.
Grids themselves are sent while there are at most ``GRID_LIMIT`` of them (a wall cannot show more legibly).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from typing import Any

from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.org.models import Grid, OrgUnit
from chengguan.org.repository import GridRepository

GRID_LIMIT = 3000
TOLERANCE = 0.0001  # degrees, about 10 m: invisible on a wall, a tenth of the points


def place_name(unit_name: str) -> str:
    """The area an enforcement unit covers, for a map label: 「市南区综合行政执法局」→「市南区」,
    「八大关街道执法中队」→「八大关街道」 (the unit's own name when it has no such ending)."""
    return re.sub(r"(城市管理)?(综合行政)?执法(局|分局|大队|中队)$", "", unit_name) or unit_name


def _feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": mapping(geometry), "properties": properties}


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    """Coordinates to 5 decimals (about a metre): half the bytes of full floats."""

    def walk(c: Any) -> Any:
        return round(c, 5) if isinstance(c, float) else [walk(x) for x in c]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def outlines(session: Session, principal: StaffPrincipal) -> dict[str, Any]:
    """``{"districts", "streets", "grids"}``: GeoJSON FeatureCollections of the readable grids and their unions,
    each feature with ``id``, ``name`` and (for labels) ``cx``/``cy``, a point inside the outline."""
    grids = list(session.scalars(GridRepository(session).readable(principal).order_by(Grid.grid_code)))
    squads = {g.squad_id for g in grids}
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(squads)))} if squads else {}
    parents = {u.parent_id for u in units.values() if u.parent_id}
    districts = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(parents)))} if parents else {}
    by_squad: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for g in grids:
        by_squad[g.squad_id].append(shape(g.geometry))
    streets: dict[uuid.UUID, Any] = {s: unary_union(shapes).buffer(0) for s, shapes in by_squad.items()}
    by_district: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for s, outline in streets.items():
        parent = units[s].parent_id if s in units else None
        if parent in districts:
            by_district[parent].append(outline)

    def collection(items: dict[uuid.UUID, Any], names: dict[uuid.UUID, OrgUnit]) -> dict[str, Any]:
        features = []
        for key, outline in items.items():
            simple = outline.simplify(TOLERANCE, preserve_topology=True)
            inside = simple.representative_point()
            unit = names.get(key)
            name = place_name(unit.name) if unit else ""
            feature = _feature(simple, id=str(key), name=name, cx=round(inside.x, 5), cy=round(inside.y, 5))
            feature["geometry"] = _rounded(feature["geometry"])
            features.append(feature)
        return {"type": "FeatureCollection", "features": features}

    grid_features = [
        {"type": "Feature", "geometry": _rounded(g.geometry),
         "properties": {"id": g.grid_code, "name": g.name, "cx": g.centroid_lng, "cy": g.centroid_lat}}
        for g in grids
    ] if len(grids) <= GRID_LIMIT else []  # fmt: skip
    return {
        "districts": collection({d: unary_union(parts) for d, parts in by_district.items()}, districts),
        "streets": collection(streets, units),
        "grids": {"type": "FeatureCollection", "features": grid_features},
    }
