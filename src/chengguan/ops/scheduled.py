"""Scheduled backups: one a day into ``CHENGGUAN_BACKUP_DIR`` from ``CHENGGUAN_BACKUP_AT`` on, keeping the newest
``CHENGGUAN_BACKUP_KEEP``. Run by the served app's job scheduler (``chengguan.jobs``) or by ``chengguan backup``
without a directory (cron).

Every worker process runs the scheduler; an exclusive lock on ``<backup dir>/.lock`` lets one of them work and the
others skip, and the "already one today" test is made under the lock. The lock is per machine; across machines on
one database the day is claimed in the database too (``core.lease``), so one machine takes the day's backup.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

from chengguan.core import clock, lease
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.progress import SILENT, Reporter
from chengguan.ops.backup import BackupResult, create_backup
from chengguan.ops.manifest import BackupError
from chengguan.ops.schedule import PARTIAL, backup_name, is_due, to_prune

log = logging.getLogger(__name__)
LOCK = ".lock"
BACKUP_JOB = "backup"


@contextlib.contextmanager
def _exclusive(root: Path) -> Iterator[bool]:
    with (root / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _claim_day(settings: Settings, day: int) -> bool:
    """The day's backup for this process, across machines (core.lease; the file lock above is per machine)."""
    db = Database(settings.database_url)
    try:
        return lease.claim(db, BACKUP_JOB, day)
    finally:
        db.dispose()


def _give_back_day(settings: Settings, day: int) -> None:
    db = Database(settings.database_url)
    try:
        lease.release(db, BACKUP_JOB, day)
    finally:
        db.dispose()


def run_backup(settings: Settings, *, only_if_due: bool = True, progress: Reporter = SILENT) -> BackupResult | None:
    """Write a timestamped backup (when due, unless ``only_if_due`` is off) and prune the old ones; ``None`` when
    nothing was due or another process is at it."""
    root = settings.backup_dir
    if root is None:
        raise BackupError("未配置备份目录：请设置 CHENGGUAN_BACKUP_DIR，或指定备份目录 chengguan backup DIR")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _exclusive(root) as mine:
        if not mine:
            return None
        now = clock.local_now()
        names = [p.name for p in root.iterdir() if p.is_dir()]
        if only_if_due and not is_due(now, settings.backup_at, names):
            return None
        for stale in (n for n in names if n.startswith(PARTIAL)):  # left by a crash: nobody else holds the lock
            shutil.rmtree(root / stale, ignore_errors=True)
        day = now.date().toordinal()
        if only_if_due and not _claim_day(settings, day):
            return None  # another machine on this database took today's backup
        name = backup_name(now)
        partial = root / f"{PARTIAL}{name}"
        try:
            result = create_backup(settings, partial, progress)
        except BaseException:
            if only_if_due:
                _give_back_day(settings, day)  # the retry a while later may claim it again
            raise
        final = root / name
        partial.rename(final)
        for old in to_prune([*names, name], settings.backup_keep):
            shutil.rmtree(root / old, ignore_errors=True)
            log.info("backup %s removed (retention %d)", old, settings.backup_keep)
        return BackupResult(final, result.manifest, result.seconds)
