"""Benchmark: does an anonymous flood of 60 MB request bodies stall everyone else?

Starts the real server (``chengguan serve``, one worker) on a fresh migrated SQLite database (no demo data: the
probe needs none), then for ``--duration`` seconds twice:

1. *quiet*: one prober sends GET /api/health every ``--interval`` seconds;
2. *flood*: the same prober while ``--attackers`` anonymous clients (in a process of their own) keep sending 60 MB
   JSON bodies — a JSON array of numbers, the costliest shape to parse — to an authenticated route
   (POST /api/v1/cases, no token) and to the public login (POST /api/v1/auth/login).

It prints the probe latencies of both phases and what the flood requests were answered (status and time). Before
the body limits, the server read and parsed every 60 MB body before refusing it, so /api/health waited behind the
JSON parser; after, the flood is refused from its headers (401 without a token, 413 over the route's limit).
Only 127.0.0.1 is contacted; request loops are bounded by ``--duration``.

    .venv/bin/python bench/body_flood.py                      # 60 MB bodies, 2 attackers, 8 s per phase
    .venv/bin/python bench/body_flood.py --size-mb 20 --attackers 4 --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import secrets
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from api_login_me import HOST, chengguan_command, percentile, running_server

TARGETS = ("/api/v1/cases", "/api/v1/auth/login")


def body_of(size_mb: int) -> bytes:
    """A JSON array of ones, ``size_mb`` MiB long."""
    count = size_mb * 2**20 // 2
    return b"[" + b"1," * (count - 1) + b"1]"


async def probe(client: httpx.AsyncClient, stop_at: float, interval: float) -> list[float]:
    latencies = []
    while time.monotonic() < stop_at:
        began = time.perf_counter()
        response = await client.get("/api/health")
        latencies.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"health answered {response.status_code}")
        await asyncio.sleep(interval)
    return latencies


async def attack(base_url: str, body: bytes, path: str, stop_at: float, answers: Counter[str]) -> list[float]:
    """Send the body to ``path`` again and again on a fresh connection (a refused upload may close it)."""
    times = []
    headers = {"Content-Type": "application/json"}
    while time.monotonic() < stop_at:
        began = time.perf_counter()
        async with httpx.AsyncClient(base_url=base_url, timeout=60.0, trust_env=False) as client:
            try:
                response = await client.post(path, content=body, headers=headers)
                answers[f"{path} {response.status_code}"] += 1
            except httpx.HTTPError as exc:  # the server may close the connection while the body is still going out
                answers[f"{path} {type(exc).__name__}"] += 1
        times.append(time.perf_counter() - began)
    return times


async def _flood(base_url: str, size_mb: int, attackers: int, seconds: float) -> tuple[list[float], Counter[str]]:
    body = body_of(size_mb)
    stop_at = time.monotonic() + seconds
    answers: Counter[str] = Counter()
    attacked = await asyncio.gather(
        *(attack(base_url, body, TARGETS[i % len(TARGETS)], stop_at, answers) for i in range(attackers))
    )
    return sorted(t for times in attacked for t in times), answers


def _flood_process(job: tuple[str, int, int, float]) -> tuple[list[float], Counter[str]]:
    return asyncio.run(_flood(*job))


async def _probe_only(base_url: str, seconds: float, interval: float) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0, trust_env=False) as client:
        return await probe(client, time.monotonic() + seconds, interval)


def phase(base_url: str, args: argparse.Namespace, flood: bool) -> dict[str, object]:
    """Probe for ``args.duration`` seconds; with ``flood``, the attackers run meanwhile in a process of their own
    (so that building and sending 60 MB bodies does not slow the prober's own event loop)."""
    sent: list[float] = []
    answers: Counter[str] = Counter()
    if flood:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            pending = pool.apply_async(_flood_process, ((base_url, args.size_mb, args.attackers, args.duration),))
            time.sleep(1.0)  # the attackers' process starts and builds its body first
            probed = asyncio.run(_probe_only(base_url, args.duration - 1.0, args.interval))
            sent, answers = pending.get(timeout=args.duration + 120)
    else:
        probed = asyncio.run(_probe_only(base_url, args.duration - 1.0, args.interval))
    values = sorted(probed)
    return {
        "probes": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "max_ms": round(values[-1] * 1000, 1),
        "flood_requests": len(sent),
        "flood_p50_ms": round(percentile(sent, 50) * 1000, 1) if sent else None,
        "flood_answers": dict(answers),
    }


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=60, help="size of each flood body (default 60)")
    ap.add_argument("--attackers", type=int, default=2, help="concurrent flood clients (default 2)")
    ap.add_argument("--duration", type=float, default=8.0, help="seconds per phase (default 8)")
    ap.add_argument("--interval", type=float, default=0.05, help="seconds between health probes (default 0.05)")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--startup-timeout", type=float, default=60.0)
    args = ap.parse_args()
    args.server, args.workers = "chengguan", 1  # what running_server reads
    return args


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="chengguan-bench-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "CHENGGUAN_DATABASE_URL": f"sqlite:///{(work / 'bench.db').as_posix()}",
            "CHENGGUAN_DATA_DIR": str(work / "data"),
            "CHENGGUAN_SECRET_KEY": secrets.token_urlsafe(48),
            "CHENGGUAN_RUN_JOBS": "false",
            "NO_PROXY": HOST,
        }
        env.pop("CHENGGUAN_NOW", None)
        done = subprocess.run([*chengguan_command(), "migrate"], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"chengguan migrate failed:\n{done.stdout}\n{done.stderr}")
        with running_server(args, env, work / "server.log") as base_url:
            quiet = phase(base_url, args, flood=False)
            flood = phase(base_url, args, flood=True)
    result = {"size_mb": args.size_mb, "attackers": args.attackers, "quiet": quiet, "flood": flood}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"GET /api/health every {args.interval * 1000:.0f} ms, {args.duration:.0f} s per phase")
    for name, row in (("quiet", quiet), (f"flood ({args.attackers} × {args.size_mb} MB)", flood)):
        print(f"  {name:<22} probes {row['probes']:>4}  p50 {row['p50_ms']} ms  p95 {row['p95_ms']} ms"
              f"  max {row['max_ms']} ms")  # fmt: skip
    print(f"  flood requests {flood['flood_requests']}, each answered in p50 {flood['flood_p50_ms']} ms:")
    for answer, count in sorted(flood["flood_answers"].items()):  # type: ignore[attr-defined]
        print(f"    {answer:<40} {count}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
