"""Coordinate systems, distances and areas (legal-facts §7).

We store WGS-84 (EPSG:4326) everywhere; GCJ-02 (the mandatory offset of Chinese web maps such as AMap/Tencent) and
BD-09 (Baidu, on top of GCJ-02) are converted at the edges, and the caller records which system came in.
GCJ-02 has no public official specification: the formulas below are the open-source community implementation
(eviltransform, coordTransform_py, prcoords) on the Krasovsky 1940 ellipsoid. Every function takes and returns
``(lng, lat)`` in that order, in decimal degrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "CRS_LABELS",
    "Crs",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gcj02_to_wgs84_many",
    "haversine_m",
    "out_of_china",
    "polygon_area_m2",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


class Crs(StrEnum):
    """The coordinate systems a client may send; the value is what the API's ``crs=`` parameter takes."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


CRS_LABELS = {Crs.WGS84: "WGS-84（GPS）", Crs.GCJ02: "GCJ-02（高德/腾讯）", Crs.BD09: "BD-09（百度）"}


# Krasovsky 1940 ellipsoid, as used by every GCJ-02 implementation (not WGS-84's a=6378137).
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
# BD-09 scales by this "x_pi" (pi * 3000 / 180) in its periodic correction terms.
_PI = math.pi
_X_PI = math.pi * 3000.0 / 180.0
_BD_DLNG = 0.0065
_BD_DLAT = 0.006

# The inverse transforms iterate until the step is below this (degrees); 1e-9° is ~0.1 mm, well under the
# required 1e-7°, and convergence is geometric (the offset's Jacobian is ~1e-3) so it takes 3-4 steps.
_INVERSE_TOL = 1e-9
_INVERSE_MAX_ITER = 30


def out_of_china(lng: float, lat: float) -> bool:
    """True outside the GCJ-02 "China" box (lng 72.004–137.8347, lat 0.8293–55.8271), where no offset applies."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: Any, y: Any, sin: Any = math.sin, sqrt: Any = math.sqrt) -> Any:
    # x, y are (lng - 105, lat - 35); the series is the de-facto GCJ-02 definition and must not be "simplified".
    # sin/sqrt are math's for one point or numpy's for arrays (gcj02_to_wgs84_many).
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
    ret += (20.0 * sin(6.0 * x * _PI) + 20.0 * sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * sin(y * _PI) + 40.0 * sin(y / 3.0 * _PI)) * 2.0 / 3.0
    ret += (160.0 * sin(y / 12.0 * _PI) + 320.0 * sin(y * _PI / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: Any, y: Any, sin: Any = math.sin, sqrt: Any = math.sqrt) -> Any:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
    ret += (20.0 * sin(6.0 * x * _PI) + 20.0 * sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * sin(x * _PI) + 40.0 * sin(x / 3.0 * _PI)) * 2.0 / 3.0
    ret += (150.0 * sin(x / 12.0 * _PI) + 300.0 * sin(x / 30.0 * _PI)) * 2.0 / 3.0
    return ret


def _gcj_offset(lng: Any, lat: Any, sin: Any = math.sin, cos: Any = math.cos, sqrt: Any = math.sqrt) -> tuple[Any, Any]:
    dlat = _transform_lat(lng - 105.0, lat - 35.0, sin, sqrt)
    dlng = _transform_lng(lng - 105.0, lat - 35.0, sin, sqrt)
    radlat = lat * (_PI / 180.0)
    magic = 1.0 - _KRASOVSKY_EE * sin(radlat) ** 2
    sqrtmagic = sqrt(magic)
    # Convert the metre-like series to degrees with the meridian / prime-vertical radii of curvature.
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrtmagic) * _PI)
    dlng = (dlng * 180.0) / (_KRASOVSKY_A / sqrtmagic * cos(radlat) * _PI)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02: add the community-standard Krasovsky offset (legal-facts §7); unchanged outside China."""
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _gcj_offset(lng, lat)
    return lng + dlng, lat + dlat


def _invert(forward, lng: float, lat: float, guess: tuple[float, float]) -> tuple[float, float]:
    # Fixed-point iteration x <- x - (f(x) - target). f is the identity plus a slowly varying offset, so this is a
    # contraction; the one-step subtraction (a single iteration) leaves metre-level errors (legal-facts §7).
    x, y = guess
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        dx, dy = fx - lng, fy - lat
        x, y = x - dx, y - dy
        if abs(dx) < _INVERSE_TOL and abs(dy) < _INVERSE_TOL:
            break
    return x, y


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84, exact to ≤1e-7° by iterative inversion of :func:`wgs84_to_gcj02`; unchanged outside China."""
    if out_of_china(lng, lat):
        return lng, lat
    return _invert(wgs84_to_gcj02, lng, lat, (lng, lat))


def gcj02_to_wgs84_many(lngs: Sequence[float], lats: Sequence[float]) -> tuple[list[float], list[float]]:
    """:func:`gcj02_to_wgs84` for many points at once (numpy): the same fixed-point iteration, each point stepped
    until it converged; equal to the one-point function within the 1e-9° tolerance."""
    tx = np.asarray(lngs, dtype=float)
    ty = np.asarray(lats, dtype=float)
    x, y = tx.copy(), ty.copy()
    active = np.flatnonzero(~_out_of_china_mask(tx, ty))
    for _ in range(_INVERSE_MAX_ITER):
        if not active.size:
            break
        ax, ay = x[active], y[active]
        dlng, dlat = _gcj_offset(ax, ay, np.sin, np.cos, np.sqrt)
        outside = _out_of_china_mask(ax, ay)  # as wgs84_to_gcj02 does for an iterate that left the box
        dx = np.where(outside, 0.0, dlng) + ax - tx[active]
        dy = np.where(outside, 0.0, dlat) + ay - ty[active]
        x[active], y[active] = ax - dx, ay - dy
        active = active[~((np.abs(dx) < _INVERSE_TOL) & (np.abs(dy) < _INVERSE_TOL))]
    return x.tolist(), y.tolist()


def _out_of_china_mask(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ~((lng >= 72.004) & (lng <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271))


def _not_a_coordinate(lng: float, lat: float) -> bool:
    # NaN, ±inf or out of range: not a position at all. Returned unchanged (as GCJ-02 does outside China) so that
    # garbage reaches the caller's range validation instead of raising from math.sin(inf).
    return not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0)


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09: Baidu's polar perturbation plus the (0.0065, 0.006) shift (legal-facts §7).

    Values that are not coordinates (NaN, ±inf, |lng| > 180, |lat| > 90) come back unchanged.
    """
    if _not_a_coordinate(lng, lat):
        return lng, lat
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + _BD_DLNG, z * math.sin(theta) + _BD_DLAT


def _bd09_to_gcj02_approx(lng: float, lat: float) -> tuple[float, float]:
    # The community "inverse" evaluates the perturbation at the BD-09 point, so it is only good to ~1e-6°.
    x, y = lng - _BD_DLNG, lat - _BD_DLAT
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02: the community inverse formula, refined iteratively to exactly invert :func:`gcj02_to_bd09`."""
    if _not_a_coordinate(lng, lat):
        return lng, lat
    return _invert(gcj02_to_bd09, lng, lat, _bd09_to_gcj02_approx(lng, lat))


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """WGS-84 → BD-09, via GCJ-02 (BD-09 is defined on top of GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS-84, via GCJ-02, both steps exact inversions."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


_TO_WGS84 = {Crs.WGS84: lambda lng, lat: (lng, lat), Crs.GCJ02: gcj02_to_wgs84, Crs.BD09: bd09_to_wgs84}
_FROM_WGS84 = {Crs.WGS84: lambda lng, lat: (lng, lat), Crs.GCJ02: wgs84_to_gcj02, Crs.BD09: wgs84_to_bd09}


def to_wgs84(lng: float, lat: float, crs: Crs | str) -> tuple[float, float]:
    """Convert a client coordinate in ``crs`` to the WGS-84 we store (coordinates are stored WGS-84, ARCHITECTURE §5).

    Raises ``ValueError`` for an unknown ``crs``.
    """
    return _TO_WGS84[Crs(crs)](float(lng), float(lat))


def from_wgs84(lng: float, lat: float, crs: Crs | str) -> tuple[float, float]:
    """Convert a stored WGS-84 coordinate to ``crs`` for a client map. Raises ``ValueError`` for an unknown ``crs``."""
    return _FROM_WGS84[Crs(crs)](float(lng), float(lat))


# IUGG mean Earth radius R1 = (2a + b) / 3 of WGS-84; the spherical haversine is within ~0.5% of the geodesic.
_MEAN_EARTH_RADIUS_M = 6371008.8


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres on the mean-radius sphere (haversine formula; ≤0.5% from the geodesic)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2.0) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2.0) ** 2
    return 2.0 * _MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# WGS-84 ellipsoid (EPSG:4326, legal-facts §7) for the equal-area projection below.
_WGS84_A = 6378137.0
_WGS84_E2 = 6.69437999014e-3
_WGS84_E = math.sqrt(_WGS84_E2)


def _q(sin_phi: np.ndarray) -> np.ndarray:
    # Snyder (1987) eq. 3-12: the authalic "q" function; q/q_p is the sine of the authalic latitude.
    e, e2 = _WGS84_E, _WGS84_E2
    es = e * sin_phi
    return (1.0 - e2) * (sin_phi / (1.0 - es * es) - (1.0 / (2.0 * e)) * np.log((1.0 - es) / (1.0 + es)))


_Q_P = float(_q(np.array(1.0)))
# Authalic radius: the sphere with the ellipsoid's surface area (Snyder eq. 3-13).
_AUTHALIC_R = _WGS84_A * math.sqrt(_Q_P / 2.0)


def polygon_area_m2(polygon: BaseGeometry) -> float:
    """Area in m² of a WGS-84 (lng, lat) Polygon/MultiPolygon, holes subtracted.

    Method: the Lambert cylindrical equal-area projection of the WGS-84 ellipsoid (x = R_q·λ, y = R_q·q(φ)/q_p,
    Snyder 1987 §10), then the planar shoelace area. The projection preserves area exactly, so the only error is
    that polygon edges are taken as straight in that projection instead of geodesics — negligible (<0.01%) for
    edges of city scale (a few km); for country-sized polygons expect ~1%.
    """
    if polygon.is_empty:
        return 0.0
    minx, miny, _maxx, _maxy = polygon.bounds
    # Shift the origin to the polygon's corner so the shoelace sums stay small and keep full double precision.
    y0 = float(_AUTHALIC_R * _q(np.array(math.sin(math.radians(miny)))) / _Q_P)
    lng0 = minx

    def project(coords: np.ndarray) -> np.ndarray:
        x = _AUTHALIC_R * np.radians(coords[:, 0] - lng0)
        y = _AUTHALIC_R * _q(np.sin(np.radians(coords[:, 1]))) / _Q_P - y0
        return np.column_stack([x, y])

    return float(shapely.transform(polygon, project).area)
