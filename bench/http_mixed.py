"""The authenticated reads of the working day against a bare FastAPI endpoint, in one run (issue 18, Throughput).

For each backend (SQLite; PostgreSQL on a copy of the demo database) and each worker count (1, 2), the bench starts
``chengguan serve --workers N`` on 127.0.0.1 over a private copy of the demo city (tests/databases.py templates:
a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL, dropped afterwards; the ``test`` database
itself is never touched), logs the demo users in, and drives ``--concurrency`` clients at each read in turn:

* ``GET /api/v1/auth/me``                      (an officer, bdg_officer)
* ``GET /api/v1/dispatch/tasks?mine=true``     (the same officer's open tasks)
* ``GET /api/v1/cases``                        (a squad leader, bdg_leader: the squad's cases, first page)
* ``GET /api/v1/case-sources``                 (the command centre, command: the city's case sources, first page)
* ``mixed``                                    (the four in rotation, one connection each)

and, in the same run with the same worker count, a bare FastAPI endpoint (``async def`` returning a small dict,
uvicorn without access log) as the baseline. Printed: req/s, p50/p99 latency, and the ratio to bare. The issue asks
for ≥ 0.25 with p99 ≤ 250 ms on 2 workers.

The load comes from ``wrk`` (Debian package wrk; one thread, so that it takes as little CPU from the servers as
possible on a small machine) when it is on PATH, else from httpx's async client (its own CPU cost then caps the
bare figure: the ratios are flattered). Only 127.0.0.1 is contacted; every server is stopped at the end.

    .venv/bin/python bench/http_mixed.py                               # both backends, 1 and 2 workers
    .venv/bin/python bench/http_mixed.py --backends sqlite --workers 2 --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORDS = {"bdg_officer": "Officer@2026", "bdg_leader": "Squad@2026", "command": "Command@2026"}
ROUTES = {  # name → (path, demo user)
    "auth/me": ("/api/v1/auth/me", "bdg_officer"),
    "my tasks": ("/api/v1/dispatch/tasks?mine=true", "bdg_officer"),
    "cases": ("/api/v1/cases", "bdg_leader"),
    "case-sources": ("/api/v1/case-sources", "command"),
}


def bare_app():  # type: ignore[no-untyped-def]
    """The baseline: the cheapest FastAPI endpoint there is (uvicorn --factory http_mixed:bare_app)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/bare")
    async def bare() -> dict[str, bool]:
        return {"ok": True}

    return app


# --- servers ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], log_path: Path, base: str) -> Iterator[str]:
    """Start ``command`` in its own process group, wait for ``/api/health`` (or /bare), always stop the group."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                   cwd=ROOT)  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            probe = "/bare" if "bare_app" in " ".join(command) else "/api/health"
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"server exited:\n{log_path.read_text(errors='replace')[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + probe, timeout=2, trust_env=False).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"server not up:\n{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
            yield base
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def chengguan_server(url: str, data_dir: Path, workers: int, work: Path) -> contextlib.AbstractContextManager[str]:
    port = free_port()
    env = {
        **os.environ,
        "CHENGGUAN_DATABASE_URL": url,
        "CHENGGUAN_DATA_DIR": str(data_dir),
        "CHENGGUAN_ENV": "test",
        "CHENGGUAN_SECRET_KEY": "bench-" + "x" * 40,
        "CHENGGUAN_RUN_JOBS": "false",
        "NO_PROXY": HOST,
    }
    env.pop("CHENGGUAN_NOW", None)
    script = Path(sys.executable).with_name("chengguan")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "chengguan"]
    command += ["serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    return server(command, env, work / f"chengguan-{port}.log", f"http://{HOST}:{port}")


def bare_server(workers: int, work: Path) -> contextlib.AbstractContextManager[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "http_mixed:bare_app", "--app-dir", str(ROOT / "bench"),
               "--host", HOST, "--port", str(port), "--workers", str(workers), "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    return server(command, {**os.environ, "NO_PROXY": HOST}, work / f"bare-{port}.log", f"http://{HOST}:{port}")


# --- the demo database -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def demo_copy(backend: str, pg_url: str, work: Path) -> Iterator[tuple[str, Path]]:
    """A private copy of the demo city on ``backend`` (and its files), dropped afterwards."""
    if backend == "postgresql":
        os.environ["CHENGGUAN_TEST_DATABASE_URL"] = pg_url  # tests/databases.py copies from its PostgreSQL template
    else:
        os.environ.pop("CHENGGUAN_TEST_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "tests"))
    from databases import copy_database, copy_files, drop_database

    folder = work / backend
    folder.mkdir()
    url = copy_database("demo", folder)
    try:
        yield url, copy_files("demo", folder / "data")
    finally:
        drop_database(url)


# --- load ----------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = r"""
local paths = {PATHS}
local tokens = {TOKENS}
local n = 0
request = function()
  n = n + 1
  local i = (n % #paths) + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. tokens[i]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %f %f\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def wrk_load(base: str, targets: list[tuple[str, str]], concurrency: int, seconds: float, work: Path) -> Figures:
    """``concurrency`` connections from one wrk thread cycling over ``targets`` (path, token)."""
    script = work / "load.lua"
    text = WRK_SCRIPT.replace("{PATHS}", lua_list([p for p, _ in targets]))
    script.write_text(text.replace("{TOKENS}", lua_list([t for _, t in targets])))
    done = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script),
         base + targets[0][0]],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"^RESULT (.*)$", done.stdout, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk said:\n{done.stdout}\n{done.stderr}")
    requests, micros, *errors = match.group(1).split()
    p50, p99 = float(errors[-2]), float(errors[-1])
    return Figures(int(requests), int(micros) / 1e6, sum(int(e) for e in errors[:-2]), p50 / 1000, p99 / 1000)


def httpx_load(base: str, targets: list[tuple[str, str]], concurrency: int, seconds: float) -> Figures:
    """The same with httpx's async client (no wrk on this machine)."""
    latencies: list[float] = []
    errors = [0]

    async def run() -> float:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, trust_env=False) as client:
            stop_at = time.perf_counter() + seconds

            async def one(k: int) -> None:
                while time.perf_counter() < stop_at:
                    path, token = targets[(k + len(latencies)) % len(targets)]
                    began = time.perf_counter()
                    try:
                        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
                        errors[0] += response.status_code != 200
                    except httpx.HTTPError:
                        errors[0] += 1
                    latencies.append(time.perf_counter() - began)

            began = time.perf_counter()
            await asyncio.gather(*(one(k) for k in range(concurrency)))
            return time.perf_counter() - began

    elapsed = asyncio.run(run())
    ordered = sorted(latencies) or [math.nan]

    def pct(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    return Figures(len(latencies), elapsed, errors[0], pct(0.50), pct(0.99))


def load(args: argparse.Namespace, base: str, targets: list[tuple[str, str]], work: Path) -> Figures:
    """A warm-up, then the measured run."""
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    for seconds, measured in ((args.warmup, False), (args.duration, True)):
        if seconds <= 0:
            continue
        figures = (
            wrk_load(base, targets, args.concurrency, seconds, work)
            if use_wrk
            else httpx_load(base, targets, args.concurrency, seconds)
        )
        if measured:
            return figures
    raise AssertionError("unreachable")


def login(base: str, username: str) -> str:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]},
                          timeout=60, trust_env=False)  # fmt: skip
    if response.status_code != 200:
        raise SystemExit(f"login of {username} failed: {response.status_code} {response.text}")
    return str(response.json()["access_token"])


# --- the run -------------------------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, backend: str, workers: int, work: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with bare_server(workers, work) as base:
        bare = load(args, base, [("/bare", "-")], work)
    rows.append({"backend": backend, "workers": workers, "route": "bare", "figures": bare})
    with (
        demo_copy(backend, args.pg_url, work) as (url, data_dir),
        chengguan_server(url, data_dir, workers, work) as base,
    ):
        tokens = {user: login(base, user) for user in {u for _, u in ROUTES.values()}}
        for path, user in ROUTES.values():  # every route answers before anything is timed
            response = httpx.get(base + path, headers={"Authorization": f"Bearer {tokens[user]}"}, trust_env=False,
                                 timeout=60)  # fmt: skip
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
        for name, (path, user) in ROUTES.items():
            figures = load(args, base, [(path, tokens[user])], work)
            rows.append({"backend": backend, "workers": workers, "route": name, "figures": figures})
        mixed = load(args, base, [(p, tokens[u]) for p, u in ROUTES.values()], work)
        rows.append({"backend": backend, "workers": workers, "route": "mixed", "figures": mixed})
    for row in rows:
        figures = row["figures"]
        assert isinstance(figures, Figures)
        row["ratio"] = figures.rps / bare.rps if bare.rps else math.nan
    return rows


def print_rows(rows: list[dict[str, object]]) -> None:
    head = f"{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'÷ bare':>8}{'errors':>8}"
    print(f"{'backend':<11}{'workers':>7}  {'route':<13}{head}")
    for row in rows:
        f = row["figures"]
        assert isinstance(f, Figures)
        print(f"{row['backend']:<11}{row['workers']:>7}  {row['route']:<13}{f.rps:>9.0f}{f.p50_ms:>9.1f}"
              f"{f.p99_ms:>9.1f}{row['ratio']:>8.2f}{f.errors:>8}", flush=True)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--duration", type=float, default=8.0, help="measured seconds per route (default 8)")
    ap.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)")
    ap.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--pg-url", default=os.environ.get("CHENGGUAN_TEST_DATABASE_URL") or PG_DEFAULT,
                    help="PostgreSQL server whose demo template is copied (never modified)")  # fmt: skip
    ap.add_argument("--json", action="store_true", help="also print the rows as JSON lines")
    args = ap.parse_args()
    client = "wrk" if args.client == "wrk" or (args.client == "auto" and shutil.which("wrk")) else "httpx"
    print(f"{args.concurrency} clients ({client}), {args.duration:.0f} s per route after {args.warmup:.0f} s warm-up")
    every: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="chengguan-http-mixed-") as tmp:
        for backend in args.backends.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                work = Path(tmp) / f"{backend}-{workers}"
                work.mkdir()
                rows = measure(args, backend.strip(), workers, work)
                print_rows(rows)
                every += rows
    if args.json:
        for row in every:
            f = row["figures"]
            assert isinstance(f, Figures)
            print(json.dumps({**{k: v for k, v in row.items() if k != "figures"}, "rps": round(f.rps, 1),
                              "p50_ms": f.p50_ms, "p99_ms": f.p99_ms, "errors": f.errors}))  # fmt: skip


if __name__ == "__main__":
    main()
