"""Dispatching test helpers: the 八大关 officer (a phone login), fresh spots in the squad's grids, fixes, sources."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from shapely.geometry import shape
from sqlalchemy import select, update

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.dispatching.models import ACTIVE_TASK, DispatchTask, Position
from chengguan.org.models import Grid, Officer
from support import signal

M_PER_DEG_LAT = 111_320.0
ACTIVE = sorted(ACTIVE_TASK)
_spots = itertools.count()


def north(lng: float, lat: float, metres: float) -> tuple[float, float]:
    return lng, lat + metres / M_PER_DEG_LAT


@pytest.fixture(scope="session")
def squad_points(shared_db: Database) -> dict[str, list[tuple[float, float]]]:
    """squad id → an inner point of each of its grids."""
    with shared_db.session(write=False) as session:
        out: dict[str, list[tuple[float, float]]] = {}
        for g in session.scalars(select(Grid).order_by(Grid.grid_code)):
            p = shape(g.geometry).representative_point()
            out.setdefault(str(g.squad_id), []).append((p.x, p.y))
        return out


@pytest.fixture
def bdg(client, login, squad_points, db) -> Iterator[dict]:
    """The 八大关 officer's login, officer id and squad, another officer of the squad and a fresh spot there; the
    officer is on duty and has no open task afterwards (the session database is shared by every test)."""
    headers = login("bdg_officer")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    squad = me["unit"]["id"]
    with db.session(write=False) as session:
        other = session.scalars(
            select(Officer.id).where(Officer.unit_id == uuid.UUID(squad), Officer.id != uuid.UUID(me["officer"]["id"]))
        ).first()
    points = squad_points[squad]
    n = next(_spots)
    lng, lat = points[n % len(points)]
    ring = n // len(points)
    spot = (lng + 0.0006 * (ring % 3 - 1), lat + 0.0005 * (ring // 3 % 3 - 1))
    yield {
        "headers": headers,
        "officer_id": me["officer"]["id"],
        "squad_id": squad,
        "other": str(other),
        "spot": spot,
        "name": me["display_name"],
    }
    clock.set_now(None)
    officer_id = uuid.UUID(me["officer"]["id"])
    with db.session() as session, session.begin():
        for task in session.scalars(
            select(DispatchTask).where(
                DispatchTask.officer_id == officer_id, DispatchTask.status.in_(sorted(ACTIVE_TASK))
            )
        ):
            task.status = "cancelled"
        # A fix taken under a clock moved forward would outlive the test (an older fix never replaces a newer one).
        session.execute(
            update(Position)
            .where(Position.subject_id == officer_id, Position.at > clock.now())
            .values(at=clock.now() - timedelta(seconds=1))
        )
    client.put("/api/v1/dispatch/me/duty", json={"on_duty": True}, headers=headers)
    fix = {"subject_id": str(officer_id), "lng": spot[0], "lat": spot[1], "at": clock.now().isoformat()}
    assert client.post("/api/v1/dispatch/me/position", json=fix, headers=headers).status_code == 204


@pytest.fixture
def place(client, login) -> Callable[..., None]:
    """A fix posted by a positioning gateway (positions:batch, as the command centre's account)."""
    command = login("command")

    def _place(officer_id: str, lng: float, lat: float, **extra) -> dict:
        fix = {"subject_id": officer_id, "lng": lng, "lat": lat, "at": clock.now().isoformat()} | extra
        body = {"positions": [fix]}
        response = client.post("/api/v1/positions:batch", json=body, headers=command)
        assert response.status_code == 200, response.text
        return response.json()

    return _place


@pytest.fixture
def phone_fix(client) -> Callable[..., object]:
    """A fix from the officer's own phone (执法通)."""

    def _fix(who: dict, lng: float, lat: float, **extra):
        body = {"subject_id": who["officer_id"], "lng": lng, "lat": lat, "at": clock.now().isoformat()} | extra
        return client.post("/api/v1/dispatch/me/position", json=body, headers=who["headers"])

    return _fix


@pytest.fixture
def new_source(client, login) -> Callable[..., dict]:
    command = login("command")

    def _source(lng: float, lat: float, category: str = "09005") -> dict:
        response = client.post(
            "/api/v1/signals:batch", json={"signals": [signal(lng, lat, category=category)]}, headers=command
        )
        assert response.status_code == 200, response.text
        result = response.json()["results"][0]
        assert result["problem"] is None and not result["merged"], result
        return client.get(f"/api/v1/case-sources/{result['case_source_id']}", headers=command).json()

    return _source
