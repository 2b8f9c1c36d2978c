"""What keeping the track history (position_track, 轨迹回放) costs the position ingest: ``ingest_positions()`` on
batches of ``--batch`` fixes for ``--officers`` officers, with the history appended (as shipped) and with the
append switched off, alternating batch by batch in the same database so both see the same table sizes; then the
playback query for one officer's day. Run:
    .venv/bin/python bench/track_ingest.py [--officers 5000] [--batch 500] [--batches 60]
    .venv/bin/python bench/track_ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "src"), str(BENCH)]

from dispatch_live import add_officers  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from chengguan.core.db import Database  # noqa: E402
from chengguan.dispatching import positions as fixes_in  # noqa: E402
from chengguan.dispatching.models import SubjectKind, TrackPoint  # noqa: E402
from chengguan.mapping import repository  # noqa: E402
from intake import fresh_database, percentile  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--officers", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--batches", type=int, default=60, help="batches of each kind (with and without the history)")
    ap.add_argument("--database-url", help="PostgreSQL base URL: run in a throwaway schema (default: SQLite)")
    args = ap.parse_args()
    rng = random.Random(2026)
    append = fixes_in._append_track
    with tempfile.TemporaryDirectory(prefix="cg-track-") as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        db = Database(url)
        ids, starts = add_officers(db, args.officers, rng)
        at = datetime.now(UTC) - timedelta(days=1)
        timings: dict[bool, list[float]] = {True: [], False: []}
        for n in range(2 * args.batches):
            keep = n % 2 == 0
            fixes_in._append_track = append if keep else (lambda session, rows: None)
            at += timedelta(seconds=10)
            batch = []
            for _ in range(args.batch):
                i = rng.randrange(len(ids))
                lng, lat = starts[i]
                batch.append({"subject_id": str(ids[i]), "lng": lng + rng.uniform(-1e-3, 1e-3),
                              "lat": lat + rng.uniform(-1e-3, 1e-3), "at": at.isoformat()})  # fmt: skip
            t = time.perf_counter()
            with db.session() as s, s.begin():
                fixes_in.ingest_positions(s, batch)
            timings[keep].append(time.perf_counter() - t)
        fixes_in._append_track = append
        with db.session(write=False) as s:
            rows = s.scalar(select(func.count()).select_from(TrackPoint))
            busiest = s.execute(
                select(TrackPoint.subject_id)
                .where(
                    TrackPoint.subject_kind == SubjectKind.officer,
                    TrackPoint.at > at - timedelta(days=1),
                    TrackPoint.at <= at,
                )
                .group_by(TrackPoint.subject_id)
                .order_by(func.count().desc())
                .limit(1)
            ).scalar()
            t = time.perf_counter()
            points = repository.track(s, SubjectKind.officer, busiest, at - timedelta(days=1), at)
            query_ms = (time.perf_counter() - t) * 1e3
        db.dispose()

    def line(values: list[float]) -> str:
        return (f"p50 {percentile(values, 50) * 1e3:.1f} ms  p95 {percentile(values, 95) * 1e3:.1f} ms  "
                f"({args.batch / (sum(values) / len(values)):,.0f} fixes/s)")  # fmt: skip

    print(f"database={db.dialect}  officers {args.officers:,}  batches of {args.batch} fixes, {args.batches} each")
    print(f"  ingest_positions() with the history:    {line(timings[True])}")
    print(f"  ingest_positions() without the history: {line(timings[False])}")
    print(f"  position_track rows: {rows:,}; playback query of the busiest officer ({len(points)} fixes): "
          f"{query_ms:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
