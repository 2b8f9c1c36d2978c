"""Where the problem is, for people without GPS: the grid outlines to tap on, and place names to pick from.

Without a commercial geocoder the platform knows two kinds of named places with coordinates: its unit grids
(社区/网格 names, centroid) and the registered shops (street address, point). A typed address is matched against
both; the reporter picks one and may still move the point on the map.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.merchants.models import Merchant
from chengguan.org.models import Grid

LIMIT = 10


def grid_outlines(session: Session) -> dict[str, Any]:
    """Every grid as a GeoJSON feature with its name and squad-free properties (what is printed on public maps)."""
    grids = session.execute(select(Grid.grid_code, Grid.name, Grid.geometry).order_by(Grid.grid_code)).all()
    features = [
        {"type": "Feature", "geometry": geometry, "properties": {"grid_code": code, "name": name}}
        for code, name, geometry in grids
    ]
    return {"type": "FeatureCollection", "features": features}


def suggest(session: Session, text: str) -> list[dict[str, Any]]:
    """Up to ten places whose name or address contains the typed words: grids first, then shop addresses."""
    words = text.strip()
    if len(words) < 2:
        return []
    grids = session.execute(
        select(Grid.name, Grid.centroid_lng, Grid.centroid_lat)
        .where(Grid.name.contains(words, autoescape=True)).order_by(Grid.name).limit(LIMIT)
    ).all()  # fmt: skip
    out = [{"label": name, "kind": "grid", "lng": round(lng, 6), "lat": round(lat, 6)} for name, lng, lat in grids]
    if len(out) < LIMIT:
        shops = session.execute(
            select(Merchant.address, Merchant.lng, Merchant.lat)
            .where(Merchant.address.contains(words, autoescape=True), Merchant.lng.is_not(None))
            .order_by(Merchant.address).limit(4 * LIMIT)
        ).all()  # fmt: skip
        seen = set()
        for address, lng, lat in shops:
            if address in seen:
                continue
            seen.add(address)
            out.append({"label": address, "kind": "address", "lng": round(lng, 6), "lat": round(lat, 6)})
            if len(out) >= LIMIT:
                break
    return out
