"""SQLite snapshots through the online backup API, and putting one back in place of the database file.

The snapshot is copied a few hundred pages at a time (progress, and the server's own connections are never blocked
for long) inside one read transaction held on the source connection. Without that transaction SQLite restarts a
paged backup whenever another connection commits between two steps, so under a server's steady writes it would
never end; with it every step reads the same WAL snapshot and writers carry on into the WAL meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from chengguan.core.progress import Stage
from chengguan.ops.manifest import BackupError

PAGES_PER_STEP = 256
COMPANIONS = ("-wal", "-shm", "-journal")


def snapshot(source: Path, out: Path, stage: Stage, *, pages: int = PAGES_PER_STEP) -> str | None:
    """Copy the database at ``source`` to the new file ``out`` as of one instant; returns its schema revision."""
    if not source.is_file():
        raise BackupError(f"数据库文件不存在：{source}")
    with contextlib.closing(sqlite3.connect(source, isolation_level=None)) as src:
        src.execute("PRAGMA busy_timeout=30000")
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the read snapshot starts here
        with contextlib.closing(sqlite3.connect(out, isolation_level=None)) as dst:
            copied = -1  # pages reported so far; -1 until SQLite has said how many there are

            def report(_status: int, remaining: int, total: int) -> None:
                nonlocal copied
                if copied < 0:
                    stage.start(total)
                    copied = 0
                stage.advance(total - remaining - copied)
                copied = total - remaining

            src.backup(dst, pages=pages, progress=report)
            # The copy carries the source's WAL flag; a rollback-journal file is self-contained (no -wal beside it).
            dst.execute("PRAGMA journal_mode=DELETE")
            revision = _revision(dst)
        src.execute("COMMIT")
    return revision


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def is_empty(path: Path) -> bool:
    """No database file, or one without tables."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        with contextlib.closing(sqlite3.connect(path)) as con:
            return con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    except sqlite3.DatabaseError:
        return False  # something that is not a database: not ours to overwrite silently


def put_in_place(snapshot_file: Path, path: Path) -> None:
    """Replace the database at ``path`` by the (already verified) snapshot; stale WAL files of the old one go."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".restore.tmp")
    with snapshot_file.open("rb") as src, tmp.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    for suffix in COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    os.replace(tmp, path)
