"""The vectorised GCJ-02 → WGS-84 inverse (bulk intake) agrees with the one-point function."""

from __future__ import annotations

import random

from chengguan.core.geo import gcj02_to_wgs84, gcj02_to_wgs84_many, wgs84_to_gcj02


def test_many_equals_one_by_one_inside_outside_and_at_the_edge_of_china():
    rng = random.Random(7)
    points = [(rng.uniform(73.0, 135.0), rng.uniform(3.0, 53.0)) for _ in range(2000)]
    points += [(-0.1276, 51.5072), (151.2093, -33.8688), (72.004, 30.0), (137.8347, 55.8271), (72.0039, 0.8293)]
    lngs, lats = gcj02_to_wgs84_many([p[0] for p in points], [p[1] for p in points])
    for (lng, lat), x, y in zip(points, lngs, lats, strict=True):
        ex, ey = gcj02_to_wgs84(lng, lat)
        assert abs(x - ex) < 1e-8 and abs(y - ey) < 1e-8
        assert isinstance(x, float) and isinstance(y, float)


def test_many_round_trips_to_1e_7_degrees():
    rng = random.Random(11)
    wgs = [(rng.uniform(116.0, 117.0), rng.uniform(39.5, 40.5)) for _ in range(500)]
    gcj = [wgs84_to_gcj02(*p) for p in wgs]
    lngs, lats = gcj02_to_wgs84_many([p[0] for p in gcj], [p[1] for p in gcj])
    assert max(abs(x - p[0]) for x, p in zip(lngs, wgs, strict=True)) < 1e-7
    assert max(abs(y - p[1]) for y, p in zip(lats, wgs, strict=True)) < 1e-7


def test_many_of_nothing():
    assert gcj02_to_wgs84_many([], []) == ([], [])
