"""Rectification fixtures: a grid of the demo officer's squad (八大关), where the tests' shops are."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cases.conftest import setup  # noqa: F401  (a fixture, used by name)
from chengguan.core.db import Database
from chengguan.identity.models import User
from chengguan.org.models import Grid


@pytest.fixture(scope="module")
def place(shared_db: Database) -> dict:
    with shared_db.session(write=False) as s:
        me = s.scalar(select(User).where(User.username == "bdg_officer"))
        grid = s.scalars(select(Grid).where(Grid.squad_id == me.unit_id).order_by(Grid.grid_code)).first()
        return {"squad": str(me.unit_id), "grid": (grid.grid_code, grid.centroid_lng, grid.centroid_lat)}
