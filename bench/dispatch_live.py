"""Nearest officer through the real code path with a database: 20,000 officers moving at 2,000 fixes/s while
``chengguan.dispatching.live.nearest_for_source()`` answers for random case sources.

A fresh demo database (temporary SQLite file, or a throwaway schema of ``--database-url``) gets ``--officers`` extra
officers (Core executemany, spread over the demo squads' grids) and ~``--sources`` case sources (through ``ingest()``).
Every officer reports a first fix, then a writer posts ``--rate`` fixes a second through ``ingest_positions()`` (10
batches a second, each batch its own transaction) — in a thread of this process, as a uvicorn worker would, or with
``--writer-process`` in a separate process (another worker). Meanwhile the main thread asks ``--qps`` times a second,
alternating
  * the full call ``nearest_for_source(session, source)`` as the API makes it, and
  * the index query alone (``index.nearest`` under the live state's lock) for the same source.
The live state follows the table by itself: a writer in this process applies its rows at commit, a background thread
applies what other processes committed (its refreshes are timed too, with the rows they applied). Per-query
p50/p95/p99 are printed, with the garbage collector's pauses in this process;
target: p99 ≤ 2 ms for the full call. ``--rate 0`` gives the baseline without position traffic. Run:
    .venv/bin/python bench/dispatch_live.py [--officers 20000] [--rate 2000] [--seconds 15] [--writer-process]
    .venv/bin/python bench/dispatch_live.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import queue
import random
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "src"), str(BENCH)]

from shapely.geometry import shape  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from chengguan.core.db import Database  # noqa: E402
from chengguan.core.principals import cli_actor  # noqa: E402
from chengguan.dispatching import live  # noqa: E402
from chengguan.dispatching import positions as fixes_in  # noqa: E402
from chengguan.dispatching.models import Position  # noqa: E402
from chengguan.intake.ingest import ingest  # noqa: E402
from chengguan.intake.models import CaseSource  # noqa: E402
from chengguan.org.models import Grid, Officer  # noqa: E402
from chengguan.simulate import AlarmMix, GridArea, point_in  # noqa: E402
from intake import fresh_database, percentile  # noqa: E402

TARGET_P99_MS = 2.0
_M_PER_DEG = 111_320.0


def add_officers(db: Database, n: int, rng: random.Random) -> tuple[list[uuid.UUID], list[tuple[float, float]]]:
    """n certified officers in the demo squads (Core executemany) and a start point for each in its squad's grids."""
    with db.session(write=False) as s:
        grids = [GridArea(str(i), c, "", str(q), shape(g)) for i, c, q, g in
                 s.execute(select(Grid.id, Grid.grid_code, Grid.squad_id, Grid.geometry))]  # fmt: skip
    now = datetime.now(UTC)
    ids, starts, rows = [], [], []
    for i in range(n):
        grid = rng.choice(grids)
        oid = uuid.uuid4()
        ids.append(oid)
        starts.append(point_in(grid, rng))
        rows.append({"id": oid, "name": f"压测队员{i:05d}", "gender": rng.choice(("male", "female")),
                     "certificate_no": f"BENCH{i:09d}", "rank": "四级行政执法员", "kind": "certified",
                     "unit_id": uuid.UUID(grid.squad_id), "phone": None, "status": "active",
                     "created_at": now, "updated_at": now})  # fmt: skip
    with db.session() as s, s.begin():
        s.execute(insert(Officer.__table__), rows)
    return ids, starts


def add_sources(db: Database, n: int, rng: random.Random) -> list[CaseSource]:
    """About n open case sources through ingest() (alarms over the last 50 minutes), loaded detached."""
    with db.session(write=False) as s:
        grids = [GridArea(str(i), c, "", str(q), shape(g)) for i, c, q, g in
                 s.execute(select(Grid.id, Grid.grid_code, Grid.squad_id, Grid.geometry))]  # fmt: skip
    mix = AlarmMix(rng, grids, [], key_prefix="dispatch-bench", repeat_share=0.0)
    end = datetime.now(UTC) - timedelta(minutes=1)
    signals = [mix.next(end - timedelta(seconds=50 * 60 * (n - i) / n)) for i in range(n)]
    with db.session() as s, s.begin():
        ingest(s, signals, cli_actor("bench"))
    with db.session(write=False) as s:
        return list(s.scalars(select(CaseSource)))


def fix(oid: uuid.UUID, lng: float, lat: float, status: str | None = None) -> dict[str, Any]:
    item = {"subject_kind": "officer", "subject_id": str(oid), "lng": lng, "lat": lat,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds")}  # fmt: skip
    if status:
        item["status"] = status
    return item


def writer(url: str, ids: list[uuid.UUID], starts: list[tuple[float, float]], rate: int, stop: Any, out: Any) -> None:
    """Post ``rate`` fixes a second (10 batches a second, one transaction each) until ``stop`` is set."""
    db = Database(url)
    rng = random.Random(7)
    where = list(starts)
    per_batch = max(1, rate // 10)
    latencies: list[float] = []
    sent = 0
    began = time.perf_counter()
    tick = began
    while not stop.is_set():
        items = []
        for k in rng.sample(range(len(ids)), per_batch):
            lng, lat = where[k]
            step = rng.uniform(0.0, 15.0)  # metres since the last fix (walking / e-bike)
            angle = rng.uniform(0.0, 6.283)
            lng += step * math.cos(angle) / (_M_PER_DEG * 0.81)
            lat += step * math.sin(angle) / _M_PER_DEG
            where[k] = (lng, lat)
            items.append(fix(ids[k], round(lng, 7), round(lat, 7)))
        t = time.perf_counter()
        with db.session() as s, s.begin():
            fixes_in.ingest_positions(s, items)
        latencies.append(time.perf_counter() - t)
        sent += len(items)
        tick += 0.1
        time.sleep(max(0.0, tick - time.perf_counter()))
    db.dispose()
    out.put({"sent": sent, "seconds": time.perf_counter() - began, "latencies": latencies})


def ms(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1e3:.2f}  p95 {percentile(values, 95) * 1e3:.2f}  "
            f"p99 {percentile(values, 99) * 1e3:.2f}  max {max(values) * 1e3:.2f} ms  (n={len(values)})")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--officers", type=int, default=20_000)
    ap.add_argument("--rate", type=int, default=2000, help="position updates per second (0: no writer, a baseline)")
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--qps", type=float, default=200, help="nearest queries a second (0: back to back)")
    ap.add_argument("--writer-process", action="store_true", help="the writer in its own process (no shared GIL)")
    ap.add_argument("--database-url", help="PostgreSQL base URL: run in a throwaway schema (default: SQLite)")
    args = ap.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="cg-dispatch-") as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        db = Database(url)
        t = time.perf_counter()
        ids, starts = add_officers(db, args.officers, rng)
        sources = add_sources(db, args.sources, rng)
        first = [fix(o, round(x, 7), round(y, 7), rng.choices(("available", "off_duty", "busy"), (7, 2, 1))[0])
                 for o, (x, y) in zip(ids, starts, strict=True)]  # fmt: skip
        for i in range(0, len(first), 2000):
            with db.session() as s, s.begin():
                fixes_in.ingest_positions(s, first[i : i + 2000])
        del first  # the bench's own garbage must not lengthen the collector pauses measured below
        with db.session(write=False) as s:
            positions = s.scalar(select(func.count()).select_from(Position))
        print(f"database={db.dialect}  officers +{len(ids):,} ({positions:,} live positions)  case sources "
              f"{len(sources):,}  setup {time.perf_counter() - t:.1f} s")  # fmt: skip

        live.reset_all()
        with db.session(write=False) as s:
            t = time.perf_counter()
            live.nearest_for_source(s, sources[0])
            first_ms = (time.perf_counter() - t) * 1e3
        print(f"  first call (full load of every position into the index): {first_ms:.0f} ms")

        ctx = multiprocessing.get_context("spawn") if args.writer_process else None
        stop = ctx.Event() if ctx else threading.Event()
        out = ctx.Queue() if ctx else queue.SimpleQueue()
        runner = None
        if args.rate > 0:
            runner = (ctx.Process if ctx else threading.Thread)(
                target=writer, args=(url, ids, starts, args.rate, stop, out), daemon=True
            )
            runner.start()
            time.sleep(1.0)  # let the writer reach its pace
        m = measure(db, sources, args.seconds, args.qps, rng)
        stop.set()
        w = out.get(timeout=60) if runner else None
        if runner:
            runner.join(timeout=60)
        db.dispose()

    if w is None:
        print("  writer: none (--rate 0: the baseline without position traffic)")
    else:
        mode = "separate process" if args.writer_process else "thread of this process"
        achieved = w["sent"] / w["seconds"]
        print(f"  writer ({mode}): {achieved:,.0f} fixes/s achieved of {args.rate:,} asked; "
              f"ingest_positions() per {max(1, args.rate // 10)}-fix batch: {ms(w['latencies'])}")  # fmt: skip
        if achieved < 0.9 * args.rate:
            print("  WARNING: the writer fell behind — the figures below are not at the position load asked for")
    print(f"  nearest_for_source() full call: {ms(m['full'])}")
    print(f"    index query alone (same source, right after): {ms(m['index'])}")
    applied = [r for _, r in m["refresh"] if r]
    if m["refresh"]:
        each = sum(applied) / max(1, len(applied))
        print(f"  background refresh (live-positions thread, every {live.REFRESH_EVERY_S * 1e3:.0f} ms): "
              f"{len(m['refresh'])} calls, {len(applied)} of them applied rows (≈ {each:,.0f} rows each): "
              f"{ms([t for t, _ in m['refresh']])}")  # fmt: skip
    print(f"  garbage-collector pauses in this process while measuring: {len(m['gc'])}"
          + (f", max {max(m['gc']) * 1e3:.1f} ms, total {sum(m['gc']) * 1e3:.0f} ms" if m["gc"] else ""))  # fmt: skip
    p99 = percentile(m["full"], 99) * 1e3
    verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
    print(f"  target p99 ≤ {TARGET_P99_MS:g} ms (full call): {verdict} ({p99:.2f} ms)")


def measure(db: Database, sources: list[CaseSource], seconds: float, qps: float, rng: random.Random) -> dict[str, list]:
    """``qps`` times a second (0: back to back) for ``seconds``: the full call, then the index query alone for the
    same source; each in a fresh read session. Pacing matters with the writer in a thread: a query loop that never
    sleeps holds the GIL and starves the writer, which then does not deliver the position load asked for. The
    background refresh of this process's live state is timed by wrapping its ``refresh`` method (rows applied too)."""
    full: list[float] = []
    index: list[float] = []
    refreshes: list[tuple[float, int]] = []
    pauses: list[float] = []
    gc_began = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_began[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - gc_began[0])

    with db.session(write=False) as s:
        state = live.state_for(s)
    plain_refresh = state.refresh

    def timed_refresh(session: Any) -> None:
        before = state.applied or 0
        t = time.perf_counter()
        plain_refresh(session)
        refreshes.append((time.perf_counter() - t, (state.applied or 0) - before))

    state.refresh = timed_refresh  # type: ignore[method-assign]
    gc.callbacks.append(on_gc)
    began = time.perf_counter()
    deadline = began + seconds
    n = 0
    try:
        while time.perf_counter() < deadline:
            source = rng.choice(sources)
            with db.session(write=False) as s:
                t = time.perf_counter()
                live.nearest_for_source(s, source)
                full.append(time.perf_counter() - t)
            t = time.perf_counter()
            with state.lock:
                state.index.nearest(source.lng, source.lat, 5, kind="officer", available_only=True)
            index.append(time.perf_counter() - t)
            n += 1
            if qps > 0:
                time.sleep(max(0.0, began + n / qps - time.perf_counter()))
    finally:
        gc.callbacks.remove(on_gc)
        state.refresh = plain_refresh  # type: ignore[method-assign]
    return {"full": full, "index": index, "refresh": refreshes, "gc": pauses}


if __name__ == "__main__":
    main()
