"""Benchmark LiveIndex.nearest (k=5 available officers) while positions stream in from another thread.

20,000 officers and vehicles random-walk in the Qingdao box; a background thread applies 2,000 position updates per
second (batches every 100 ms through ``upsert_many``, ~10 % of them toggling availability) while the main thread
runs nearest(k=5) queries at random points. Prints latency percentiles with and without concurrent updates and the
update rate actually achieved. Target (issue brief): p99 ≤ 2 ms per query. Run:
    .venv/bin/python bench/nearest.py [--points 20000] [--updates-per-s 2000] [--queries 20000] [--seconds 0]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chengguan.dispatching.nearest import LiveIndex

BOX = (120.20, 35.90, 120.60, 36.40)  # Qingdao's urban districts, WGS-84
BATCHES_PER_S = 10
STEP_DEG = 0.0005  # ~50 m per update, a few seconds of walking or driving
UNITS = 40


def populate(index: LiveIndex, n: int, rnd: random.Random) -> list[list[float]]:
    """n points (90 % officers, 10 % vehicles, 85 % available); returns their mutable [lng, lat] positions."""
    x0, y0, x1, y1 = BOX
    pos = [[rnd.uniform(x0, x1), rnd.uniform(y0, y1)] for _ in range(n)]
    index.upsert_many(
        (i, lng, lat, rnd.random() < 0.85, "vehicle" if i % 10 == 0 else "officer", i % UNITS)
        for i, (lng, lat) in enumerate(pos)
    )
    return pos


def updater(index: LiveIndex, pos: list[list[float]], per_s: int, stop: threading.Event, done: list[int]) -> None:
    """Apply per_s updates a second in BATCHES_PER_S batches on a fixed schedule (random walk, ~10 % toggles)."""
    rnd = random.Random(2)
    x0, y0, x1, y1 = BOX
    batch = max(1, per_s // BATCHES_PER_S)
    period = batch / per_s
    available = {i: True for i in range(len(pos))}
    next_t = time.perf_counter()
    while not stop.is_set():
        rows = []
        for _ in range(batch):
            i = rnd.randrange(len(pos))
            p = pos[i]
            p[0] = min(x1, max(x0, p[0] + rnd.uniform(-STEP_DEG, STEP_DEG)))
            p[1] = min(y1, max(y0, p[1] + rnd.uniform(-STEP_DEG, STEP_DEG)))
            if rnd.random() < 0.1:
                available[i] = not available[i]
            rows.append((i, p[0], p[1], available[i], "vehicle" if i % 10 == 0 else "officer", i % UNITS))
        index.upsert_many(rows)
        done[0] += len(rows)
        next_t += period
        delay = next_t - time.perf_counter()
        if delay > 0:
            stop.wait(delay)


def run_queries(index: LiveIndex, n: int, seconds: float, rnd: random.Random) -> list[float]:
    """Latencies (ms) of nearest(k=5) at random points: n queries, or for `seconds` if that is longer."""
    x0, y0, x1, y1 = BOX
    out: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(out) < n or time.perf_counter() < deadline:
        lng, lat = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
        t = time.perf_counter()
        index.nearest(lng, lat, 5)
        out.append((time.perf_counter() - t) * 1000.0)
    return out


def report(label: str, ms: list[float]) -> None:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    print(
        f"{label}: {len(ms):,} queries  p50={q[49]:.3f} ms  p95={q[94]:.3f} ms  p99={q[98]:.3f} ms  "
        f"max={max(ms):.3f} ms  ({len(ms) / (sum(ms) / 1000.0):,.0f} queries/s of query time)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=20_000)
    ap.add_argument("--updates-per-s", type=int, default=2_000)
    ap.add_argument("--queries", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=0.0, help="keep querying at least this long (each phase)")
    ap.add_argument("--cell-m", type=float, default=500.0)
    args = ap.parse_args()

    rnd = random.Random(1)
    index = LiveIndex(args.cell_m)
    t = time.perf_counter()
    pos = populate(index, args.points, rnd)
    print(f"points={len(index):,} cell={args.cell_m:g} m  build={time.perf_counter() - t:.2f}s")

    run_queries(index, 1_000, 0.0, rnd)  # warm-up
    report("idle            ", run_queries(index, args.queries, args.seconds, rnd))

    stop, done = threading.Event(), [0]
    thread = threading.Thread(target=updater, args=(index, pos, args.updates_per_s, stop, done), daemon=True)
    t = time.perf_counter()
    thread.start()
    ms = run_queries(index, args.queries, args.seconds, rnd)
    stop.set()
    thread.join()
    elapsed = time.perf_counter() - t
    report("with updates    ", ms)
    print(
        f"updates applied: {done[0]:,} in {elapsed:.1f}s = {done[0] / elapsed:,.0f}/s (target {args.updates_per_s:,}/s)"
    )


if __name__ == "__main__":
    main()
