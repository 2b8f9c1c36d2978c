"""Track history for 轨迹回放: a few officers and vehicles of every squad patrolled their own grids over the past
hours — walking (or driving) from grid to grid, stopping at some for a few minutes — and ended where the live map
shows them now. Nothing is dated after now; fixes are a minute apart, as an 执法终端 reports them."""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timedelta

from shapely.geometry import shape
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.dispatching.models import FixSource, Position, SubjectKind, TrackPoint
from chengguan.org.models import Grid

PATROL_HOURS = 9  # the shift the history covers, ending now
FIX_EVERY_S = 60
SUBJECTS_PER_SQUAD = {SubjectKind.officer: 2, SubjectKind.vehicle: 1}
SPEED_MPS = {SubjectKind.officer: 1.2, SubjectKind.vehicle: 6.0}  # walking pace; a car in city traffic
DWELL_MINUTES = (2, 25)  # a look at a shop front up to a check of a site
NEIGHBOURS = 4
M_PER_DEG_LAT = 111_320.0


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (b[0] - a[0]) * M_PER_DEG_LAT * math.cos(math.radians(a[1]))
    return math.hypot(dx, (b[1] - a[1]) * M_PER_DEG_LAT)


def _route(rng: random.Random, spots: list[tuple[float, float]], end: tuple[float, float], kind: SubjectKind,
           start: datetime, now: datetime) -> list[tuple[datetime, float, float]]:  # fmt: skip
    """Waypoints (with a dwell at each) from grid to grid, walked backwards from the live position so the track
    ends exactly there at ``now``; then sampled every FIX_EVERY_S."""
    legs: list[tuple[tuple[float, float], float]] = []  # (waypoint, dwell seconds), latest first
    total, here = 0.0, end
    speed = SPEED_MPS[kind]
    while total < (now - start).total_seconds():
        dwell = rng.uniform(*DWELL_MINUTES) * 60 if rng.random() < 0.6 else 0.0
        legs.append((here, dwell))
        # The next grid is one of the few nearest: a patrol works its way through neighbouring grids.
        near = sorted(spots, key=lambda p: _metres(here, p))
        there = rng.choice(near[1 : 1 + NEIGHBOURS] or near)
        there = (there[0] + rng.uniform(-0.0005, 0.0005), there[1] + rng.uniform(-0.0004, 0.0004))
        total += dwell + _metres(here, there) / speed
        here = there
    # Forward in time: from the earliest waypoint, travel then dwell, one leg after another.
    timeline: list[tuple[float, tuple[float, float], tuple[float, float]]] = []  # (until_s, from, to)
    t = (now - start).total_seconds() - total
    previous = here
    for waypoint, dwell in reversed(legs):
        t += _metres(previous, waypoint) / speed
        timeline.append((t, previous, waypoint))
        t += dwell
        timeline.append((t, waypoint, waypoint))
        previous = waypoint
    fixes: list[tuple[datetime, float, float]] = []
    step, s, began = 0, 0.0, (now - start).total_seconds() - total
    span = (now - start).total_seconds()
    while s <= span:
        while step < len(timeline) - 1 and timeline[step][0] < s:
            step += 1
        until, a, b = timeline[step]
        leg_start = timeline[step - 1][0] if step else began
        share = 1.0 if until <= leg_start else min(1.0, max(0.0, (s - leg_start) / (until - leg_start)))
        jitter = 0.00003 if a != b else 0.00002  # a few metres of GPS scatter
        fixes.append((start + timedelta(seconds=s), a[0] + (b[0] - a[0]) * share + rng.uniform(-jitter, jitter),
                      a[1] + (b[1] - a[1]) * share + rng.uniform(-jitter, jitter)))  # fmt: skip
        s += FIX_EVERY_S
    fixes[-1] = (now, end[0], end[1])
    return fixes


def seed_tracks(session: Session, seed: int = 2026) -> int:
    """The past PATROL_HOURS of fixes of SUBJECTS_PER_SQUAD officers and vehicles per squad; returns the rows."""
    rng = random.Random(seed + 22)
    now = clock.now()
    start = now - timedelta(hours=PATROL_HOURS)
    spots: dict[uuid.UUID, list[tuple[float, float]]] = {}
    for g in session.scalars(select(Grid).order_by(Grid.grid_code)):
        p = shape(g.geometry).representative_point()
        spots.setdefault(g.squad_id, []).append((p.x, p.y))
    live = session.scalars(select(Position).order_by(Position.subject_kind, Position.subject_id)).all()
    taken: dict[tuple[uuid.UUID | None, SubjectKind], int] = {}
    rows = []
    for position in live:
        kind = SubjectKind(position.subject_kind)
        key = (position.unit_id, kind)
        if position.unit_id not in spots or taken.get(key, 0) >= SUBJECTS_PER_SQUAD[kind]:
            continue
        taken[key] = taken.get(key, 0) + 1
        for at, lng, lat in _route(rng, spots[position.unit_id], (position.lng, position.lat), kind, start, now):
            rows.append({"subject_kind": kind, "subject_id": position.subject_id, "at": at,
                         "unit_id": position.unit_id, "lng": lng, "lat": lat,
                         "speed_mps": None, "source": FixSource.device})  # fmt: skip
    if rows:
        session.execute(insert(TrackPoint), rows)
    return len(rows)
