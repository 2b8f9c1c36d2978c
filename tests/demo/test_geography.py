"""The synthetic Qingdao demo city: counts, code formats (legal-facts §5/§6), partitions, determinism."""

import re
import subprocess
import sys
from collections import Counter
from itertools import combinations

import pytest
import shapely
from shapely.geometry import Point, Polygon

from chengguan.core.geo import out_of_china, polygon_area_m2
from chengguan.core.grid_index import GridIndex
from chengguan.demo.geography import build_demo_city
from chengguan.demo.people import RANKS


@pytest.fixture(scope="module")
def city():
    return build_demo_city()


def test_counts(city):
    assert city.city.level == "city" and city.city.division_code == "370200"
    assert len(city.districts) == 3
    assert len(city.squads) == 12
    assert len(city.grids) >= 300
    assert len(city.officers) >= 200
    assert len(city.vehicles) == 40
    assert len(city.cameras) == 60
    per_squad = Counter(g.squad_code for g in city.grids)
    assert all(20 <= n <= 40 for n in per_squad.values()) and len(per_squad) == 12


def test_org_tree_and_division_codes(city):
    assert [(d.division_code, d.name) for d in city.districts] == [
        ("370202", "市南区综合行政执法局"),
        ("370203", "市北区综合行政执法局"),
        ("370213", "李沧区综合行政执法局"),
    ]
    codes = [u.code for u in city.units]
    assert len(set(codes)) == len(codes)
    for d in city.districts:
        assert re.fullmatch(r"3702\d{2}", d.division_code) and d.parent_code == "370200" and d.level == "district"
    for s in city.squads:
        assert re.fullmatch(r"\d{9}", s.division_code) and s.level == "squad"
        assert s.parent_code == s.division_code[:6]
        assert 1 <= int(s.division_code[6:]) <= 99  # 000–099 is the 街道 range (GB/T 2260 township level)
        assert s.name.endswith("街道执法中队")
    assert len({s.name for s in city.squads}) == 12


def test_grid_codes(city):
    codes = [g.grid_code for g in city.grids]
    assert len(set(codes)) == len(codes)
    squads = {s.code: s for s in city.squads}
    for g in city.grids:
        assert re.fullmatch(r"^[0-9A-Z]{15}$", g.grid_code)
        assert g.grid_code[:12] == g.community_code and g.community_code[:9] == g.squad_code
        assert g.squad_code[:6] == g.district_code
        assert 1 <= int(g.grid_code[12:]) <= 999 and int(g.grid_code[12:]) == g.sequence
        street = squads[g.squad_code].name.removesuffix("执法中队")
        assert g.name == f"{street}第{g.sequence:03d}网格"
        assert g.community_name.endswith("社区")


def test_geometry_is_in_qingdao_and_valid(city):
    for u in city.units:
        assert u.region.is_valid
        minx, miny, maxx, maxy = u.region.bounds
        assert 120.2 < minx < maxx < 120.6 and 36.0 < miny < maxy < 36.3
    for g in city.grids:
        assert isinstance(g.polygon, Polygon) and g.polygon.is_valid and not g.polygon.is_empty
        assert not out_of_china(*g.centroid)
        assert g.polygon.contains(Point(g.label_point))
        assert g.area_m2 == pytest.approx(polygon_area_m2(g.polygon), abs=0.1) and g.area_m2 > 10_000
    # Rough land areas of the real districts (about 30, 65, 96 km²): within a factor of two.
    for d, real in zip(city.districts, (30, 65, 96), strict=True):
        assert real / 2 < polygon_area_m2(d.region) / 1e6 < real * 2


def _overlap(a, b):
    return a.intersection(b).area


def test_districts_and_squads_do_not_overlap(city):
    for a, b in combinations([d.region for d in city.districts], 2):
        assert _overlap(a, b) < 1e-12
    for a, b in combinations([s.region for s in city.squads], 2):
        assert _overlap(a, b) < 1e-12
    for d in city.districts:
        own = [s.region for s in city.squads if s.parent_code == d.code]
        assert shapely.union_all(own).symmetric_difference(d.region).area < 1e-12 * max(1, d.region.area)


def test_grids_partition_their_squad(city):
    for s in city.squads:
        own = [g.polygon for g in city.grids if g.squad_code == s.code]
        assert sum(p.area for p in own) == pytest.approx(s.region.area, rel=1e-9)  # no overlaps …
        assert shapely.union_all(own).area == pytest.approx(s.region.area, rel=1e-9)  # … and no gaps


def test_grids_of_different_squads_do_not_overlap(city):
    polys = [g.polygon for g in city.grids]
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            assert _overlap(polys[i], polys[j]) < 1e-12


def test_officers(city):
    units = {u.code for u in city.units}
    assert len({o.code for o in city.officers}) == len(city.officers)
    assert len({o.name for o in city.officers}) == len(city.officers)
    assert len({o.phone for o in city.officers}) == len(city.officers)
    certs = [o.certificate_no for o in city.officers if o.kind == "certified"]
    assert len(set(certs)) == len(certs)
    for o in city.officers:
        assert o.unit_code in units and o.gender in ("male", "female")
        assert re.fullmatch(r"170\d{8}", o.phone)
        assert 2 <= len(o.name) <= 3
        if o.kind == "certified":
            assert re.fullmatch(r"3702\d{2}2026\d{4}", o.certificate_no) and o.rank in RANKS
        else:
            assert o.kind == "auxiliary" and o.certificate_no is None
    share = sum(o.kind == "auxiliary" for o in city.officers) / len(city.officers)
    assert 0.2 <= share <= 0.3
    # Every squad has a leader and enough certified officers to enforce in pairs.
    for s in city.squads:
        staff = [o for o in city.officers if o.unit_code == s.code]
        assert any(o.position == "中队长" for o in staff)
        assert sum(o.kind == "certified" for o in staff) >= 2


def test_vehicles(city):
    plates = [v.plate_no for v in city.vehicles]
    assert len(set(plates)) == 40
    units = {u.code for u in city.units}
    for v in city.vehicles:
        assert re.fullmatch(r"鲁B[A-HJ-NP-Z0-9]{5,6}", v.plate_no)
        assert v.kind in ("patrol_car", "truck", "motorcycle", "e_bike") and v.unit_code in units


def test_devices(city):
    codes = [d.code for d in city.devices]
    assert len(set(codes)) == len(codes)
    assert {d.kind for d in city.devices} == {"camera", "body_camera", "sensor", "drone", "relay_vehicle"}
    grids = {g.grid_code: g for g in city.grids}
    index = GridIndex(city.grid_shapes())
    for d in city.devices:
        if d.kind in ("body_camera", "drone", "relay_vehicle"):  # mobile: no fixed place
            assert d.lng is None and re.fullmatch(r"(BWC|UAV|RLY)-3702\d{2}-\d{4}", d.code)
            continue
        assert re.fullmatch(r"(CAM|IOT)-3702\d{2}-\d{4}", d.code)
        grid = grids[d.grid_code]
        assert grid.polygon.covers(Point(d.lng, d.lat)) and d.unit_code == grid.squad_code
        assert index.locate(d.lng, d.lat).grid_code == d.grid_code
    cam = city.cameras[0]
    assert cam.code[4:10] == grids[cam.grid_code].district_code


def test_same_seed_same_city_other_seed_differs(city):
    assert build_demo_city(2026) == city
    other = build_demo_city(7)
    assert other.grids == city.grids  # geography is fixed
    assert [o.name for o in other.officers] != [o.name for o in city.officers]


_FINGERPRINT = (
    "import hashlib; from chengguan.demo.geography import build_demo_city as b; c = b(2026);"
    "print(hashlib.sha256(repr((c.officers, c.vehicles, c.devices, [(g.grid_code, g.polygon.wkt) for g in c.grids]))"
    ".encode()).hexdigest())"
)


def test_deterministic_across_processes():
    # Different hash seeds would expose any dependence on set/dict iteration order.
    digests = {
        subprocess.run(
            [sys.executable, "-c", _FINGERPRINT],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(h), "PATH": ""},
        ).stdout
        for h in (1, 2)
    }
    assert len(digests) == 1
