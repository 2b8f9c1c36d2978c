"""The audit log at volume: appending (one entry per transaction, as requests write them), verifying the chain,
exporting it as JSON lines and archiving what is past retention — entries per second each.

On a migrated scratch database (a temporary SQLite file, or with ``--database-url`` a scratch PostgreSQL database
created on that server and dropped at the end): ``--entries`` entries are appended one transaction each (the first
half dated a year back, so that half is past retention), then ``verify``, ``export`` and ``archive_old`` run.
Run:
    .venv/bin/python bench/audit_log.py [--entries 20000]
    .venv/bin/python bench/audit_log.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chengguan.audit import service as audit
from chengguan.audit.export import line, records
from chengguan.audit.retention import archive_old
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.core.principals import Actor

ACTOR = Actor("staff", uuid.uuid4(), "压测账号", uuid.uuid4(), "198.51.100.30")


@contextlib.contextmanager
def scratch(base_url: str | None, work: Path) -> Iterator[str]:
    if base_url is None:
        yield f"sqlite:///{work / 'audit.db'}"
        return
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch(args.database_url, Path(tmp)) as url:
        upgrade(url)
        db = Database(url)
        settings = Settings(env="test", database_url=url, secret_key="bench-audit-" + "x" * 32)
        now = clock.now()
        began = time.perf_counter()
        for n in range(args.entries):
            clock.set_now(now - timedelta(days=365 if n < args.entries // 2 else 1))
            with db.session() as session, session.begin():
                audit.record(session, ACTOR, "case.approve", target_type="case", target_id=uuid.uuid4(),
                             target_label=f"AJ2026{n:07d}", summary={"from_status": "a", "to_status": "b"})  # fmt: skip
        appended = time.perf_counter() - began
        clock.set_now(None)
        began = time.perf_counter()
        with db.session(write=False) as session:
            ok = audit.verify(session).ok
        verified = time.perf_counter() - began
        began = time.perf_counter()
        with db.session(write=False) as session:
            size = sum(len(line(r)) + 1 for r in records(session))
        exported = time.perf_counter() - began
        began = time.perf_counter()
        with db.session() as session, session.begin():
            done = archive_old(session, settings, Path(tmp) / "archive")
        archived = time.perf_counter() - began
        with db.session(write=False) as session:
            still = audit.verify(session).ok
        db.dispose()
    engine = make_url(url).get_backend_name()
    print(f"audit log on {engine}, {args.entries:,} entries ({size / args.entries:.0f} bytes each as JSON):")
    print(f"  append, one transaction each: {rate(args.entries, appended)}")
    print(f"  verify the chain:             {rate(args.entries, verified)}  ok={ok}")
    print(f"  export as JSON lines:         {rate(args.entries, exported)}")
    assert done is not None
    print(f"  archive past retention:       {rate(done.file.entries, archived)}  verify after: ok={still}")


if __name__ == "__main__":
    main()
