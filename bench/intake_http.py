"""Intake over HTTP: 100 batches × 1,000 alarms to ``POST /api/v1/signals:batch`` of a real uvicorn server.

For each client count in ``--clients`` (default 1,2,4) a fresh demo database (temporary SQLite file, or a throwaway
schema of ``--database-url``) is migrated and loaded, uvicorn starts as a subprocess on 127.0.0.1 (1 worker,
``--no-access-log``, ``CHENGGUAN_RUN_JOBS=false``), the bench logs in as the demo ``command`` user and that many
clients (threads, one keep-alive httpx connection each) post the batches in time order. The alarm stream is the one
bench/intake.py measures in-process (same mix, 20 % repeats that merge, occurred_at over the last 8 hours); request
bodies are encoded before the clock starts. Target: ≥ 10,000 signals/s. The server is always stopped. Run:
    .venv/bin/python bench/intake_http.py [--batches 100] [--batch 1000] [--clients 1,2,4]
    .venv/bin/python bench/intake_http.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "src"), str(BENCH)]

from api_login_me import free_port, fresh_schema, stop, tail, wait_until_healthy  # noqa: E402

from chengguan.core.db import Database  # noqa: E402
from chengguan.core.migrate import upgrade  # noqa: E402
from chengguan.demo.loader import load_demo  # noqa: E402
from intake import alarm_stream, percentile  # noqa: E402

HOST = "127.0.0.1"
COMMAND = {"username": "command", "password": "Command@2026"}  # demo login with signal:write
PATH = "/api/v1/signals:batch"
TARGET = 10_000


@contextlib.contextmanager
def server(base_url: str | None, work: Path) -> Iterator[tuple[str, str]]:
    """A fresh demo database and a uvicorn serving it; yields (base URL, database URL); always stopped."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_schema(base_url)) if base_url else f"sqlite:///{work / 'http.db'}"
        upgrade(url)
        db = Database(url)
        load_demo(db)
        db.dispose()
        port = free_port()
        env = {**os.environ, "CHENGGUAN_DATABASE_URL": url, "CHENGGUAN_RUN_JOBS": "false",
               "CHENGGUAN_DATA_DIR": str(work / "data"), "CHENGGUAN_SECRET_KEY": secrets.token_urlsafe(48),
               "NO_PROXY": HOST}  # fmt: skip
        env.pop("CHENGGUAN_NOW", None)
        command = [sys.executable, "-m", "uvicorn", "chengguan.app:create_app", "--factory", "--host", HOST,
                   "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]  # fmt: skip
        log_path = work / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_until_healthy(process, f"http://{HOST}:{port}", timeout=60, log_path=log_path)
                yield f"http://{HOST}:{port}", url
            finally:
                stop(process)


def post_all(base_url: str, bodies: list[bytes], clients: int) -> dict:
    """``clients`` threads take the batches in order from one queue; wall time, per-batch latency, outcomes."""
    with httpx.Client(base_url=base_url, timeout=60, trust_env=False) as c:
        response = c.post("/api/v1/auth/login", json=COMMAND)
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}", "Content-Type": "application/json"}
    work: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    for body in bodies:
        work.put(body)
    latencies: list[float] = []
    outcome = {"accepted": 0, "rejected": 0, "merged": 0, "errors": 0}
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=120, trust_env=False) as c:
            c.get("/api/health")  # open the keep-alive connection before the clock starts
            start.wait()
            while True:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    return
                t = time.perf_counter()
                try:
                    response = c.post(PATH, content=body)
                    ok = response.status_code == 200
                    result = response.json() if ok else None
                except httpx.HTTPError:
                    ok, result = False, None
                elapsed = time.perf_counter() - t
                with lock:
                    latencies.append(elapsed)
                    if not ok or result is None:
                        outcome["errors"] += 1
                        continue
                    outcome["accepted"] += result["accepted"]
                    outcome["rejected"] += result["rejected"]
                    outcome["merged"] += sum(1 for r in result["results"] if r["merged"])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return {"wall": time.perf_counter() - began, "latencies": latencies, **outcome}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--batches", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1000, help="signals per request (the API takes ≤ 1000)")
    ap.add_argument("--clients", default="1,2,4", help="comma-separated client counts, one fresh server each")
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=47678)
    ap.add_argument("--database-url", help="PostgreSQL base URL: each run in a throwaway schema (default: SQLite)")
    args = ap.parse_args()
    n = args.batches * args.batch
    with tempfile.TemporaryDirectory(prefix="cg-intake-http-") as tmp:
        stream_db = Path(tmp) / "stream.db"  # the demo city once, just to draw the alarm stream from
        upgrade(f"sqlite:///{stream_db}")
        db = Database(f"sqlite:///{stream_db}")
        load_demo(db)
        signals, repeat_keys = alarm_stream(db, n, args.hours, args.seed)
        db.dispose()
        bodies = [json.dumps({"signals": signals[i : i + args.batch]}).encode() for i in range(0, n, args.batch)]
        backend = "postgresql" if args.database_url else "sqlite"
        kib = sum(map(len, bodies)) / len(bodies) / 1024
        print(f"POST {PATH}  database={backend}  {args.batches} batches × {args.batch} signals  "
              f"({len(repeat_keys) / n:.1%} repeats; body ≈ {kib:.0f} KiB)")  # fmt: skip
        for clients in (int(c) for c in args.clients.split(",")):
            work = Path(tmp) / f"c{clients}"
            work.mkdir()
            with server(args.database_url, work) as (base_url, _):
                r = post_all(base_url, bodies, clients)
            lat = sorted(r["latencies"])
            rate = r["accepted"] / r["wall"]
            print(f"  clients={clients}: {rate:,.0f} signals/s ({r['accepted']:,} accepted in {r['wall']:.2f} s)  "
                  f"batch p50 {percentile(lat, 50) * 1e3:.0f} ms  p95 {percentile(lat, 95) * 1e3:.0f} ms  "
                  f"max {lat[-1] * 1e3:.0f} ms  merged {r['merged'] / max(1, r['accepted']):.1%}  "
                  f"rejected {r['rejected']}  errors {r['errors']}  target ≥ {TARGET:,}/s: "
                  f"{'met' if rate >= TARGET else 'MISSED'}")  # fmt: skip
            if r["errors"]:
                print("  server log (tail):\n" + tail(work / "server.log", 20))


if __name__ == "__main__":
    main()
