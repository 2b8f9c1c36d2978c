"""GridIndex: exact covers semantics, smallest-grid_code ties, and the fast path agreeing with brute force."""

import math
import random
from itertools import pairwise

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, box

from chengguan.core.geo import to_wgs84, wgs84_to_gcj02
from chengguan.core.grid_index import GridIndex, GridShape
from chengguan.demo.geography import build_demo_city


def brute_force(shapes, lng, lat):
    """The rule, spelled out: smallest grid_code among the grids whose polygon covers the point."""
    hits = [s for s in shapes if s.polygon.covers(Point(lng, lat))]
    return min(hits, key=lambda s: s.grid_code) if hits else None


@pytest.fixture(scope="module")
def demo_shapes():
    return build_demo_city().grid_shapes()


@pytest.fixture(scope="module")
def demo_index(demo_shapes):
    return GridIndex(demo_shapes)


def test_every_grid_finds_its_inside_point(demo_index, demo_shapes):
    for shape in demo_shapes:
        p = shape.polygon.representative_point()
        assert demo_index.locate(p.x, p.y) is shape


def test_vertices_are_covered_and_deterministic(demo_index, demo_shapes):
    for shape in demo_shapes:
        for x, y in shape.polygon.exterior.coords:
            hit = demo_index.locate(x, y)
            # A vertex belongs to its own grid at least, so something must cover it; ties → smallest code.
            assert hit is not None and hit.polygon.covers(Point(x, y))
            assert hit.grid_code <= shape.grid_code
            assert hit is demo_index.locate_exact(x, y)


def test_edge_midpoints_match_brute_force(demo_index, demo_shapes):
    tree = shapely.STRtree([s.polygon for s in demo_shapes])
    located = 0
    for shape in demo_shapes[::3]:
        coords = list(shape.polygon.exterior.coords)
        for (x0, y0), (x1, y1) in pairwise(coords):
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            near = [demo_shapes[i] for i in tree.query(Point(mx, my).buffer(1e-9))]
            expected = brute_force(near, mx, my)
            assert demo_index.locate(mx, my) is expected
            located += expected is not None
    assert located > 0


def test_points_outside_every_grid(demo_index):
    for lng, lat in [(120.33, 36.00), (120.50, 36.05), (0.0, 0.0), (116.391, 39.907), (-180, -90), (180, 90)]:
        assert demo_index.locate(lng, lat) is None
    assert demo_index.locate(math.nan, 36.1) is None
    assert demo_index.locate(math.inf, math.inf) is None


def test_gcj02_input_converted_back_gives_same_grid(demo_index, demo_shapes):
    for shape in demo_shapes:
        p = shape.polygon.representative_point()
        gcj = wgs84_to_gcj02(p.x, p.y)
        assert demo_index.locate(*to_wgs84(*gcj, "gcj02")) is shape
        # Without conversion the ~500 m offset usually lands elsewhere; that is why the API converts first.


def _probe_points(shapes, n, seed):
    """Random points over the extent plus points at and a hair off vertices, where the fast path is most at risk."""
    rng = random.Random(seed)
    minx, miny, maxx, maxy = shapely.total_bounds([s.polygon for s in shapes])
    pts = [(rng.uniform(minx - 0.01, maxx + 0.01), rng.uniform(miny - 0.01, maxy + 0.01)) for _ in range(n)]
    for s in rng.sample(shapes, min(60, len(shapes))):
        for x, y in list(s.polygon.exterior.coords)[:8]:
            for eps in (0.0, 1e-12, 1e-9, 1e-7):
                pts += [(x + eps, y), (x - eps, y), (x, y + eps), (x, y - eps), (x + eps, y - eps)]
    return pts


def test_locate_equals_brute_force_on_demo(demo_index, demo_shapes):
    tree = shapely.STRtree([s.polygon for s in demo_shapes])
    for lng, lat in _probe_points(demo_shapes, 3000, 1):
        near = [demo_shapes[i] for i in tree.query(Point(lng, lat), predicate="intersects")]
        assert demo_index.locate(lng, lat) is brute_force(near, lng, lat)


def test_locate_many_matches_locate(demo_index, demo_shapes):
    pts = _probe_points(demo_shapes, 5000, 2)
    lngs, lats = [p[0] for p in pts], [p[1] for p in pts]
    assert demo_index.locate_many(lngs, lats) == [demo_index.locate(x, y) for x, y in pts]
    assert demo_index.locate_many(np.array(lngs), np.array(lats)) == demo_index.locate_many(lngs, lats)
    assert demo_index.locate_many([], []) == []
    with pytest.raises(ValueError):
        demo_index.locate_many([1.0], [])


def test_input_order_does_not_matter(demo_shapes):
    shuffled = list(demo_shapes)
    random.Random(3).shuffle(shuffled)
    a, b = GridIndex(demo_shapes), GridIndex(shuffled)
    for lng, lat in _probe_points(demo_shapes, 500, 4):
        assert a.locate(lng, lat) is b.locate(lng, lat)


def test_shared_border_goes_to_smallest_code():
    # Given in reverse code order on purpose: the answer depends on codes, never on input order.
    right = GridShape("r", "000000000000002", "s1", box(1, 0, 2, 1))
    left = GridShape("l", "000000000000001", "s1", box(0, 0, 1, 1))
    top = GridShape("t", "000000000000003", "s2", box(0, 1, 2, 2))
    index = GridIndex([top, right, left])
    assert index.locate(1.0, 0.5) is left  # shared edge
    assert index.locate(1.0, 1.0) is left  # corner of all three
    assert index.locate(1.5, 1.0) is right  # right/top edge
    assert index.locate(2.0, 2.0) is top  # outer corner
    assert index.locate(1.5, 0.5) is right
    assert index.locate(2.0000001, 0.5) is None
    assert index.locate_many([1.0, 1.5, 5.0], [0.5, 1.0, 5.0]) == [left, right, None]


def test_overlapping_grids_smallest_code_wins():
    a = GridShape(1, "370202001001002", "s", box(0, 0, 2, 2))
    b = GridShape(2, "370202001001001", "s", box(1, 1, 3, 3))
    index = GridIndex([a, b])
    assert index.locate(1.5, 1.5) is b
    assert index.locate(0.5, 0.5) is a
    assert index.locate(2.5, 2.5) is b


def test_multipolygon_and_hole():
    ring = shapely.Polygon(box(0, 0, 4, 4).exterior.coords, [box(1, 1, 3, 3).exterior.coords])
    inner = GridShape("in", "000000000000002", "s", box(1, 1, 3, 3))
    outer = GridShape("out", "000000000000001", "s", ring)
    islands = GridShape("isl", "000000000000003", "s", MultiPolygon([box(10, 10, 11, 11), box(12, 10, 13, 11)]))
    index = GridIndex([inner, outer, islands])
    assert index.locate(2, 2) is inner
    assert index.locate(1, 2) is outer  # on the hole's rim: both cover it, smaller code wins
    assert index.locate(0.5, 0.5) is outer
    assert index.locate(12.5, 10.5) is islands
    assert index.locate(11.5, 10.5) is None


def test_empty_and_invalid_input():
    empty = GridIndex([])
    assert len(empty) == 0 and empty.locate(120.3, 36.1) is None and empty.locate_many([1.0], [2.0]) == [None]
    g = GridShape(1, "000000000000001", "s", box(0, 0, 1, 1))
    with pytest.raises(ValueError):
        GridIndex([g, GridShape(2, "000000000000001", "s", box(1, 0, 2, 1))])
    with pytest.raises(ValueError):
        GridIndex([GridShape(1, "000000000000001", "s", shapely.LineString([(0, 0), (1, 1)]))])


@st.composite
def jittered_lattice(draw):
    """An irregular tessellation with shared borders: a lattice whose interior vertices are jittered."""
    n = draw(st.integers(2, 5))
    jit = draw(st.lists(st.floats(-0.3, 0.3), min_size=2 * (n + 1) ** 2, max_size=2 * (n + 1) ** 2))
    step = draw(st.sampled_from([1.0, 0.001, 0.0137]))

    def vertex(i, j):
        k = 2 * (i * (n + 1) + j)
        inner_i, inner_j = 0 < i < n, 0 < j < n
        return (
            120 + step * (i + (jit[k] if inner_i and inner_j else 0)),
            36 + step * (j + (jit[k + 1] if inner_i and inner_j else 0)),
        )

    shapes = []
    for i in range(n):
        for j in range(n):
            poly = shapely.Polygon([vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1), vertex(i, j + 1)])
            code = f"{draw(st.integers(0, 10**6)):09d}{i:03d}{j:03d}"
            shapes.append(GridShape((i, j), code, "s", poly))
    return shapes, step


@settings(max_examples=40, deadline=None)
@given(jittered_lattice(), st.integers(0, 2**32 - 1), st.sampled_from([4, 32, 200]))
def test_fast_path_never_disagrees_with_exact(lattice, seed, cells_per_grid):
    shapes, step = lattice
    index = GridIndex(shapes, cells_per_grid=cells_per_grid)
    rng = random.Random(seed)
    pts = [
        (
            120 + rng.uniform(-0.5, len(shapes) ** 0.5 + 0.5) * step,
            36 + rng.uniform(-0.5, len(shapes) ** 0.5 + 0.5) * step,
        )
        for _ in range(200)
    ]
    # Every vertex and edge midpoint: the points most likely to sit on shared borders.
    for s in shapes:
        c = list(s.polygon.exterior.coords)
        pts += c + [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in pairwise(c)]
    expected = [brute_force(shapes, x, y) for x, y in pts]
    assert [index.locate(x, y) for x, y in pts] == expected
    assert index.locate_many([p[0] for p in pts], [p[1] for p in pts]) == expected


@pytest.mark.parametrize("x0", [0.1, 0.3, 120.1, 120.37, 36.07, 1e-3, 7.7])
@pytest.mark.parametrize("size", [0.1, 0.01, 0.003, 0.07])
def test_points_a_few_ulps_from_cell_lines(x0, size):
    # Grid edges on the hash's own cell lines, codes falling eastward so each east neighbour owns whole cells: a point
    # an ulp west of an edge may be hashed into the east cell by rounding, and must still get its west grid.
    shapes = [GridShape(k, f"{999 - k:015d}", 0, box(x0 + k * size, 0.0, x0 + (k + 1) * size, size)) for k in range(12)]
    index = GridIndex(shapes, cells_per_grid=1)
    for k in range(1, 12):
        for direction in (-math.inf, math.inf):
            x = x0 + k * size
            for _ in range(6):
                x = math.nextafter(x, direction)
                assert index.locate(x, size / 2) is index.locate_exact(x, size / 2)


def test_concurrent_readers_agree(demo_index, demo_shapes):
    from concurrent.futures import ThreadPoolExecutor

    pts = _probe_points(demo_shapes, 2000, 5)
    expected = [demo_index.locate(x, y) for x, y in pts]
    fresh = GridIndex(demo_shapes)  # first use happens inside the threads
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: [fresh.locate(x, y) for x, y in pts], range(8)))
    assert all(r == expected for r in results)
