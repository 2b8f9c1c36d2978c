"""The dedup hash answers exactly what the rule (``dedup.matches``) says, checked against a scan of every candidate."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.intake.dedup import Candidate, CategoryHash, Params, matches

_BASE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
_M_PER_DEG_LAT = 111_320.0

offsets = st.floats(min_value=-2.5, max_value=2.5, allow_nan=False)  # in radii: the boundary is hit often
minutes = st.integers(min_value=-180, max_value=180)
candidate = st.tuples(offsets, offsets, minutes, st.integers(min_value=0, max_value=90))


def _point(lng0: float, lat0: float, dx: float, dy: float) -> tuple[float, float]:
    return lng0 + dx / (_M_PER_DEG_LAT * math.cos(math.radians(lat0))), lat0 + dy / _M_PER_DEG_LAT


def _brute_force(cands: list[Candidate], lng: float, lat: float, at: datetime, p: Params) -> Candidate | None:
    best, best_d = None, math.inf
    for c in cands:
        d = matches(c, lng, lat, at, p)
        if d is not None and (d < best_d or (d == best_d and best is not None and c.code < best.code)):
            best, best_d = c, d
    return best


@settings(max_examples=300, deadline=None)
@given(
    cands=st.lists(candidate, min_size=0, max_size=40),
    probe=st.tuples(offsets, offsets, minutes),
    radius=st.sampled_from([10, 50, 120]),
    window=st.sampled_from([15, 60]),
    where=st.sampled_from([(120.38, 36.07), (87.6, 43.8), (126.6, 45.7)]),  # 青岛, 乌鲁木齐, 哈尔滨
)
def test_hash_equals_brute_force(cands, probe, radius, window, where) -> None:
    p = Params(radius, timedelta(minutes=window))
    h = CategoryHash(p)
    made = []
    for n, (dx, dy, start, span) in enumerate(cands):
        lng, lat = _point(*where, dx * radius, dy * radius)
        first = _BASE + timedelta(minutes=start)
        c = Candidate(uuid.uuid4(), f"AY{n:06d}", "06010", lng, lat, first, first + timedelta(minutes=span))
        h.add(c)
        made.append(c)
    lng, lat = _point(*where, probe[0] * radius, probe[1] * radius)
    at = _BASE + timedelta(minutes=probe[2])
    assert h.best(lng, lat, at.timestamp()) is _brute_force(made, lng, lat, at, p)


def test_take_widens_the_span_and_counts() -> None:
    c = Candidate(uuid.uuid4(), "AY1", "06010", 120.0, 36.0, _BASE, _BASE + timedelta(minutes=5))
    earlier, later = _BASE - timedelta(minutes=3), _BASE + timedelta(minutes=9)
    c.take(later, later.timestamp())
    c.take(earlier, earlier.timestamp())
    c.take(_BASE, _BASE.timestamp())
    assert (c.first_at, c.last_at, c.added) == (earlier, later, 3)
    assert (c.t0, c.t1) == (earlier.timestamp(), later.timestamp())


def test_prune_forgets_only_sources_that_ended_before() -> None:
    h = CategoryHash(Params(50, timedelta(minutes=60)))
    old = Candidate(uuid.uuid4(), "AY1", "06010", 120.0, 36.0, _BASE, _BASE)
    recent = Candidate(uuid.uuid4(), "AY2", "06010", 120.0, 36.0, _BASE, _BASE + timedelta(hours=2))
    h.add(old)
    h.add(recent)
    h.prune(_BASE + timedelta(hours=1))
    assert h.best(120.0, 36.0, (_BASE + timedelta(hours=2)).timestamp()) is recent
    assert [c for cell in h.cells.values() for c in cell] == [recent]
