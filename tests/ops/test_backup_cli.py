"""``chengguan backup`` / ``chengguan restore`` on the command line (exit codes, the first problem named), and the
scheduled backups: one a day, timestamped, the oldest pruned, run by the served app's job scheduler."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from backup_support import run_cli as run
from backup_support import settings_for, use_env

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.db import Database
from chengguan.jobs import Scheduler
from chengguan.ops.scheduled import LOCK, _exclusive, run_backup
from databases import copy_database, copy_files
from support import demo_database


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    url, data_dir = demo_database(tmp_path, sqlite=True)
    monkeypatch.delenv("CHENGGUAN_BACKUP_DIR", raising=False)
    use_env(monkeypatch, database_url=url, data_dir=str(data_dir))
    yield url, data_dir
    get_settings.cache_clear()


@pytest.fixture
def small_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A migrated, otherwise empty deployment: what the schedule and the retention decide does not depend on the
    size of what is backed up, and six backups of the demo city take half a minute."""
    url = copy_database("migrated", tmp_path, sqlite=True)
    data_dir = copy_files("migrated", tmp_path / "data", sqlite=True)
    monkeypatch.delenv("CHENGGUAN_BACKUP_DIR", raising=False)
    use_env(monkeypatch, database_url=url, data_dir=str(data_dir))
    yield url, data_dir
    get_settings.cache_clear()


def point_at(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    use_env(monkeypatch, database_url=f"sqlite:///{folder / 'chengguan.db'}", data_dir=str(folder / "data"))
    return folder


def test_backup_and_restore_commands(deployment: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    backup = tmp_path / "backup"
    code, out = run("backup", str(backup))
    assert code == 0, out
    assert "备份完成" in out and "sqlite 数据库版本" in out
    code, out = run("backup", str(backup))
    assert code == 1 and "备份失败：备份目录" in out and "已存在且不是空目录" in out
    code, out = run("restore", str(backup))
    assert code == 1 and "恢复失败：数据库" in out and "请加 --force" in out

    point_at(monkeypatch, tmp_path / "new")
    code, out = run("restore", str(backup))
    assert code == 0, out
    assert "已恢复" in out and "审计链完整" in out and "证据存证完整" in out

    target = point_at(monkeypatch, tmp_path / "other")
    victim = next((backup / "files" / "blobs").rglob("*/*/*/*"))
    victim.chmod(0o600)
    victim.write_bytes(victim.read_bytes()[:-1] + b"\0")
    code, out = run("restore", str(backup))
    assert code == 1 and f"恢复失败：文件 {victim.relative_to(backup).as_posix()} 的摘要与清单不符" in out
    assert not target.exists()


def test_backup_without_a_directory_needs_the_setting(deployment: tuple[str, Path]):
    code, out = run("backup")
    assert code == 1 and "未配置备份目录：请设置 CHENGGUAN_BACKUP_DIR" in out


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=clock.SHANGHAI)


def test_scheduled_backups_one_a_day_with_retention(small_deployment: tuple[str, Path], tmp_path: Path):
    root = tmp_path / "backups"
    settings = settings_for(*small_deployment, backup_dir=root, backup_keep=2)
    made = []
    for day, hour in ((1, 3), (1, 9), (2, 1), (2, 4), (3, 4), (4, 4)):
        with clock.frozen(local(day, hour)):
            result = run_backup(settings)
        made.append(result.path.name if result else None)
    assert made == ["chengguan-20261201-030000", None, None, "chengguan-20261202-040000",
                    "chengguan-20261203-040000", "chengguan-20261204-040000"]  # fmt: skip
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == made[-2:]  # keep=2
    (root / ".partial-chengguan-20261205-040000").mkdir()  # a crashed run's leftovers
    with clock.frozen(local(5, 4)):
        run_backup(settings)
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [*made[-1:], "chengguan-20261205-040000"]


def test_a_second_process_skips_while_one_is_backing_up(small_deployment: tuple[str, Path], tmp_path: Path):
    root = tmp_path / "backups"
    root.mkdir()
    settings = settings_for(*small_deployment, backup_dir=root)
    with _exclusive(root) as mine:
        assert mine
        with _exclusive(root) as other:
            assert not other
        assert run_backup(settings, only_if_due=False) is None
    assert (root / LOCK).exists() and run_backup(settings, only_if_due=False) is not None


def test_the_job_scheduler_writes_the_daily_backup(small_deployment: tuple[str, Path], tmp_path: Path):
    settings = settings_for(*small_deployment, backup_dir=tmp_path / "backups")
    db = Database(settings.database_url)
    scheduler = Scheduler(db, settings, interval=0.2)
    try:
        with clock.frozen(local(8, 12)):
            scheduler.start()
            deadline = time.monotonic() + 120
            while not (tmp_path / "backups" / "chengguan-20261208-120000").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            scheduler.stop()
    finally:
        db.dispose()
    assert (tmp_path / "backups" / "chengguan-20261208-120000" / "manifest.json").is_file()
    by_timer = settings_for(*small_deployment, backup_dir=tmp_path / "backups", backup_by_app=False)
    threads = [t.name for t in Scheduler(db, by_timer)._threads]
    assert "chengguan-jobs" in threads and "chengguan-backup" not in threads  # a timer takes the backups instead
