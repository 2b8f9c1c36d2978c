"""LiveIndex: exact k-nearest (equal to a brute-force haversine scan, ties by str(key)) under random data and moves;
StraightLineEta: zero, monotone, vehicles faster than officers."""

import math
import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.core.geo import haversine_m
from chengguan.dispatching.eta import EtaEstimator, StraightLineEta
from chengguan.dispatching.nearest import Entry, LiveIndex

QINGDAO = (120.2, 35.9, 120.6, 36.4)
WORLD = (-180.0, -90.0, 180.0, 90.0)
KINDS = ("officer", "vehicle")
UNITS = (1, 2, 3, None)


def brute_force(
    entries,
    lng,
    lat,
    k,
    *,
    kind="officer",
    available_only=True,
    max_distance_m=None,
    exclude=frozenset(),
    unit_ids=None,
):
    """The rule, spelled out: every matching entry, haversine from the query, sorted by (metres, str(key))."""
    hits = []
    for e in entries:
        if (kind is not None and e.kind != kind) or (available_only and not e.available) or e.key in exclude:
            continue
        if unit_ids is not None and e.unit_id not in unit_ids:
            continue
        d = haversine_m(lng, lat, e.lng, e.lat)
        if max_distance_m is None or d <= max_distance_m:
            hits.append((d, str(e.key), e.key))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [(key, d) for d, _s, key in hits[: max(k, 0)]]


def make_key(i):
    # Mixed key types whose str() never collide: ints, strings and tuples.
    return (i, "officer-" + str(i), ("car", i))[i % 3]


@st.composite
def point_sets(draw, box):
    n = draw(st.integers(0, 300))
    x0, y0, x1, y1 = box
    pool = draw(st.lists(st.tuples(st.floats(x0, x1), st.floats(y0, y1)), min_size=1, max_size=10))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    entries = []
    for i in range(n):
        lng, lat = rnd.choice(pool) if rnd.random() < 0.2 else (rnd.uniform(x0, x1), rnd.uniform(y0, y1))
        entries.append(Entry(make_key(i), lng, lat, rnd.random() < 0.8, rnd.choice(KINDS), rnd.choice(UNITS)))
    return entries


@st.composite
def queries(draw, box, entries):
    x0, y0, x1, y1 = box
    if entries and draw(st.booleans()):
        # Near or exactly at a point: exercises zero distances and ties.
        e = draw(st.sampled_from(entries))
        lng = min(180.0, max(-180.0, e.lng + draw(st.sampled_from([0.0, 1e-9, -0.003, 0.01]))))
        lat = min(90.0, max(-90.0, e.lat + draw(st.sampled_from([0.0, -1e-9, 0.002, -0.02]))))
    else:
        lng, lat = draw(st.floats(x0, x1)), draw(st.floats(y0, y1))
    keys = [e.key for e in entries]
    return {
        "lng": lng,
        "lat": lat,
        "k": draw(st.integers(0, 25)),
        "kind": draw(st.sampled_from([*KINDS, None])),
        "available_only": draw(st.booleans()),
        "max_distance_m": draw(st.one_of(st.none(), st.floats(0, 50_000), st.floats(0, 2e7))),
        "exclude": frozenset(draw(st.lists(st.sampled_from(keys), max_size=5))) if keys else frozenset(),
        "unit_ids": draw(st.one_of(st.none(), st.sets(st.sampled_from(UNITS), max_size=3))),
    }


def build(entries, cell_m):
    index = LiveIndex(cell_m)
    for e in entries:
        index.upsert(e.key, e.lng, e.lat, available=e.available, kind=e.kind, unit_id=e.unit_id)
    return index


def check(index, entries, q):
    args = dict(q)
    lng, lat, k = args.pop("lng"), args.pop("lat"), args.pop("k")
    assert index.nearest(lng, lat, k, **args) == brute_force(entries, lng, lat, k, **args)


CELLS = st.sampled_from([50.0, 500.0, 3000.0, 250_000.0])


@pytest.mark.parametrize("box", [QINGDAO, WORLD], ids=["qingdao", "world"])
@settings(max_examples=150, deadline=None)
@given(data=st.data(), cell_m=CELLS)
def test_nearest_equals_brute_force(box, data, cell_m):
    entries = data.draw(point_sets(box))
    index = build(entries, cell_m)
    assert len(index) == len(entries)
    for _ in range(8):
        check(index, entries, data.draw(queries(box, entries)))


@pytest.mark.parametrize("box", [QINGDAO, WORLD], ids=["qingdao", "world"])
@settings(max_examples=80, deadline=None)
@given(data=st.data(), cell_m=CELLS, seed=st.integers(0, 2**32 - 1))
def test_nearest_after_moves_and_removes(box, data, cell_m, seed):
    entries = data.draw(point_sets(box))
    index = build(entries, cell_m)
    model = {e.key: e for e in entries}
    rnd = random.Random(seed)
    x0, y0, x1, y1 = box
    for step in range(rnd.randint(1, 400)):
        op = rnd.random()
        if model and op < 0.2:
            key = rnd.choice(list(model))
            index.remove(key)
            del model[key]
        elif model and op < 0.8:
            # A small random-walk move (often within the same cell), sometimes a new status, kind or unit.
            e = model[rnd.choice(list(model))]
            lng = min(x1, max(x0, e.lng + rnd.gauss(0, 0.002)))
            lat = min(y1, max(y0, e.lat + rnd.gauss(0, 0.002)))
            e = e._replace(
                lng=lng,
                lat=lat,
                available=e.available ^ (rnd.random() < 0.1),
                kind=rnd.choice(KINDS) if rnd.random() < 0.05 else e.kind,
                unit_id=rnd.choice(UNITS) if rnd.random() < 0.05 else e.unit_id,
            )
            index.upsert_many([tuple(e)])
            model[e.key] = e
        else:
            key = make_key(10_000 + step)
            e = Entry(key, rnd.uniform(x0, x1), rnd.uniform(y0, y1), True, rnd.choice(KINDS), rnd.choice(UNITS))
            index.upsert(key, e.lng, e.lat, available=e.available, kind=e.kind, unit_id=e.unit_id)
            model[key] = e
    assert len(index) == len(model)
    for key, e in model.items():
        assert index.get(key) == e
    current = list(model.values())
    for _ in range(8):
        check(index, current, data.draw(queries(box, current)))


def test_empty_index_and_k_larger_than_count():
    index = LiveIndex()
    assert index.nearest(120.4, 36.1) == []
    index.upsert("a", 120.40, 36.10)
    index.upsert("b", 120.41, 36.10, available=False)
    index.upsert("c", 120.42, 36.10, kind="vehicle")
    assert [key for key, _ in index.nearest(120.4, 36.1, k=50)] == ["a"]
    assert [key for key, _ in index.nearest(120.4, 36.1, k=50, available_only=False)] == ["a", "b"]
    assert [key for key, _ in index.nearest(120.4, 36.1, k=50, kind=None)] == ["a", "c"]
    assert index.nearest(120.4, 36.1, k=0) == []
    index.remove("a")
    index.remove("a")  # idempotent
    assert index.nearest(120.4, 36.1) == []
    assert index.get("a") is None
    assert len(index) == 2


def test_far_query_and_ties_by_str_key():
    rnd = random.Random(3)
    entries = [Entry(i, rnd.uniform(120.2, 120.6), rnd.uniform(35.9, 36.4), True, "officer", None) for i in range(2000)]
    entries += [Entry(f"t{i}", 120.3, 36.0, True, "officer", None) for i in (3, 1, 2)]
    index = build(entries, 500.0)
    for lng, lat in [(0.0, 0.0), (-179.9, -89.0), (179.99, 89.99), (120.3, 36.0), (121.5, 36.1)]:
        assert index.nearest(lng, lat, 7) == brute_force(entries, lng, lat, 7)
    assert [key for key, _ in index.nearest(120.3, 36.0, 3)] == ["t1", "t2", "t3"]


def test_exact_tie_across_a_cell_edge_is_found():
    # "b" sits in the query's own cell, "a" exactly on the next row's edge at the bit-identical distance: the search
    # must not stop after the first ring, because the smaller str(key) outside it wins the tie.
    h = 500.0 / (6371008.8 * math.pi / 180.0)  # LiveIndex's cell height in degrees for cell_m=500
    edge = 8001 * h
    while math.floor(edge / h) != 8001:
        edge = math.nextafter(edge, 90.0)
    rnd = random.Random(1)
    while True:
        q = edge - rnd.uniform(0.0001, 0.4) * h
        south = 2 * q - edge
        if math.floor(south / h) == 8000 and haversine_m(120.5, q, 120.5, edge) == haversine_m(120.5, q, 120.5, south):
            break
    index = LiveIndex(500.0)
    index.upsert("b", 120.5, south)
    index.upsert("a", 120.5, edge)
    assert index.nearest(120.5, q, 1) == [("a", haversine_m(120.5, q, 120.5, edge))]


def test_antimeridian_and_poles():
    index = LiveIndex(1000.0)
    index.upsert("east", 179.999, 10.0)
    index.upsert("west-far", 170.0, 10.0)
    index.upsert("pole", 45.0, 89.9999)
    index.upsert("pole2", -135.0, 89.9999)
    assert index.nearest(-179.999, 10.0, 1)[0][0] == "east"
    assert [key for key, _ in index.nearest(0.0, 90.0, 2)] == ["pole", "pole2"]


def test_invalid_input_changes_nothing():
    index = LiveIndex()
    with pytest.raises(ValueError):
        index.upsert_many([("a", 120.4, 36.1, True, "officer", None), ("b", 200.0, 36.1, True, "officer", None)])
    with pytest.raises(ValueError):
        index.upsert("c", 120.4, math.nan)
    with pytest.raises(ValueError):
        index.nearest(120.4, 91.0)
    with pytest.raises(ValueError):
        LiveIndex(0.0)
    assert len(index) == 0


def test_concurrent_updates_and_queries_do_not_break():
    index = LiveIndex()
    rnd = random.Random(5)
    index.upsert_many(
        (i, rnd.uniform(120.2, 120.6), rnd.uniform(35.9, 36.4), True, "officer", None) for i in range(2000)
    )
    stop = threading.Event()
    errors = []

    def writer():
        wr = random.Random(6)
        try:
            while not stop.is_set():
                index.upsert_many(
                    [
                        (
                            wr.randrange(3000),
                            wr.uniform(120.2, 120.6),
                            wr.uniform(35.9, 36.4),
                            wr.random() < 0.9,
                            wr.choice(KINDS),
                            None,
                        )
                        for _ in range(50)
                    ]
                )
                index.remove(wr.randrange(3000))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(3000):
            result = index.nearest(rnd.uniform(120.2, 120.6), rnd.uniform(35.9, 36.4), 5)
            assert [d for _, d in result] == sorted(d for _, d in result)
    finally:
        stop.set()
        thread.join()
    assert not errors


def test_eta_straight_line():
    eta = StraightLineEta()
    assert isinstance(eta, EtaEstimator)
    assert eta.eta_s(120.4, 36.1, 120.4, 36.1, kind="officer") == 0
    assert eta.eta_s(120.4, 36.1, 120.4, 36.1, kind="vehicle") == 0
    # 1 km straight line, ×1.3 detour, at 15 km/h: 1300 m / (15/3.6 m/s) = 312 s (rounded up).
    one_km_lat = 1000.0 / haversine_m(120.4, 36.0, 120.4, 37.0)
    d = haversine_m(120.4, 36.0, 120.4, 36.0 + one_km_lat)
    assert eta.eta_s(120.4, 36.0, 120.4, 36.0 + one_km_lat, kind="officer") == math.ceil(d * 1.3 / (15 / 3.6))
    previous = {kind: 0 for kind in KINDS}
    for step in range(1, 200):
        to_lat = 36.0 + step * 0.0007
        for kind in KINDS:
            t = eta.eta_s(120.4, 36.0, 120.41, to_lat, kind=kind)
            assert t >= previous[kind]
            previous[kind] = t
        assert eta.eta_s(120.4, 36.0, 120.41, to_lat, kind="vehicle") < eta.eta_s(
            120.4, 36.0, 120.41, to_lat, kind="officer"
        )
    with pytest.raises(ValueError):
        eta.eta_s(120.4, 36.0, 120.5, 36.0, kind="drone")
    custom = StraightLineEta({"officer": 5.0, "drone": 60.0}, detour=1.0)
    assert custom.eta_s(120.4, 36.0, 120.4, 36.0 + one_km_lat, kind="drone") == math.ceil(d / (60 / 3.6))
    with pytest.raises(ValueError):
        StraightLineEta({"officer": 0.0})
