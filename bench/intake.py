"""Intake throughput: 100,000 mixed alarms through ``chengguan.intake.ingest.ingest()`` versus a raw executemany.

(a) ``--signals`` alarms from ``chengguan.simulate.AlarmMix`` (45 % video AI, 15 % IoT, 25 % app complaints in
GCJ-02, 10 % 12345 hotline, 5 % patrol; 20 % repeat a spot of the last 30 min within 30 m and must merge), spread
over the demo city's grids and over the last ``--hours`` of occurred_at, in time order, go through ``ingest()`` in
batches of ``--batch`` — each batch its own transaction, items as JSON dicts so pydantic validation is included — on
a freshly migrated demo database (a temporary SQLite file, or a throwaway schema of ``--database-url``).
(b) The very signal rows (a) stored are inserted again with the driver's ``executemany`` (sqlite3 / psycopg) into a
plain table with the same columns and indexes, same batch size and one transaction per batch: the floor (and once
more with random UUIDv4 keys instead of the stored ones, to show what key order costs the indexes).
When (a) misses the target (≥ 20,000 signals/s on SQLite) or with ``--profile``, the stream runs once more on a fresh
database with its last ``--profile-signals`` under cProfile (tables at their steady-state size): driver time by
statement, own time by layer, chengguan functions and the top ``--top`` functions by cumulative time. Run:
    .venv/bin/python bench/intake.py [--signals 100000] [--batch 1000] [--profile]
    .venv/bin/python bench/intake.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shapely.geometry import shape
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from chengguan.core.db import SQLITE_CACHE_KIB, SQLITE_CHECKPOINT_PAGES, Database
from chengguan.core.migrate import upgrade
from chengguan.core.principals import cli_actor
from chengguan.demo.loader import load_demo
from chengguan.intake import ingest as intake
from chengguan.intake.models import CaseSource, Signal
from chengguan.org.enums import DeviceKind
from chengguan.org.models import Device, Grid
from chengguan.simulate import AlarmMix, GridArea, Site, point_in

TARGET_SQLITE = 20_000
# As chengguan.core.db sets them for every SQLite connection.
RAW_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    f"cache_size=-{SQLITE_CACHE_KIB}",
    f"wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}",
)


@contextlib.contextmanager
def fresh_database(base_url: str | None, work: Path, **demo: Any) -> Iterator[str]:
    """A migrated database with the demo city: a new SQLite file, or a new PostgreSQL schema dropped on exit.
    ``demo``: load_demo's options (``documents=False``, ``data_dir``)."""
    if base_url is None:
        url = f"sqlite:///{work / f'intake-{uuid.uuid4().hex[:8]}.db'}"
        schema = None
    else:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
    try:
        upgrade(url)
        db = Database(url)
        load_demo(db, **demo)
        db.dispose()
        yield url
    finally:
        if schema is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def alarm_stream(db: Database, n: int, hours: float, seed: int) -> tuple[list[dict], set[str]]:
    """n alarms as JSON dicts, occurred_at ascending over the last ``hours``; also the keys of the repeats."""
    with db.session(write=False) as s:
        grids = [
            GridArea(str(gid), code, name, str(squad), shape(geometry))
            for gid, code, name, squad, geometry in s.execute(
                select(Grid.id, Grid.grid_code, Grid.name, Grid.squad_id, Grid.geometry)
            )
        ]
        devices = s.execute(select(Device.kind, Device.code, Device.lng, Device.lat).where(Device.lng.is_not(None)))
        devices = [(kind, Site(code, lng, lat)) for kind, code, lng, lat in devices]
    rng = random.Random(seed)
    # The demo's 60 cameras plus a dense street network of 4 virtual cameras a grid (a city's AI video platform).
    cameras = [site for kind, site in devices if kind == DeviceKind.camera]
    cameras += [Site(f"CAM-V-{g.code}-{i}", *point_in(g, rng)) for g in grids for i in range(4)]
    sensors = [site for kind, site in devices if kind == DeviceKind.sensor]
    sensors += [Site(f"IOT-V-{g.code}", *point_in(g, rng)) for g in grids]
    mix = AlarmMix(rng, grids, cameras, sensors, key_prefix=f"bench-{seed}")
    end = datetime.now(UTC) - timedelta(minutes=1)
    start = end - timedelta(hours=hours)
    span = (end - start).total_seconds()
    times = sorted(rng.uniform(0.0, span) for _ in range(n))  # a Poisson process with n events
    on_patrol = [point_in(rng.choice(grids), rng) for _ in range(200)]
    signals = [mix.next(start + timedelta(seconds=t), rng.choice(on_patrol)) for t in times]
    return json.loads(json.dumps(signals)), mix.repeat_keys


def machine() -> str:
    """What this machine is, for comparing figures between machines: CPUs, Python, and the time of a plain
    interpreter loop (10,000,000 integer additions, best of 3). Every Python-side cost of (a) scales with the loop
    time; the database's share (c) with the disk and the CPU."""
    best = math.inf
    for _ in range(3):
        t, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t)
    return (f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"plain loop of 10,000,000 additions {best:.2f} s")  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run_ingest(
    url: str, batches: list[list[dict]], repeat_keys: set[str], clients: int = 1, sent: list | None = None
) -> dict:
    """Every batch through ingest() in its own transaction, by ``clients`` threads taking the batches in order
    (as concurrent API requests do); throughput, latencies and what became of the signals. With ``sent`` (one
    client), every statement sent to the driver is appended to it: (sql, parameters, executemany)."""
    intake.cache.reset()  # the dedup cache belongs to one database; this process just opened another
    db = Database(url)
    if sent is not None:

        @event.listens_for(db.engine, "before_cursor_execute")
        def _capture(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
            sent.append((statement, parameters, executemany))

    actor = cli_actor("bench")
    with db.session(write=False) as s:  # the demo city comes with some signals and sources of its own
        signals0 = s.scalar(select(func.count()).select_from(Signal)) or 0
        sources0 = s.scalar(select(func.count()).select_from(CaseSource)) or 0
    latencies: list[float] = []
    outcomes: list[list] = []
    queue = iter(batches)
    take = threading.Lock()

    def client() -> None:
        while True:
            with take:
                batch = next(queue, None)
            if batch is None:
                return
            t = time.perf_counter()
            with db.session() as s, s.begin():
                results = intake.ingest(s, batch, actor)
            latencies.append(time.perf_counter() - t)
            outcomes.append(results)

    began, cpu = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    merged = problems = repeats_merged = 0
    for results in outcomes:
        for r in results:
            merged += r.merged
            problems += r.problem is not None
            repeats_merged += r.merged and r.idempotency_key in repeat_keys
    with db.session(write=False) as s:
        stored = (s.scalar(select(func.count()).select_from(Signal)) or 0) - signals0
        sources = (s.scalar(select(func.count()).select_from(CaseSource)) or 0) - sources0
    db.dispose()
    n = sum(len(b) for b in batches)
    return {"n": n, "elapsed": elapsed, "cpu": cpu, "rate": n / elapsed, "latencies": latencies, "merged": merged,
            "problems": problems, "repeats_merged": repeats_merged, "stored": stored, "sources": sources}  # fmt: skip


SIGNAL_COLUMNS = [c.name for c in Signal.__table__.columns]
JSON_COLUMNS = {"media", "reporter", "attributes"}
BENCH_ROWS = "idempotency_key LIKE 'bench-%'"  # AlarmMix keys of this benchmark, not the demo's own signals


def read_rows(url: str) -> list[list]:
    """The signal rows (a) stored, as the driver returns them (JSON columns wrapped for psycopg)."""
    cols = ", ".join(f'"{c}"' for c in SIGNAL_COLUMNS)
    engine = create_engine(url)
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT {cols} FROM signal WHERE {BENCH_ROWS} ORDER BY received_at, idempotency_key")
        rows = [list(row) for row in cur.fetchall()]
    finally:
        conn.close()
        engine.dispose()
    if make_url(url).get_backend_name() == "postgresql":
        from psycopg.types.json import Json

        json_at = [i for i, c in enumerate(SIGNAL_COLUMNS) if c in JSON_COLUMNS]
        for row in rows:
            for i in json_at:
                row[i] = None if row[i] is None else Json(row[i])
    return rows


def random_ids(rows: list[list]) -> list[list]:
    """The same rows with ``id`` and ``case_source_id`` replaced by random UUIDv4 values (consistently mapped), to
    show what random index keys cost compared with the time-ordered ids ingest() writes."""
    at = [SIGNAL_COLUMNS.index(c) for c in ("id", "case_source_id")]
    mapped: dict[object, object] = {}

    def rekey(value: object) -> object:
        if value is None:
            return None
        if value not in mapped:
            mapped[value] = uuid.uuid4().hex if isinstance(value, str) else uuid.uuid4()
        return mapped[value]

    out = []
    for row in rows:
        row = list(row)
        for i in at:
            row[i] = rekey(row[i])
        out.append(row)
    return out


def run_raw(url: str, work: Path, rows: list[list], batch_size: int) -> tuple[float, float]:
    """``rows`` inserted with executemany into an empty copy of the signal table, one transaction per batch;
    (wall seconds, CPU seconds)."""
    cols = ", ".join(f'"{c}"' for c in SIGNAL_COLUMNS)
    if make_url(url).get_backend_name() == "sqlite":
        source = sqlite3.connect(make_url(url).database)
        ddl = [sql for (sql,) in source.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'signal'") if sql]
        source.close()
        raw = sqlite3.connect(work / f"raw-{uuid.uuid4().hex[:8]}.db", isolation_level=None)
        for pragma in RAW_PRAGMAS:
            raw.execute(f"PRAGMA {pragma}")
        raw.execute("PRAGMA foreign_keys=OFF")  # the plain copy has no parent tables
        for sql in ddl:  # the same table and indexes
            raw.execute(sql)
        statement = f"INSERT INTO signal ({cols}) VALUES ({', '.join('?' for _ in SIGNAL_COLUMNS)})"
        began, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(rows), batch_size):
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(statement, rows[i : i + batch_size])
            raw.execute("COMMIT")
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        raw.close()
        return elapsed, cpu
    engine = create_engine(url)
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        table = f"raw_signal_{uuid.uuid4().hex[:8]}"
        cur.execute(f"CREATE TABLE {table} (LIKE signal INCLUDING ALL)")  # columns, defaults, checks, indexes
        conn.commit()
        statement = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('%s' for _ in SIGNAL_COLUMNS)})"
        began, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(rows), batch_size):
            cur.executemany(statement, rows[i : i + batch_size])
            conn.commit()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        conn.close()
        engine.dispose()
    return elapsed, cpu


BUCKETS = (  # own-time buckets of the profile: (label, predicate on (file, function))
    (
        "database driver (sqlite3 C calls / psycopg incl. waiting on the server)",
        lambda f, fn: "psycopg" in f or (f == "~" and ("sqlite3" in fn or "psycopg" in fn or "socket" in fn)),
    ),
    ("chengguan.core.db.UTCDateTime bind", lambda f, fn: f.endswith("chengguan/core/db.py")),
    ("SQLAlchemy (statement setup, bind processors, ORM)", lambda f, fn: "sqlalchemy" in f),
    ("NUL check chengguan/kit/schemas.py:_refuse_nul", lambda f, fn: f.endswith("chengguan/kit/schemas.py")),
    ("pydantic validation", lambda f, fn: "pydantic" in f or "pydantic" in fn),
    ("chengguan.intake (ingest, dedup)", lambda f, fn: "chengguan/intake/" in f),
    ("uuid (uuid4, hex)", lambda f, fn: f.endswith("uuid.py") or fn == "<built-in method posix.urandom>"),
    ("json (JSON columns)", lambda f, fn: "/json/" in f),
    ("other chengguan code", lambda f, fn: "chengguan/" in f),
)


def profile(url: str, warmup: list[list[dict]], batches: list[list[dict]], top: int) -> None:
    """ingest() of ``batches`` under cProfile, after ``warmup`` unprofiled (so the tables have their steady-state size):
    own time by layer, our functions by cumulative time, then the top functions by cumulative time."""
    intake.cache.reset()
    db = Database(url)
    actor = cli_actor("bench")
    for batch in warmup:
        with db.session() as s, s.begin():
            intake.ingest(s, batch, actor)
    statements: dict[str, list[float]] = {}  # driver time by statement kind: [seconds, executions]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        took = time.perf_counter() - conn.info.pop("bench_t0")
        words = statement.split()
        kind = " ".join(words[:3]) if words[0] in ("INSERT", "UPDATE") else (
            f"SELECT … FROM {words[words.index('FROM') + 1]}" if "FROM" in words else " ".join(words[:2]))  # fmt: skip
        entry = statements.setdefault(kind, [0.0, 0])
        entry[0] += took
        entry[1] += 1

    profiler = cProfile.Profile()
    total = 0.0
    for batch in batches:
        began = time.perf_counter()
        profiler.enable()
        with db.session() as s, s.begin():  # the commit is profiled too: that is where SQLite writes the WAL
            intake.ingest(s, batch, actor)
        profiler.disable()
        total += time.perf_counter() - began
    db.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    raw = stats.stats  # type: ignore[attr-defined]
    commit = sum(ct for (f, _, fn), (_, _, _, ct, _) in raw.items()  # sqlite3's C commit or psycopg's commit()
                 if (f == "~" and "'commit' of 'sqlite3" in fn) or (f.endswith("psycopg/connection.py")
                                                                   and fn == "commit"))  # fmt: skip
    print(f"\nprofile: the last {sum(map(len, batches)):,} signals ({len(batches)} batches, ingest() + commit) after "
          f"{sum(map(len, warmup)):,} unprofiled: {total:.2f} s under cProfile, of which the driver's COMMIT "
          f"{commit:.2f} s ({commit / total:.1%}); shares below are of the {total:.2f} s")  # fmt: skip
    buckets = dict.fromkeys([label for label, _ in BUCKETS] + ["other (stdlib, builtins)"], 0.0)
    for (file, _, fn), (_, _, tt, _, _) in raw.items():
        label = next((label for label, match in BUCKETS if match(file, fn)), "other (stdlib, builtins)")
        buckets[label] += tt
    print("  database driver time by statement (cursor execute, commit not included):")
    for kind, (took, n) in sorted(statements.items(), key=lambda kv: -kv[1][0])[:8]:
        print(f"    {took / total:6.1%}  {took:6.2f} s  {n:4d}×  {kind}")
    print("  own time by layer:")
    for label, tt in sorted(buckets.items(), key=lambda kv: -kv[1]):
        print(f"    {tt / total:6.1%}  {tt:6.2f} s  {label}")
    print("  chengguan functions by cumulative time (file:function, share):")
    ours = [(ct, f"{file.split('/src/')[-1]}:{fn}") for (file, _, fn), (_, _, _, ct, _) in raw.items()
            if "/src/chengguan/" in file]  # fmt: skip
    for ct, name in sorted(ours, reverse=True)[:15]:
        print(f"    {ct / total:6.1%}  {ct:6.2f} s  {name}")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"  top {top} by cumulative time:")
    print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--signals", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--hours", type=float, default=8.0, help="occurred_at spread (ending now)")
    ap.add_argument("--seed", type=int, default=47678)
    ap.add_argument("--database-url", help="PostgreSQL base URL: run in a throwaway schema (default: SQLite file)")
    ap.add_argument("--profile", action="store_true", help="always profile (default: only when below target)")
    ap.add_argument("--profile-signals", type=int, default=30_000)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--clients", type=int, default=1, help="threads calling ingest() at once, as API requests do")
    ap.add_argument("--dir", help="directory of the SQLite files (default: the temp dir; /dev/shm shows the I/O share)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="cg-intake-", dir=args.dir) as tmp:
        work = Path(tmp)
        with fresh_database(args.database_url, work) as url:
            db = Database(url)
            t = time.perf_counter()
            signals, repeat_keys = alarm_stream(db, args.signals, args.hours, args.seed)
            db.dispose()
            backend = make_url(url).get_backend_name()
            print(f"database={backend}  signals={len(signals)}  batch={args.batch}  occurred over {args.hours:g} h  "
                  f"generated in {time.perf_counter() - t:.1f} s")  # fmt: skip
            channels: dict[str, int] = {}
            for s in signals:
                channels[s["channel"]] = channels.get(s["channel"], 0) + 1
            print("  " + machine())
            print("  mix: " + "  ".join(f"{k} {v / len(signals):.0%}" for k, v in sorted(channels.items())) +
                  f"  repeats {len(repeat_keys) / len(signals):.1%}")  # fmt: skip
            batches = [signals[i : i + args.batch] for i in range(0, len(signals), args.batch)]
            below = measure(url, work, batches, repeat_keys, args.batch, args.clients)
        if below or args.profile:
            with fresh_database(args.database_url, work) as url:
                cut = max(1, min(len(batches), args.profile_signals // args.batch))
                profile(url, batches[:-cut], batches[-cut:], args.top)


def replay(path: Path, sent: list) -> tuple[float, float, float]:
    """The statements ingest() sent, again with plain sqlite3 on a copy of the database as it was before (a), each
    batch in its own transaction as (a) had them; (wall seconds, CPU seconds, seconds in COMMIT)."""
    raw = sqlite3.connect(path, isolation_level=None)
    for pragma in RAW_PRAGMAS:
        raw.execute(f"PRAGMA {pragma}")
    commit = 0.0
    began, cpu = time.perf_counter(), time.process_time()
    for sql, parameters, many in sent:
        if sql.startswith("BEGIN") and raw.in_transaction:  # (a) committed or, for a read, ended the previous one
            t = time.perf_counter()
            raw.execute("COMMIT")
            commit += time.perf_counter() - t
        if many:
            raw.executemany(sql, parameters)
        else:
            raw.execute(sql, parameters)
    t = time.perf_counter()
    raw.execute("COMMIT")
    commit += time.perf_counter() - t
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    raw.close()
    return elapsed, cpu, commit


def measure(
    url: str, work: Path, batches: list[list[dict]], repeat_keys: set[str], batch_size: int, clients: int
) -> bool:
    """Run and print (a), (b) and on SQLite (c); True when (a) is below the SQLite target."""
    sqlite = make_url(url).get_backend_name() == "sqlite"
    sent: list | None = [] if sqlite and clients == 1 else None
    if sent is not None:
        before = work / "before-a.db"
        shutil.copy(make_url(url).database, before)  # the demo database is closed (no WAL) at this point
    r = run_ingest(url, batches, repeat_keys, clients, sent)
    lat = r["latencies"]
    print(f"(a) ingest():     {r['rate']:,.0f} signals/s  ({r['n']:,} in {r['elapsed']:.2f} s, CPU {r['cpu']:.2f} s; "
          f"batch p50 {percentile(lat, 50) * 1e3:.1f} ms, p95 {percentile(lat, 95) * 1e3:.1f} ms, "
          f"max {max(lat) * 1e3:.1f} ms)")  # fmt: skip
    print(f"    stored {r['stored']:,} signals, {r['sources']:,} case sources created, merged {r['merged']:,} "
          f"({r['merged'] / r['n']:.1%}), repeats merged {r['repeats_merged']:,}/{len(repeat_keys):,}, "
          f"rejected {r['problems']}")  # fmt: skip
    rows = read_rows(url)
    raw_s, raw_cpu = run_raw(url, work, rows, batch_size)
    raw_rate = len(rows) / raw_s
    print(f"(b) executemany:  {raw_rate:,.0f} rows/s  ({len(rows):,} rows in {raw_s:.2f} s, CPU {raw_cpu:.2f} s)  "
          f"ratio ingest()/executemany {r['rate'] / raw_rate:.2f}")  # fmt: skip
    v4_s, v4_cpu = run_raw(url, work, random_ids(rows), batch_size)
    print(f"    same rows with random UUIDv4 id/case_source_id: {len(rows) / v4_s:,.0f} rows/s ({v4_s:.2f} s, "
          f"CPU {v4_cpu:.2f} s) — what time-ordered keys save the indexes")  # fmt: skip
    if not sqlite:
        return False
    if sent is not None:
        floor_s, floor_cpu, commit_s = replay(before, sent)
        print(f"(c) the statements ingest() sent, replayed with plain sqlite3 (no Python work between them): "
              f"{r['n'] / floor_s:,.0f} signals/s ({floor_s:.2f} s, CPU {floor_cpu:.2f} s, of which COMMIT "
              f"{commit_s:.2f} s) — the database's share of (a); ingest()'s own Python is the rest, "
              f"{(r['elapsed'] - floor_s) / r['n'] * 1e6:.0f} µs a signal")  # fmt: skip
        if r["n"] / floor_s < TARGET_SQLITE:
            print(f"    the database's share alone is below {TARGET_SQLITE:,} signals/s on this machine: no Python "
                  f"around these statements can meet the target here")  # fmt: skip
    print(f"    target ≥ {TARGET_SQLITE:,} signals/s on SQLite: {'met' if r['rate'] >= TARGET_SQLITE else 'MISSED'}")
    return r["rate"] < TARGET_SQLITE


if __name__ == "__main__":
    main()
