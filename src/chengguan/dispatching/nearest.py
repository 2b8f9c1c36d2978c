"""In-memory live index of moving officers and vehicles for "nearest available officer" dispatch (指挥调度).

Why in memory and not PostGIS: the platform runs on SQLite by default and on plain PostgreSQL in production
(ARCHITECTURE §3, "nearest-officer needs no PostGIS"). Positions arrive every few seconds from every officer and
vehicle, and a dispatcher asks "who is closest to this event?" many times a second; a per-process index fed by the
position stream answers that in well under a millisecond, while the database keeps the position history.

Semantics of ``LiveIndex.nearest``:

- **Exact.** The answer is the k nearest matching points by great-circle distance in metres, computed with the
  same haversine formula and mean earth radius as ``chengguan.core.geo.haversine_m(q_lng, q_lat, p_lng, p_lat)``,
  bit for bit. It is never an approximation: the grid only decides the order in which points are looked at.
- **Deterministic tie order.** Results are sorted by ``(distance, str(key))``, so two officers at the same spot
  always come back in the same order on every server (keys whose ``str()`` collide have no defined order).
- **Filters**: ``kind`` ("officer", "vehicle", …; ``None`` = any), ``available_only``, ``exclude`` (keys already
  asked and declined), ``unit_ids`` (a set of 执法单位 ids; ``None`` = any) and ``max_distance_m`` (inclusive).

How: points are bucketed in a uniform cell hash (``cell_m`` metres; the longitude width is converted with the
cosine of a reference latitude fixed by the first point, so cells are square near the city). A query visits rings
of cells around its own cell and stops only when the k-th best distance found is strictly below a conservative
lower bound on the distance of every point outside the rings visited (see ``_outside_bound``). Rings are clipped to
the populated extent; when the rings would cost more than looking at every occupied cell (sparse data, a query far
from everyone), the remaining cells are scanned brute force. One ``threading.Lock`` guards every mutation and
query, because a web server shares one instance across its worker threads.
"""

from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Collection, Hashable, Iterable
from typing import Any, NamedTuple

__all__ = ["Entry", "LiveIndex"]

# Mean earth radius of chengguan.core.geo.haversine_m: distances here must equal that function's exactly.
_EARTH_R_M = 6371008.8
_TWO_R = 2.0 * _EARTH_R_M
_M_PER_DEG = _EARTH_R_M * math.pi / 180.0
# Cells keep a usable longitude width even if the first point is near a pole (correctness never depends on it).
_MIN_REF_COS = math.cos(math.radians(80.0))
# The ring lower bound is shrunk by this much so that floating-point rounding in cell assignment, in the bound and in
# the haversine itself (all ~1e-15 relative) can never let a point outside the rings beat or tie the k-th best.
_REL_MARGIN = 1e-9
_ABS_MARGIN_M = 1e-6


class Entry(NamedTuple):
    """One tracked point: an officer or a vehicle at a WGS-84 position."""

    key: Hashable
    lng: float
    lat: float
    available: bool
    kind: str
    unit_id: Hashable | None


Row = tuple[Hashable, float, float, bool, str, Hashable | None]
Cell = tuple[int, int]
# What a cell stores per point, precomputed for the query loop: (key, str(key), lng, phi, cos(phi), available, unit).
_Slot = tuple[Hashable, str, float, float, float, bool, Any]


def _entry(key: Hashable, lng: float, lat: float, available: bool, kind: str, unit_id: Hashable | None) -> Entry:
    """Validate one position (WGS-84 degrees, finite, in range) and build its entry; bad input raises ValueError."""
    lng, lat = float(lng), float(lat)
    if not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0):  # also rejects NaN
        raise ValueError(f"position out of range for {key!r}: lng={lng}, lat={lat}")
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"kind must be a non-empty string, got {kind!r}")
    hash(key)  # unhashable keys fail here, before anything is changed
    return Entry(key, lng, lat, bool(available), kind, unit_id)


class _Grid:
    """The cell hash of one kind, with per-column/row counts so the populated extent stays cheap to know."""

    __slots__ = ("bbox", "cells", "cols", "rows")

    def __init__(self) -> None:
        self.cells: dict[Cell, dict[Hashable, _Slot]] = {}
        self.cols: dict[int, int] = {}
        self.rows: dict[int, int] = {}
        self.bbox: tuple[int, int, int, int] | None = None  # (min cx, min cy, max cx, max cy); None = recompute

    def add(self, cell: Cell, key: Hashable, slot: _Slot) -> None:
        bucket = self.cells.get(cell)
        if bucket is None:
            bucket = self.cells[cell] = {}
        bucket[key] = slot
        cx, cy = cell
        self.cols[cx] = self.cols.get(cx, 0) + 1
        self.rows[cy] = self.rows.get(cy, 0) + 1
        if self.bbox is not None:
            x0, y0, x1, y1 = self.bbox
            if not (x0 <= cx <= x1 and y0 <= cy <= y1):
                self.bbox = (min(x0, cx), min(y0, cy), max(x1, cx), max(y1, cy))

    def discard(self, cell: Cell, key: Hashable) -> None:
        bucket = self.cells[cell]
        del bucket[key]
        if not bucket:
            del self.cells[cell]
        cx, cy = cell
        for counts, v in ((self.cols, cx), (self.rows, cy)):
            n = counts[v] - 1
            if n:
                counts[v] = n
            else:
                del counts[v]
                if self.bbox is not None:
                    x0, y0, x1, y1 = self.bbox
                    if v in ((x0, x1) if counts is self.cols else (y0, y1)):
                        self.bbox = None  # an edge column/row emptied: the extent may shrink

    def extent(self) -> tuple[int, int, int, int]:
        if self.bbox is None:
            self.bbox = (min(self.cols), min(self.rows), max(self.cols), max(self.rows))
        return self.bbox


class LiveIndex:
    """Moving points keyed by any hashable key; exact k-nearest queries with filters (see the module docstring)."""

    def __init__(self, cell_m: float = 500.0, *, ref_lat: float | None = None) -> None:
        if not (math.isfinite(cell_m) and cell_m > 0):
            raise ValueError(f"cell_m must be a positive number of metres, got {cell_m!r}")
        self._cell_m = float(cell_m)
        self._lock = threading.Lock()
        self._grids: dict[str, _Grid] = {}
        self._where: dict[Hashable, tuple[Entry, Cell]] = {}
        self._h = self._cell_m / _M_PER_DEG  # cell height in degrees of latitude
        self._w = 0.0  # cell width in degrees of longitude, fixed with the reference latitude
        if ref_lat is not None:
            self._set_ref_lat(ref_lat)

    def _set_ref_lat(self, lat: float) -> None:
        self._w = self._cell_m / (_M_PER_DEG * max(math.cos(math.radians(lat)), _MIN_REF_COS))

    # -- mutations ---------------------------------------------------------------------------------------------

    def upsert(
        self,
        key: Hashable,
        lng: float,
        lat: float,
        *,
        available: bool = True,
        kind: str = "officer",
        unit_id: Hashable | None = None,
    ) -> None:
        """Insert a point or move/update it (between cells and kinds when needed)."""
        entry = _entry(key, lng, lat, available, kind, unit_id)
        with self._lock:
            self._put(entry)

    def upsert_many(self, rows: Iterable[Row]) -> None:
        """Apply ``(key, lng, lat, available, kind, unit_id)`` rows under one lock; all are validated first."""
        entries = [_entry(*row) for row in rows]
        with self._lock:
            for entry in entries:
                self._put(entry)

    def remove(self, key: Hashable) -> None:
        """Forget a point (logged off, out of service); a key not in the index is ignored."""
        with self._lock:
            found = self._where.pop(key, None)
            if found is not None:
                entry, cell = found
                self._grids[entry.kind].discard(cell, key)

    def _put(self, entry: Entry) -> None:
        if not self._w:
            self._set_ref_lat(entry.lat)
        key, lng, lat = entry.key, entry.lng, entry.lat
        cell = (math.floor(lng / self._w), math.floor(lat / self._h))
        phi = math.radians(lat)
        slot = (key, str(key), lng, phi, math.cos(phi), entry.available, entry.unit_id)
        old = self._where.get(key)
        self._where[key] = (entry, cell)
        if old is not None:
            old_entry, old_cell = old
            if old_entry.kind == entry.kind and old_cell == cell:
                self._grids[entry.kind].cells[cell][key] = slot
                return
            self._grids[old_entry.kind].discard(old_cell, key)
        grid = self._grids.get(entry.kind)
        if grid is None:
            grid = self._grids[entry.kind] = _Grid()
        grid.add(cell, key, slot)

    # -- reads -------------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return len(self._where)

    def get(self, key: Hashable) -> Entry | None:
        """The point's current entry, or None."""
        with self._lock:
            found = self._where.get(key)
            return None if found is None else found[0]

    def nearest(
        self,
        lng: float,
        lat: float,
        k: int = 5,
        *,
        kind: str | None = "officer",
        available_only: bool = True,
        max_distance_m: float | None = None,
        exclude: Collection[Hashable] = frozenset(),
        unit_ids: Collection[Hashable] | None = None,
    ) -> list[tuple[Hashable, float]]:
        """The exact k nearest matching points as ``(key, metres)``, sorted by (distance, str(key))."""
        lng, lat = float(lng), float(lat)
        if not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0):
            raise ValueError(f"query position out of range: lng={lng}, lat={lat}")
        if k <= 0:
            return []
        if not isinstance(exclude, set | frozenset):
            exclude = frozenset(exclude)
        units = (
            None if unit_ids is None else (unit_ids if isinstance(unit_ids, set | frozenset) else frozenset(unit_ids))
        )
        with self._lock:
            if kind is None:
                grids = [g for g in self._grids.values() if g.cells]
            else:
                one = self._grids.get(kind)
                grids = [one] if one is not None and one.cells else []
            if not grids:
                return []
            found = self._search(grids, lng, lat, k, available_only, max_distance_m, exclude, units)
        found.sort(key=lambda c: (c[0], c[1]))
        return [(key, d) for d, _skey, key in found[:k]]

    def _search(
        self,
        grids: list[_Grid],
        lng: float,
        lat: float,
        k: int,
        available_only: bool,
        max_d: float | None,
        exclude: Collection[Hashable],
        units: Collection[Hashable] | None,
    ) -> list[tuple[float, str, Hashable]]:
        """Ring search; returns every candidate seen (a superset of the answer), unsorted."""
        w, h = self._w, self._h
        cxq, cyq = math.floor(lng / w), math.floor(lat / h)
        extents = [g.extent() for g in grids]
        ext = (
            min(e[0] for e in extents),
            min(e[1] for e in extents),
            max(e[2] for e in extents),
            max(e[3] for e in extents),
        )
        x0, y0, x1, y1 = ext
        n_cells = sum(len(g.cells) for g in grids)
        phi1 = math.radians(lat)
        cos1 = math.cos(phi1)  # the haversine's cos(phi1), also ≥ 0 for the bound
        sin, asin, sqrt, radians = math.sin, math.asin, math.sqrt, math.radians
        found: list[tuple[float, str, Hashable]] = []
        dists: list[float] = []

        def visit(bucket: dict[Hashable, _Slot]) -> None:
            # The distance is haversine_m(lng, lat, p_lng, p_lat) inlined, operation for operation.
            for key, skey, plng, phi2, cos2, available, unit in bucket.values():
                if (
                    (available_only and not available)
                    or (exclude and key in exclude)
                    or (units is not None and unit not in units)
                ):
                    continue
                hv = sin((phi2 - phi1) / 2.0) ** 2 + cos1 * cos2 * sin(radians(plng - lng) / 2.0) ** 2
                d = _TWO_R * asin(min(1.0, sqrt(hv)))
                if max_d is None or d <= max_d:
                    found.append((d, skey, key))
                    dists.append(d)

        # Rings closer than the populated extent are empty: start at the first one that touches it.
        r = max(0, x0 - cxq, cxq - x1, y0 - cyq, cyq - y1)
        r_last = max(cxq - x0, x1 - cxq, cyq - y0, y1 - cyq)
        looked = 0
        while True:
            ring = _ring(cxq, cyq, r, ext)
            looked += len(ring) * len(grids)
            if looked > n_cells:
                # More lookups than occupied cells: scan every occupied cell not visited yet, and that is all.
                for g in grids:
                    for (cx, cy), bucket in g.cells.items():
                        if max(abs(cx - cxq), abs(cy - cyq)) >= r:
                            visit(bucket)
                break
            for g in grids:
                cells = g.cells
                for c in ring:
                    bucket = cells.get(c)
                    if bucket is not None:
                        visit(bucket)
            if r >= r_last:
                break
            bound = _outside_bound(lng, lat, cos1, cxq, cyq, r, ext, w, h)
            if max_d is not None and bound > max_d:
                break
            if len(dists) >= k and heapq.nsmallest(k, dists)[-1] < bound:
                break
            r += 1
        return found


def _ring(cxq: int, cyq: int, r: int, ext: tuple[int, int, int, int]) -> list[Cell]:
    """The cells at Chebyshev distance exactly r from (cxq, cyq), clipped to the populated extent."""
    x0, y0, x1, y1 = ext
    if r == 0:
        return [(cxq, cyq)] if x0 <= cxq <= x1 and y0 <= cyq <= y1 else []
    xa, xb = max(cxq - r, x0), min(cxq + r, x1)
    ya, yb = max(cyq - r + 1, y0), min(cyq + r - 1, y1)
    out: list[Cell] = []
    for y in (cyq - r, cyq + r):
        if y0 <= y <= y1:
            out.extend((x, y) for x in range(xa, xb + 1))
    for x in (cxq - r, cxq + r):
        if x0 <= x <= x1:
            out.extend((x, y) for y in range(ya, yb + 1))
    return out


def _outside_bound(
    lng: float, lat: float, cos1: float, cxq: int, cyq: int, r: int, ext: tuple[int, int, int, int], w: float, h: float
) -> float:
    """A lower bound (metres) on the distance from the query to any point outside the rings 0..r.

    Such a point is either in a row outside the block — then its latitude differs by at least the gap to the
    block's edge, and a great circle is never shorter than R·|Δφ| — or in a row inside the block and a column
    outside it, so its longitude differs by at least the gap to the block's side while its latitude lies in the
    block's band. For the latter, haversine h ≥ cos φq · cos φp · sin²(Δλ/2), with cos φp taken at its smallest
    over the band (the band edge farthest from the equator): the smaller metre-per-degree scale, never the query's.
    Sides with no populated row/column beyond them contribute nothing.
    """
    x0, y0, x1, y1 = ext
    lat_gap = math.inf
    if cyq - r > y0:
        lat_gap = lat - (cyq - r) * h
    if cyq + r < y1:
        lat_gap = min(lat_gap, (cyq + r + 1) * h - lat)
    lng_gap = math.inf
    if cxq - r > x0:
        lng_gap = lng - (cxq - r) * w
    if cxq + r < x1:
        lng_gap = min(lng_gap, (cxq + r + 1) * w - lng)
    bound = math.inf
    if lat_gap < math.inf:
        bound = _EARTH_R_M * math.radians(max(lat_gap, 0.0))
    if lng_gap < math.inf:
        # Longitudes wrap: a raw difference D is an angle min(D, 360 - D), and D never exceeds the extent's span.
        span = max(lng - x0 * w, (x1 + 1) * w - lng)
        gap = min(max(lng_gap, 0.0), 360.0 - span, 180.0)
        band_lo = max(-90.0, max(cyq - r, y0) * h)
        band_hi = min(90.0, (min(cyq + r, y1) + 1) * h)
        cos_min = max(0.0, min(math.cos(math.radians(band_lo)), math.cos(math.radians(band_hi))))
        s = math.sqrt(max(cos1, 0.0) * cos_min) * math.sin(math.radians(max(gap, 0.0)) / 2.0)
        bound = min(bound, _TWO_R * math.asin(min(1.0, s)))
    return bound * (1.0 - _REL_MARGIN) - _ABS_MARGIN_M
