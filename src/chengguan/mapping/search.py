"""地名查找: streets (squads), grids, shops and sites matching a text, in the caller's data scope."""

from __future__ import annotations

from collections import defaultdict

import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.mapping import repository
from chengguan.mapping.enums import PlaceKind
from chengguan.mapping.rules import search_text, street_name
from chengguan.mapping.schemas import PlaceHit


def _bbox(geometry) -> list[float]:
    return [round(v, 6) for v in geometry.bounds]


def search(session: Session, principal: StaffPrincipal, q: str, limit: int) -> list[PlaceHit]:
    """Streets first (the widest), then grids, shops and sites, ``limit`` at most in all."""
    text = search_text(q)
    hits: list[PlaceHit] = []
    squads = repository.find_squads(session, principal, text, limit)
    if squads:
        parts = defaultdict(list)
        for g in repository.grids(session, principal, [s.id for s in squads]):
            parts[g.squad_id].append(shape(g.geometry))
        for squad in squads:
            if not parts[squad.id]:
                continue  # a squad without grids has no place on the map
            area = shapely.unary_union(parts[squad.id])
            point = area.representative_point()
            hits.append(
                PlaceHit(
                    kind=PlaceKind.street,
                    id=str(squad.id),
                    name=street_name(squad.name),
                    detail=squad.name,
                    lng=point.x,
                    lat=point.y,
                    bbox=_bbox(area),
                )
            )
    for g in repository.find_grids(session, principal, text, limit):
        area = shape(g.geometry)
        hits.append(
            PlaceHit(
                kind=PlaceKind.grid,
                id=str(g.id),
                name=g.name,
                detail=g.grid_code,
                lng=g.centroid_lng,
                lat=g.centroid_lat,
                bbox=_bbox(area),
            )
        )
    for m in repository.find_shops(session, principal, text, limit):
        hits.append(PlaceHit(kind=PlaceKind.shop, id=str(m.id), name=m.name, detail=m.address, lng=m.lng, lat=m.lat))
    seen: set[str] = set()
    for d in repository.find_sites(session, principal, text, limit):
        if d.site in seen:
            continue
        seen.add(d.site)
        hits.append(PlaceHit(kind=PlaceKind.site, id=d.site, name=d.site, detail=d.address or "", lng=d.lng, lat=d.lat))
    return hits[:limit]
