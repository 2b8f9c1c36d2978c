"""Intake test helpers: signals at fresh spots inside demo grids (the session database is shared, so every test
uses its own places and keys)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

import pytest
from shapely.geometry import shape
from sqlalchemy import select

from chengguan.core.db import Database
from chengguan.core.geo import haversine_m
from chengguan.identity.models import User
from chengguan.org.models import Grid, OrgUnit

_counter = itertools.count()


@pytest.fixture(scope="session")
def grid_points(shared_db: Database) -> list[tuple[str, uuid.UUID, float, float]]:
    """(grid_code, squad_id, lng, lat) of a point inside every demo grid."""
    with shared_db.session(write=False) as session:
        grids = session.scalars(select(Grid).order_by(Grid.grid_code)).all()
        out = []
        for g in grids:
            p = shape(g.geometry).representative_point()
            out.append((g.grid_code, g.squad_id, p.x, p.y))
        return out


@pytest.fixture
def spot(grid_points: list[tuple[str, uuid.UUID, float, float]]) -> Callable[[], tuple[float, float]]:
    """A fresh point inside some demo grid, far (>150 m) from every other spot handed out in this session."""

    def _spot() -> tuple[float, float]:
        n = next(_counter)
        _, _, lng, lat = grid_points[n % len(grid_points)]
        ring = n // len(grid_points)
        # Small steps around the grid's inner point; grids are hundreds of metres wide.
        return lng + 0.0018 * ((ring % 3) - 1) * 0.9, lat + 0.0016 * ((ring // 3 % 3) - 1) * 0.9

    return _spot


@pytest.fixture(scope="module")
def units(shared_db: Database) -> dict:
    """The 八大关 squad (bdg_leader's), its district, another district's squad, and a point in a grid of each."""
    with shared_db.session(write=False) as s:
        mine = s.scalar(select(User.unit_id).where(User.username == "bdg_leader"))
        other = s.scalar(select(User.unit_id).where(User.username == "licun_officer"))
        grids = s.scalars(select(Grid).order_by(Grid.grid_code)).all()
        grid_of = {g.squad_id: g for g in grids}
        home = grid_of[mine]
        # the nearest grid of a neighbouring squad: inside a wide radius around the squad's spot
        spot = (home.centroid_lng, home.centroid_lat)
        others = [g for g in grids if g.squad_id != mine]
        near = min(others, key=lambda g: haversine_m(*spot, g.centroid_lng, g.centroid_lat))
        return {"mine": str(mine), "district": str(s.get(OrgUnit, mine).parent_id), "other": str(other),
                "my_point": (grid_of[mine].centroid_lng, grid_of[mine].centroid_lat),
                "other_point": (grid_of[other].centroid_lng, grid_of[other].centroid_lat),
                "near_point": (near.centroid_lng, near.centroid_lat)}  # fmt: skip
