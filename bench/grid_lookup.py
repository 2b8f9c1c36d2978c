"""Benchmark GridIndex: build time, single ``locate`` and batched ``locate_many`` throughput over 10,000 grids.

Target (issue brief): ≥100,000 single ``locate`` calls per second on one core. Run:
    .venv/bin/python bench/grid_lookup.py [--grids 10000] [--points 200000] [--layout voronoi|lattice] [--check]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chengguan.core.grid_index import GridIndex, GridShape

# Roughly Qingdao's urban core (≈36 km × 44 km), so 10,000 grids are ~0.16 km² each like real 单元网格.
BOX = (120.20, 36.00, 120.60, 36.40)


def voronoi_grids(n: int, seed: int) -> list[GridShape]:
    """Irregular grids: the Voronoi tessellation of n random seeds, clipped to BOX (realistic shared borders)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = BOX
    seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)]))
    frame = shapely.box(*BOX)
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame)
    return [GridShape(i, f"{i:015d}", i // 30, c) for i, c in enumerate(cells)]


def lattice_grids(n: int) -> list[GridShape]:
    """Aligned square lattice: the worst case for the cell hash (every grid edge lies on a long straight line)."""
    side = math.isqrt(n)
    x0, y0, x1, y1 = BOX
    dx, dy = (x1 - x0) / side, (y1 - y0) / side
    return [
        GridShape(
            i * side + j,
            f"{i * side + j:015d}",
            i,
            shapely.box(x0 + j * dx, y0 + i * dy, x0 + (j + 1) * dx, y0 + (i + 1) * dy),
        )
        for i in range(side)
        for j in range(side)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grids", type=int, default=10_000)
    ap.add_argument("--points", type=int, default=200_000)
    ap.add_argument("--layout", choices=["voronoi", "lattice"], default="voronoi")
    ap.add_argument("--check", action="store_true", help="also compare every answer with locate_exact")
    args = ap.parse_args()

    grids = voronoi_grids(args.grids, 7) if args.layout == "voronoi" else lattice_grids(args.grids)
    t = time.perf_counter()
    index = GridIndex(grids)
    build_s = time.perf_counter() - t
    stats = index.stats()
    print(
        f"layout={args.layout} grids={len(index)} build={build_s:.2f}s cells={stats['cells']} "
        f"boundary_cells={stats['boundary_cells']} ({stats['boundary_cells'] / stats['cells']:.1%})"
    )

    # Points over the box enlarged by 5% on each side: about 17% fall outside every grid (misses).
    rnd = random.Random(11)
    x0, y0, x1, y1 = BOX
    mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
    lngs = [rnd.uniform(x0 - mx, x1 + mx) for _ in range(args.points)]
    lats = [rnd.uniform(y0 - my, y1 + my) for _ in range(args.points)]

    locate = index.locate
    t = time.perf_counter()
    single = [locate(x, y) for x, y in zip(lngs, lats, strict=True)]
    single_s = time.perf_counter() - t
    misses = sum(r is None for r in single)
    print(
        f"locate:      {args.points / single_s:,.0f} lookups/s ({single_s * 1e6 / args.points:.2f} µs each, "
        f"{misses / args.points:.1%} misses)"
    )

    t = time.perf_counter()
    batch = index.locate_many(lngs, lats)
    batch_s = time.perf_counter() - t
    print(f"locate_many: {args.points / batch_s:,.0f} lookups/s")
    assert batch == single, "locate_many disagrees with locate"

    n_exact = min(args.points, 20_000)
    t = time.perf_counter()
    exact = [index.locate_exact(x, y) for x, y in zip(lngs[:n_exact], lats[:n_exact], strict=True)]
    exact_s = time.perf_counter() - t
    print(f"locate_exact (STRtree + covers, for comparison): {n_exact / exact_s:,.0f} lookups/s")
    if args.check:
        assert exact == single[:n_exact], "fast path disagrees with the exact rule"
        print(f"check: {n_exact} answers identical to locate_exact")


if __name__ == "__main__":
    main()
