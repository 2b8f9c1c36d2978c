"""Backup and restore times: the demo city, then the same database grown to ``--cases`` penalty cases.

For each engine — a temporary SQLite file, and with ``--database-url`` a scratch PostgreSQL database created on that
server (and dropped at the end) — the demo city is loaded (with its evidence photos, sealed documents and seal keys
in a temporary data directory), then:
  (a) ``chengguan backup`` of it (database snapshot + files + manifest) and ``chengguan restore`` into an empty
      database and data directory (manifest and digests checked first; audit chain and evidence ledger verified
      after): seconds, sizes;
  (b) ``--cases`` synthetic cases (+2 officers each) are bulk-inserted with ``bench/cases.py``'s generator, and (a)
      runs again. Use ``--cases 100000`` where a million takes too long to generate.
Run:
    .venv/bin/python bench/backup.py [--cases 1000000]
    .venv/bin/python bench/backup.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from cases import fill  # bench/cases.py: the bulk case generator
from chengguan.cases.models import Case
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.demo.loader import load_demo
from chengguan.identity.models import User
from chengguan.ops.backup import create_backup
from chengguan.ops.restore import restore_backup

SECRET = "bench-backup-" + "x" * 32


@contextlib.contextmanager
def scratch_databases(base_url: str | None, work: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases (source, restore target): SQLite files, or new databases on the PostgreSQL server."""
    if base_url is None:
        yield f"sqlite:///{work / 'source.db'}", f"sqlite:///{work / 'restored' / 'chengguan.db'}"
        return
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    names = [f"bench_backup_{uuid.uuid4().hex[:8]}_{role}" for role in ("source", "restored")]
    try:
        with admin.connect() as c:
            for name in names:
                c.execute(text(f'CREATE DATABASE "{name}"'))
        urls = [make_url(base_url).set(database=n).render_as_string(hide_password=False) for n in names]
        yield urls[0], urls[1]
    finally:
        with admin.connect() as c:
            for name in names:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settings(url: str, data_dir: Path) -> Settings:
    return Settings(env="test", database_url=url, data_dir=data_dir, secret_key=SECRET)


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def round_trip(label: str, source: Settings, target_url: str, work: Path) -> None:
    """Back up ``source``, restore into a fresh target, print the figures."""
    backup_dir, target_data = work / f"backup-{label}", work / f"restored-data-{label}"
    backup = create_backup(source, backup_dir)
    m = backup.manifest
    database_mb = m.files[0].size / 1e6
    restore_target = settings(target_url, target_data)
    restored = restore_backup(restore_target, backup_dir, force=True)
    took = re.search(r"用时 ([\d.]+) 秒", restored.checks[1].message)
    evidence = f"{float(took.group(1)):.1f} s" if took else "?"
    print(f"  {label:<22} backup {backup.seconds:7.1f} s   restore {restored.seconds:7.1f} s "
          f"(of which evidence check {evidence})   database {database_mb:8.1f} MB   files {len(m.files) - 1:,} "
          f"({(m.total_bytes - m.files[0].size) / 1e6:.1f} MB)   backup dir {size_mb(backup_dir):.1f} MB")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=60)
    ap.add_argument("--database-url", help="PostgreSQL server URL: scratch databases there (default: SQLite files)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-backup-") as tmp, scratch_databases(args.database_url, Path(tmp)) as (
        url,
        target_url,
    ):
        work = Path(tmp)
        data_dir = work / "data"
        began = time.perf_counter()
        upgrade(url)
        db = Database(url)
        load_demo(db, data_dir=data_dir)
        print(f"database={db.dialect}  demo city loaded in {time.perf_counter() - began:.0f} s")
        source = settings(url, data_dir)
        round_trip("demo city", source, target_url, work)

        with db.session(write=False) as s:
            officer_id = s.scalar(select(User.officer_id).where(User.username == "bdg_officer"))
        _overdue, took = fill(db, args.cases, args.seed, officer_id)
        with db.session(write=False) as s:
            total = s.scalar(select(func.count(Case.id))) or 0
        db.dispose()
        print(f"  {args.cases:,} cases inserted in {took:.0f} s ({total:,} cases in all)")
        round_trip(f"{total:,} cases", source, target_url, work)


if __name__ == "__main__":
    main()
