"""Where a batch of IoT readings spends its time, in process and without the broker: ``ingest.process`` over batches
of ``--batch`` readings of ``--devices`` oil-fume monitors (the bench's rule: fume > 2.0, clear below 1.5, one
reading in ``--alarm-every`` above), each batch committed as the bridge commits it. Prints readings/s and the share of
each step: storing the readings, the devices' last values, reading the rule states, the rules, writing the rule
states, the commit.
Run:
    .venv/bin/python bench/iot_profile.py [--batches 20] [--batch 1000] [--devices 500]
    .venv/bin/python bench/iot_profile.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.iot import ingest
from chengguan.iot.directory import Directory
from chengguan.iot.ingest import Reading, process
from intake import machine
from iot import fresh_database, seed

STEPS = {"_INSERT_READING": "readings", "_UPDATE_DEVICE": "devices", "_INSERT_STATE": "state write",
         "_UPDATE_STATE": "state write"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--alarm-every", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    print(machine())
    tmp = Path(tempfile.mkdtemp(prefix="iot-profile-"))
    url, pg = fresh_database(args.database_url, tmp)
    codes = seed(url, args.devices)
    db = Database(url)
    settings = Settings(database_url=url, data_dir=tmp, env="dev")
    spent: dict[str, float] = defaultdict(float)
    templates = {id(getattr(ingest, name)): step for name, step in STEPS.items()}
    original = ingest._executemany

    def timed(connection, table, template, columns):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        original(connection, table, template, columns)
        spent[templates.get(id(template), "other writes")] += time.perf_counter() - t

    ingest._executemany = timed  # type: ignore[assignment]
    directory = Directory(ttl=3600)
    start = datetime.now(UTC) - timedelta(hours=1)
    n = 0
    total = 0.0
    for b in range(args.batches + 1):  # the first batch warms the directory and the rule states: not counted
        readings = []
        for _ in range(args.batch):
            code = codes[n % len(codes)]
            phase = (n // len(codes)) % args.alarm_every
            fume = 3.0 if phase == 0 else 1.0 if phase == 1 else 1.2
            values = {"fume": fume, "particulate": 0.8, "nmhc": 3.1, "fan_current": 3.2, "purifier_current": 2.9}
            readings.append(Reading(f"code:{code}", start + timedelta(milliseconds=n), values))
            n += 1
        t0 = time.perf_counter()
        before = dict(spent)
        with db.session() as session, session.begin():
            out = process(session, settings, readings, directory)
            t1 = time.perf_counter()
        t2 = time.perf_counter()
        if b == 0:
            spent.clear()
            continue
        written = sum(spent.values()) - sum(before.values())
        spent["rules"] += out.rules_s
        spent["commit"] += t2 - t1
        spent["other (queries, alarms, session)"] += (t1 - t0) - out.rules_s - written
        total += t2 - t0
    db.dispose()
    if pg:
        engine, name = pg  # type: ignore[misc]
        with engine.connect() as c:  # type: ignore[attr-defined]
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    count = args.batches * args.batch
    backend = "PostgreSQL" if pg else "SQLite"
    print(f"{backend}: {count} readings in {args.batches} batches of {args.batch}: {total:.2f} s, "
          f"{count / total:,.0f} readings/s in process ({total / args.batches * 1000:.0f} ms a batch)")
    for step, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<34} {s / total:6.1%}  {s / args.batches * 1000:6.1f} ms/batch")


if __name__ == "__main__":
    main()
