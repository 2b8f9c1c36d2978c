"""Coordinate transforms, distance and area (legal-facts §7)."""

import math

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.core.geo import (
    Crs,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    polygon_area_m2,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

TIANANMEN = (116.391, 39.907)
# Inside the GCJ-02 box with a margin, so the round trip never straddles the box edge (where GCJ-02 is discontinuous).
china_lng = st.floats(min_value=73.6, max_value=134.9)
china_lat = st.floats(min_value=3.9, max_value=53.5)


def _east_north_m(lng0, lat0, lng1, lat1):
    # Local metres per degree (spherical), independent of the code under test.
    k = math.pi / 180 * 6371008.8
    return (lng1 - lng0) * k * math.cos(math.radians(lat0)), (lat1 - lat0) * k


def test_tiananmen_gcj02_known_value():
    lng, lat = wgs84_to_gcj02(*TIANANMEN)
    # Values of the community formula (eviltransform / coordTransform_py, Krasovsky ellipsoid).
    assert lng == pytest.approx(116.39724095859891, abs=1e-9)
    assert lat == pytest.approx(39.9084011088464, abs=1e-9)


def test_tiananmen_offset_matches_the_documented_beijing_offset():
    # legal-facts §7: in Beijing the GCJ-02 offset is about 533 m east-west and 156 m north-south.
    east, north = _east_north_m(*TIANANMEN, *wgs84_to_gcj02(*TIANANMEN))
    assert east == pytest.approx(533, abs=15)
    assert north == pytest.approx(156, abs=15)
    assert 150 < haversine_m(*TIANANMEN, *wgs84_to_gcj02(*TIANANMEN)) < 600


def test_bd09_is_gcj02_plus_baidu_shift():
    gcj = wgs84_to_gcj02(*TIANANMEN)
    bd = wgs84_to_bd09(*TIANANMEN)
    assert bd == gcj02_to_bd09(*gcj)
    # BD-09 adds roughly (0.0065, 0.006) on top of GCJ-02.
    assert bd[0] - gcj[0] == pytest.approx(0.0065, abs=0.001)
    assert bd[1] - gcj[1] == pytest.approx(0.006, abs=0.001)


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_wgs_gcj_round_trip(lng, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
    assert abs(back[0] - lng) <= 1e-7 and abs(back[1] - lat) <= 1e-7


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_gcj_wgs_round_trip(lng, lat):
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lng, lat))
    assert abs(back[0] - lng) <= 1e-7 and abs(back[1] - lat) <= 1e-7


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_wgs_bd_round_trip(lng, lat):
    back = bd09_to_wgs84(*wgs84_to_bd09(lng, lat))
    assert abs(back[0] - lng) <= 1e-6 and abs(back[1] - lat) <= 1e-6
    gcj = bd09_to_gcj02(*gcj02_to_bd09(lng, lat))
    assert abs(gcj[0] - lng) <= 1e-7 and abs(gcj[1] - lat) <= 1e-7


def test_inverse_is_exact_not_one_step_subtraction():
    # The naive inverse (gcj - offset(gcj)) is off by metres; ours must invert to ≤1e-7°.
    gcj = wgs84_to_gcj02(*TIANANMEN)
    g2 = wgs84_to_gcj02(*gcj)
    naive = (2 * gcj[0] - g2[0], 2 * gcj[1] - g2[1])
    assert max(abs(naive[0] - TIANANMEN[0]), abs(naive[1] - TIANANMEN[1])) > 1e-7
    exact = gcj02_to_wgs84(*gcj)
    assert max(abs(exact[0] - TIANANMEN[0]), abs(exact[1] - TIANANMEN[1])) <= 1e-7


@pytest.mark.parametrize(
    "point",
    [(0.0, 0.0), (-122.4194, 37.7749), (139.6917, 35.6895), (2.35, 48.85), (72.0, 30.0), (120.0, 0.5), (120.0, 56.0)],
)
def test_outside_china_unchanged(point):
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point
    assert to_wgs84(*point, "gcj02") == point


@pytest.mark.parametrize("crs", list(Crs))
@pytest.mark.parametrize("junk", [(math.nan, 36.0), (math.inf, 36.0), (120.0, -math.inf), (1e308, 36.0), (120.0, 91.0)])
def test_non_coordinates_pass_through_without_raising(crs, junk):
    back = to_wgs84(*junk, crs)
    there = from_wgs84(*junk, crs)
    for got in (back, there):
        assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(got, junk, strict=True))


def test_out_of_china_box():
    assert not out_of_china(*TIANANMEN)
    assert not out_of_china(120.38, 36.07)  # Qingdao
    assert not out_of_china(72.004, 0.8293) and not out_of_china(137.8347, 55.8271)  # the box is closed
    assert out_of_china(72.003, 30) and out_of_china(137.835, 30)


@pytest.mark.parametrize("crs", list(Crs))
def test_to_from_wgs84_dispatch(crs):
    there = from_wgs84(*TIANANMEN, crs)
    back = to_wgs84(*there, crs)
    assert back == pytest.approx(TIANANMEN, abs=1e-7)
    assert to_wgs84(*there, crs.value) == back  # plain strings work too


def test_crs_values_and_unknown():
    assert [c.value for c in Crs] == ["wgs84", "gcj02", "bd09"]
    assert to_wgs84(*TIANANMEN, Crs.WGS84) == TIANANMEN
    assert from_wgs84(*TIANANMEN, "gcj02") == wgs84_to_gcj02(*TIANANMEN)
    assert from_wgs84(*TIANANMEN, "bd09") == wgs84_to_bd09(*TIANANMEN)
    with pytest.raises(ValueError):
        to_wgs84(*TIANANMEN, "cgcs2000-typo")


def test_haversine():
    assert haversine_m(*TIANANMEN, *TIANANMEN) == 0
    # One degree of latitude on the mean-radius sphere.
    assert haversine_m(0, 0, 0, 1) == pytest.approx(6371008.8 * math.pi / 180, rel=1e-12)
    assert haversine_m(116.4, 39.9, 121.47, 31.23) == pytest.approx(haversine_m(121.47, 31.23, 116.4, 39.9))
    # Beijing → Shanghai is about 1,067 km great-circle.
    assert haversine_m(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1_067_000, rel=0.01)
    # Antipodes: no domain error from rounding.
    assert haversine_m(0, 0, 180, 0) == pytest.approx(math.pi * 6371008.8)


def test_polygon_area_equator_degree_square():
    # GeographicLib (geodesic polygon on WGS-84): 1°x1° at the equator = 12,308,778,361 m².
    assert polygon_area_m2(shapely.box(0, 0, 1, 1)) == pytest.approx(12_308_778_361, rel=1e-4)


def test_polygon_area_city_scale_against_sphere():
    # A ~0.9 km x 1.1 km cell in Qingdao: the spherical zone formula is within ~0.5% of the ellipsoid.
    x0, y0, x1, y1 = 120.37, 36.06, 120.38, 36.07
    r = 6371007.18  # authalic radius
    sphere = r * r * math.radians(x1 - x0) * (math.sin(math.radians(y1)) - math.sin(math.radians(y0)))
    assert polygon_area_m2(shapely.box(x0, y0, x1, y1)) == pytest.approx(sphere, rel=5e-3)


def test_polygon_area_holes_multipolygons_and_empty():
    outer = shapely.box(120.30, 36.05, 120.32, 36.07)
    hole = shapely.box(120.305, 36.055, 120.315, 36.065)
    with_hole = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    assert polygon_area_m2(with_hole) == pytest.approx(polygon_area_m2(outer) - polygon_area_m2(hole), rel=1e-9)
    far = shapely.box(121.0, 31.0, 121.01, 31.01)
    multi = shapely.MultiPolygon([outer, far])
    assert polygon_area_m2(multi) == pytest.approx(polygon_area_m2(outer) + polygon_area_m2(far), rel=1e-9)
    assert polygon_area_m2(shapely.Polygon()) == 0.0
    # Orientation does not matter.
    assert polygon_area_m2(outer.reverse()) == pytest.approx(polygon_area_m2(outer), rel=1e-12)
