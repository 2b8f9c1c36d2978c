"""The big screen's bundle and the home page's figures on a demo city grown by ``--cases`` synthetic cases.

A freshly migrated demo database (temporary SQLite file, or a throwaway schema of ``--database-url``) gets ``--cases``
cases in bulk (bench/cases.py's ``fill``). Then, through the code the API runs:
  (a) ``analytics.figures.today_figures`` (GET /analytics/today, the home page) for the city administrator, a
      district leader, a squad leader, an officer and a legal reviewer: p50/p95/max;
  (b) ``analytics.screen.bundle`` (GET /analytics/screen before its cache; the stream recomputes it every
      ``analytics_screen_s``) for the administrator and a district leader, outlines included and without: p50/p95;
  (c) the shared cache: ``--walls`` screens of one scope asking at once cost one computation.
The city-scale DuckDB queries inside the bundle (30-day cube by district/street/category/day, hotspots) are those of
bench/analytics.py (100 M sources / 5 M cases); this bench times the bundle as a whole on the live path.
Target (issue 22): each ≤ 2 s at p95. Run:
    .venv/bin/python bench/screen.py [--cases 200000] [--runs 10] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import fill, percentile, principal  # bench/cases.py
from chengguan import app  # noqa: F401  every module's hooks, as in the API
from chengguan.analytics import screen
from chengguan.analytics.figures import today_figures
from chengguan.core.db import Database
from chengguan.core.principals import StaffPrincipal
from intake import fresh_database  # bench/intake.py

TARGET_S = 2.0
USERS = ("admin", "shinan_leader", "bdg_leader", "bdg_officer", "shinan_legal")


def timed(db: Database, fn: Callable[..., object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        with db.session(write=False) as s:
            fn(s)
        out.append(time.perf_counter() - t)
    return out


def line(label: str, times: list[float]) -> float:
    p95 = percentile(times, 95)
    print(f"    {label:<40} p50 {percentile(times, 50) * 1e3:8.1f} ms  p95 {p95 * 1e3:8.1f} ms  "
          f"max {max(times) * 1e3:8.1f} ms")  # fmt: skip
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--walls", type=int, default=20)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        db = Database(url)
        who = {u: principal(db, u) for u in USERS}
        if args.cases:
            _, took = fill(db, args.cases, args.seed, who["bdg_officer"].officer_id)
            print(f"filled {args.cases:,} cases in {took:.1f} s")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE")
        data_dir = Path(tmp) / "data"  # no snapshot: every figure on the live path (the slower one)
        worst = 0.0
        print(f"(a) home figures (GET /analytics/today), {db.dialect}:")
        for u, p in who.items():
            worst = max(worst, line(u, timed(db, lambda s, p=p: today_figures(s, p), args.runs)))
        print("(b) screen bundle (GET /analytics/screen, uncached):")
        for u in ("admin", "shinan_leader"):
            p: StaffPrincipal = who[u]
            worst = max(worst, line(f"{u} with outlines",
                                    timed(db, lambda s, p=p: screen.bundle(s, p, data_dir), args.runs)))  # fmt: skip
            worst = max(worst, line(f"{u} (stream refresh, no outlines)",
                                    timed(db, lambda s, p=p: screen.bundle(s, p, data_dir, outlines=False),
                                          args.runs)))  # fmt: skip
        print(f"    worst p95 {worst:.2f} s — target ≤ {TARGET_S} s: {'met' if worst <= TARGET_S else 'MISSED'}")
        screen.CACHE.clear()
        before = screen.CACHE.computed
        started = time.perf_counter()

        def wall() -> None:
            with db.session(write=False) as s:
                screen.latest(s, who["admin"], data_dir, 15.0)

        threads = [threading.Thread(target=wall) for _ in range(args.walls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"(c) {args.walls} walls of one scope at once: {screen.CACHE.computed - before} computation(s), "
              f"all served in {time.perf_counter() - started:.2f} s")  # fmt: skip
        db.dispose()


if __name__ == "__main__":
    main()
