"""Point → unit grid (单元网格) lookup without PostGIS (ARCHITECTURE §3 "geo").

Semantics (the exact rule every path must give): a point belongs to every grid whose polygon *covers* it — its
interior or its boundary, so a point exactly on a border is inside. When several grids cover the point (a point on a
shared border or vertex, or overlapping grids from bad data) the one with the smallest ``grid_code`` wins, so the
answer never depends on input order. Coordinates are WGS-84 (lng, lat); convert GCJ-02/BD-09 first (``core.geo``).

Speed: a uniform cell hash over the grids' extent. Each cell (slightly enlarged, see ``_margin``) is classified once
at build time with vectorised GEOS predicates: if the smallest-code grid that intersects the cell covers the whole
cell, every point in it resolves to that grid with one dict lookup; otherwise the cell keeps its few candidates,
in grid-code order, and a lookup runs the exact covers test on them (prepared geometries). Both paths therefore
give the same answer as the brute-force rule, which :meth:`GridIndex.locate_exact` implements for tests.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

__all__ = ["GridIndex", "GridShape"]

# shapely.intersects_xy wraps the C ufunc in Python decorators that cost ~2 µs per scalar call; the ufunc itself is
# the same predicate. For a (multi)polygon and a point, intersects == covers (closure contains the point).
_intersects_xy = getattr(shapely.lib, "intersects_xy", shapely.intersects_xy)


@dataclass(frozen=True, slots=True)
class GridShape:
    """One unit grid as the index sees it: ids, its 15-digit code and its WGS-84 (Multi)Polygon."""

    grid_id: Hashable
    grid_code: str
    squad_id: Hashable
    polygon: Polygon | MultiPolygon


class GridIndex:
    """Exact point-in-grid index; see the module docstring for the covers / smallest-grid_code rule.

    Immutable once built, so one instance may serve concurrent threads; rebuild it when the grid table changes.
    """

    def __init__(self, shapes: Iterable[GridShape], *, cells_per_grid: int = 32, max_cells: int = 3_000_000):
        """Build the index. ``cells_per_grid`` sets the hash resolution (cells per median grid bounding box).

        Raises ``ValueError`` on duplicate grid codes (GB/T 47678.3 codes are unique) or non-polygon geometry.
        Polygons should be valid (``shapely.make_valid``); GEOS predicates on invalid ones are unreliable.
        """
        # Sort once by code (input position breaks no ties because codes are unique): rank == priority.
        ordered = sorted(shapes, key=lambda s: s.grid_code)
        codes = [s.grid_code for s in ordered]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate grid_code in GridIndex input")
        for s in ordered:
            if not isinstance(s.polygon, Polygon | MultiPolygon) or s.polygon.is_empty:
                raise ValueError(f"grid {s.grid_code}: polygon must be a non-empty Polygon or MultiPolygon")
        self._shapes: tuple[GridShape, ...] = tuple(ordered)
        # Private prepared copies, so preparing does not touch the caller's geometries.
        self._geoms = np.array([shapely.from_wkb(shapely.to_wkb(s.polygon)) for s in ordered], dtype=object)
        shapely.prepare(self._geoms)
        if ordered:
            # GEOS builds a prepared geometry's point locator lazily on first use; do it now, single-threaded, so
            # concurrent readers (a threaded web server shares one index) only ever read.
            anchors = shapely.point_on_surface(self._geoms)
            _intersects_xy(self._geoms, shapely.get_x(anchors), shapely.get_y(anchors))
        self._tree = shapely.STRtree(self._geoms)
        self._cells: dict[int, GridShape | tuple] = {}
        self._bounds = (math.inf, math.inf, -math.inf, -math.inf)
        if ordered:
            self._build_cells(cells_per_grid, max_cells)

    @property
    def shapes(self) -> tuple[GridShape, ...]:
        """The indexed grids, sorted by grid_code."""
        return self._shapes

    def __len__(self) -> int:
        return len(self._shapes)

    def stats(self) -> dict[str, int]:
        """Hash statistics for benchmarks: stored cells, and those that need an exact test (boundary cells)."""
        boundary = sum(1 for v in self._cells.values() if v.__class__ is tuple)
        return {"grids": len(self._shapes), "cells": len(self._cells), "boundary_cells": boundary}

    # -- build ---------------------------------------------------------------------------------------------------

    def _build_cells(self, cells_per_grid: int, max_cells: int) -> None:
        bounds = shapely.bounds(self._geoms)  # (n, 4): minx, miny, maxx, maxy
        x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        x1, y1 = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        widths, heights = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
        # The median grid, not the mean, so one huge grid does not coarsen the hash for everyone.
        typical = float(np.median(np.sqrt(np.maximum(widths * heights, 1e-30))))
        size = max(typical / math.sqrt(max(cells_per_grid, 1)), (x1 - x0 + y1 - y0) * 1e-7, 1e-12)
        while True:
            # Cells are generated only under grid bounding boxes, so sparse layouts stay cheap.
            per_grid = (np.floor(widths / size) + 2) * (np.floor(heights / size) + 2)
            if per_grid.sum() <= max_cells:
                break
            size *= math.sqrt(per_grid.sum() / max_cells) * 1.01
        inv = 1.0 / size
        nx = math.floor((x1 - x0) * inv) + 1
        ny = math.floor((y1 - y0) * inv) + 1
        self._inv, self._nx = inv, nx
        self._bounds = (x0, y0, x1, y1)

        keys = self._cell_keys(bounds, x0, y0, inv, nx, ny)
        ix, iy = keys % nx, keys // nx
        m = self._margin(size, x0, y0, x1, y1)
        boxes = shapely.box(x0 + ix * size - m, y0 + iy * size - m, x0 + (ix + 1) * size + m, y0 + (iy + 1) * size + m)
        hit_cell, hit_grid = self._tree.query(boxes, predicate="intersects")
        cov_cell, cov_grid = self._tree.query(boxes, predicate="covered_by")
        covering = set(zip(cov_cell.tolist(), cov_grid.tolist(), strict=True))
        # Group the intersecting grids per cell in rank (grid_code) order.
        order = np.lexsort((hit_grid, hit_cell))
        hit_cell, hit_grid = hit_cell[order].tolist(), hit_grid[order].tolist()
        key_list = keys.tolist()
        shapes, geoms = self._shapes, self._geoms
        cells: dict[int, GridShape | tuple] = {}
        start = 0
        while start < len(hit_cell):
            c = hit_cell[start]
            end = start
            while end < len(hit_cell) and hit_cell[end] == c:
                end += 1
            ranks = hit_grid[start:end]
            if (c, ranks[0]) in covering:
                cells[key_list[c]] = shapes[ranks[0]]  # the winner covers the whole cell: no test needed
            else:
                cands = []
                for r in ranks:
                    certain = (c, r) in covering
                    # A candidate that covers the cell always matches, so nothing after it can win.
                    cands.append((None if certain else geoms[r], shapes[r]))
                    if certain:
                        break
                cells[key_list[c]] = tuple(cands)
            start = end
        self._cells = cells

    @staticmethod
    def _cell_keys(bounds: np.ndarray, x0: float, y0: float, inv: float, nx: int, ny: int) -> np.ndarray:
        # One key per cell under any grid's bounding box (widened by one cell against rounding), deduplicated.
        ix0 = np.clip(np.floor((bounds[:, 0] - x0) * inv).astype(np.int64) - 1, 0, nx - 1)
        iy0 = np.clip(np.floor((bounds[:, 1] - y0) * inv).astype(np.int64) - 1, 0, ny - 1)
        ix1 = np.clip(np.floor((bounds[:, 2] - x0) * inv).astype(np.int64) + 1, 0, nx - 1)
        iy1 = np.clip(np.floor((bounds[:, 3] - y0) * inv).astype(np.int64) + 1, 0, ny - 1)
        parts = []
        for a, b, c, d in zip(ix0.tolist(), iy0.tolist(), ix1.tolist(), iy1.tolist(), strict=True):
            gx, gy = np.meshgrid(np.arange(a, c + 1), np.arange(b, d + 1))
            parts.append((gy * nx + gx).ravel())
        return np.unique(np.concatenate(parts))

    @staticmethod
    def _margin(size: float, x0: float, y0: float, x1: float, y1: float) -> float:
        # Floating-point rounding can put a point within a few ulps outside the cell its computed index names; each
        # cell is classified enlarged by far more than that, so "covers the cell" holds for every point mapped to it.
        scale = max(abs(x0), abs(y0), abs(x1), abs(y1), 1.0)
        return size * 1e-6 + scale * 1e-12

    # -- lookup --------------------------------------------------------------------------------------------------

    def locate(self, lng: float, lat: float) -> GridShape | None:
        """The grid covering the WGS-84 point (border points included; ties → smallest grid_code), or None."""
        x0, y0, x1, y1 = self._bounds
        # The chained comparison also rejects NaN and ±inf.
        if not (x0 <= lng <= x1 and y0 <= lat <= y1):
            return None
        inv = self._inv
        # Both offsets are ≥ 0 here, so int() truncation equals floor().
        entry = self._cells.get(int((lat - y0) * inv) * self._nx + int((lng - x0) * inv))
        if entry is None or entry.__class__ is GridShape:
            return entry
        for geom, shape in entry:
            if geom is None or _intersects_xy(geom, lng, lat):
                return shape
        return None

    def locate_many(
        self, lngs: Sequence[float] | np.ndarray, lats: Sequence[float] | np.ndarray
    ) -> list[GridShape | None]:
        """Vectorised :meth:`locate`: one result per (lng, lat) pair, identical to calling ``locate`` on each."""
        xs = np.asarray(lngs, dtype=float).ravel()
        ys = np.asarray(lats, dtype=float).ravel()
        if xs.shape != ys.shape:
            raise ValueError("lngs and lats must have the same length")
        result: list[GridShape | None] = [None] * len(xs)
        if not self._shapes or not len(xs):
            return result
        x0, y0, x1, y1 = self._bounds
        inside = np.flatnonzero((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
        keys = np.floor((ys[inside] - y0) * self._inv).astype(np.int64) * self._nx + np.floor(
            (xs[inside] - x0) * self._inv
        ).astype(np.int64)
        cells = self._cells
        # Boundary cells: flatten (point, candidate) pairs, test them in one vectorised GEOS call, keep the first hit.
        pair_point: list[int] = []
        pair_geom: list = []
        pair_shape: list[GridShape] = []
        for i, key in zip(inside.tolist(), keys.tolist(), strict=True):
            entry = cells.get(key)
            if entry is None:
                continue
            if entry.__class__ is GridShape:
                result[i] = entry
                continue
            for geom, shape in entry:
                pair_point.append(i)
                pair_geom.append(geom)
                pair_shape.append(shape)
        if pair_point:
            geoms = np.empty(len(pair_geom), dtype=object)
            geoms[:] = pair_geom
            pts = np.asarray(pair_point)
            certain = np.equal(geoms, None)
            hits = certain.copy()
            test = np.flatnonzero(~certain)
            hits[test] = _intersects_xy(geoms[test], xs[pts[test]], ys[pts[test]])
            # Pairs are in candidate (grid_code) order per point; assign in reverse so the first hit wins.
            for j in np.flatnonzero(hits)[::-1].tolist():
                result[pair_point[j]] = pair_shape[j]
        return result

    def locate_exact(self, lng: float, lat: float) -> GridShape | None:
        """Reference implementation of the rule, no hash: smallest grid_code among grids that cover the point."""
        ranks = self._tree.query(Point(lng, lat), predicate="intersects")
        hits = [int(r) for r in ranks if self._geoms[r].covers(Point(lng, lat))]
        return self._shapes[min(hits)] if hits else None
