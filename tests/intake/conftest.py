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
from chengguan.org.models import Grid

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
