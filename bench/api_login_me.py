"""Benchmark the API end to end: log in once as the demo admin, then hammer GET /api/v1/auth/me with the token.

Starts the real server (``chengguan serve``, or plain uvicorn with ``--server uvicorn``) as a subprocess on
127.0.0.1 and a free port, against a fresh temporary SQLite database that ``chengguan migrate`` and ``chengguan demo``
prepare (or the database ``--database-url`` names; ``--fresh-schema`` runs in a new PostgreSQL schema that is dropped
afterwards). Then ``--concurrency`` clients (asyncio + httpx, spread over ``--client-processes`` processes) send
requests for ``--duration`` seconds or until ``--requests`` are done, and the per-request latencies are summarised.
The server is always stopped, also on error or Ctrl-C. Only 127.0.0.1 is ever contacted.

    .venv/bin/python bench/api_login_me.py                      # SQLite, 1 worker, 50 clients, 10 s
    .venv/bin/python bench/api_login_me.py --workers 2 --client-processes 2
    .venv/bin/python bench/api_login_me.py --fresh-schema \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
ADMIN = {"username": "admin", "password": "Admin@2026"}  # the demo login (chengguan.demo.loader.DEMO_LOGINS)
ME_PATH = "/api/v1/auth/me"


# --------------------------------------------------------------------------------------------------------------
# The server.


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def chengguan_command() -> list[str]:
    """The ``chengguan`` console script of this interpreter's environment, else the CLI module through it."""
    script = Path(sys.executable).with_name("chengguan")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from chengguan.cli import app; app()"]


@contextlib.contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL schema on ``base_url`` (dropped on exit) and the URL whose search_path is it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield (
            make_url(base_url)
            .update_query_dict({"options": f"-csearch_path={name}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


def prepare_database(env: dict[str, str]) -> None:
    for command in (["migrate"], ["demo", "--if-empty"]):
        done = subprocess.run([*chengguan_command(), *command], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"chengguan {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@contextlib.contextmanager
def running_server(args: argparse.Namespace, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Start the server, wait for /api/health, yield its base URL; always stop it (the whole process group)."""
    port = args.port or free_port()
    if args.server == "chengguan":
        command = [*chengguan_command(), "serve", "--host", HOST, "--port", str(port), "--workers", str(args.workers)]
    else:
        command = [
            sys.executable, "-m", "uvicorn", "chengguan.app:create_app", "--factory", "--host", HOST,
            "--port", str(port), "--workers", str(args.workers), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    base_url = f"http://{HOST}:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_healthy(process, base_url, timeout=args.startup_timeout, log_path=log_path)
            yield base_url
        finally:
            stop(process)


def wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, *, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"server exited with {process.returncode}:\n{tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                response = client.get("/api/health")
                if response.status_code == 200 and response.json().get("status") == "ok":
                    return
            time.sleep(0.1)
    raise SystemExit(f"server not healthy after {timeout:.0f} s:\n{tail(log_path)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (uvicorn workers included), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def login(base_url: str) -> str:
    with httpx.Client(base_url=base_url, timeout=30.0, trust_env=False) as client:
        response = client.post("/api/v1/auth/login", json=ADMIN)
    if response.status_code != 200:
        raise SystemExit(f"login failed: {response.status_code} {response.text}")
    return str(response.json()["access_token"])


# --------------------------------------------------------------------------------------------------------------
# The load.


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed requests alike
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    def merge(self, other: Result) -> None:
        self.latencies.extend(other.latencies)
        self.errors.update(other.errors)
        self.elapsed = max(self.elapsed, other.elapsed)


async def _load(base_url: str, token: str, concurrency: int, start_at: float, stop_at: float, budget: int) -> Result:
    result = Result()
    remaining = [budget if budget > 0 else math.inf]
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30.0, trust_env=False) as c:

        async def one_client() -> None:
            while time.time() < stop_at and remaining[0] > 0:
                remaining[0] -= 1
                began = time.perf_counter()
                try:
                    response = await c.get(ME_PATH)
                    if response.status_code != 200:
                        result.errors[f"HTTP {response.status_code}"] += 1
                except httpx.HTTPError as exc:
                    result.errors[type(exc).__name__] += 1
                result.latencies.append(time.perf_counter() - began)

        await asyncio.sleep(max(0.0, start_at - time.time()))
        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - began
    return result


def _client_process(job: tuple[str, str, int, float, float, int]) -> Result:
    return asyncio.run(_load(*job))


def run_load(args: argparse.Namespace, base_url: str, token: str, seconds: float, budget: int) -> Result:
    """``args.concurrency`` clients spread over ``args.client_processes`` processes, all starting at once."""
    processes = max(1, min(args.client_processes, args.concurrency))
    shares = [args.concurrency // processes + (1 if i < args.concurrency % processes else 0) for i in range(processes)]
    budgets = [math.ceil(budget * share / args.concurrency) if budget > 0 else 0 for share in shares]
    start_at = time.time() + (0.5 if processes > 1 else 0.0)  # let every process get ready first
    jobs = [(base_url, token, share, start_at, start_at + seconds, b) for share, b in zip(shares, budgets, strict=True)]
    total = Result()
    if processes == 1:
        total.merge(_client_process(jobs[0]))
        return total
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for part in pool.map(_client_process, jobs):
            total.merge(part)
    return total


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(result: Result) -> dict[str, float | int | dict[str, int]]:
    values = sorted(result.latencies)
    count = len(values)
    return {
        "requests": count,
        "seconds": round(result.elapsed, 3),
        "throughput_rps": round(count / result.elapsed, 1) if result.elapsed else 0.0,
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p90_ms": round(percentile(values, 90) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "max_ms": round(values[-1] * 1000, 2) if values else math.nan,
        "mean_ms": round(sum(values) / count * 1000, 2) if count else math.nan,
        "errors": sum(result.errors.values()),
        "error_kinds": dict(result.errors),
    }


# --------------------------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    ap.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load (default 10)")
    ap.add_argument("--requests", type=int, default=0, help="stop after this many requests (default: no limit)")
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load first (default 1)")
    ap.add_argument("--client-processes", type=int, default=1, help="processes the clients are spread over")
    ap.add_argument("--database-url", help="database to serve (default: a fresh temporary SQLite file)")
    ap.add_argument("--fresh-schema", action="store_true", help="PostgreSQL: run in a new schema, dropped after")
    ap.add_argument(
        "--server",
        choices=["chengguan", "uvicorn"],
        default="chengguan",
        help="`chengguan serve` (as shipped, access log on) or uvicorn --factory without access log",
    )
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    ap.add_argument("--startup-timeout", type=float, default=60.0)
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    return ap.parse_args()


def main() -> None:
    args = parse_args()
    if args.fresh_schema and not (args.database_url or "").startswith("postgresql"):
        raise SystemExit("--fresh-schema needs --database-url postgresql+psycopg://…")
    with tempfile.TemporaryDirectory(prefix="chengguan-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{(work / 'bench.db').as_posix()}"
        if args.fresh_schema:
            url = stack.enter_context(fresh_schema(url))
        env = {
            **os.environ,
            "CHENGGUAN_DATABASE_URL": url,
            "CHENGGUAN_DATA_DIR": str(work / "data"),
            "CHENGGUAN_SECRET_KEY": secrets.token_urlsafe(48),
            "NO_PROXY": HOST,
        }
        env.pop("CHENGGUAN_NOW", None)
        prepare_database(env)
        log_path = work / "server.log"
        try:
            with running_server(args, env, log_path) as base_url:
                token = login(base_url)
                if args.warmup > 0:
                    run_load(args, base_url, token, args.warmup, 0)
                result = run_load(args, base_url, token, args.duration, args.requests)
        except KeyboardInterrupt:
            raise SystemExit("interrupted; server stopped") from None
        summary = summarise(result)
        backend = url.split(":", 1)[0].split("+", 1)[0]
        setup = {"database": backend, "server": args.server, "workers": args.workers,
                 "concurrency": args.concurrency, "client_processes": args.client_processes}  # fmt: skip
        if args.json:
            print(json.dumps(setup | summary, ensure_ascii=False))
            return
        print(f"GET {ME_PATH}  " + "  ".join(f"{k}={v}" for k, v in setup.items()))
        print(f"  requests    {summary['requests']} in {summary['seconds']} s")
        print(f"  throughput  {summary['throughput_rps']} req/s")
        print(
            f"  latency ms  p50 {summary['p50_ms']}  p90 {summary['p90_ms']}  p99 {summary['p99_ms']}"
            f"  max {summary['max_ms']}  (mean {summary['mean_ms']})"
        )
        print(f"  errors      {summary['errors']}" + (f"  {summary['error_kinds']}" if summary["errors"] else ""))
        if summary["errors"]:
            print("server log (tail):\n" + tail(log_path, 20))


if __name__ == "__main__":
    main()
