"""Backup → wipe → restore on SQLite gives back the same rows and files; a damaged backup is refused before anything
is touched, with the first problem named; existing data is only overwritten with ``force``; the restore proves itself
with the audit and evidence checks."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from backup_support import database_fingerprint, files_fingerprint, settings_for, wipe
from sqlalchemy.engine import make_url

from chengguan.ops.backup import create_backup
from chengguan.ops.manifest import MANIFEST, BackupError
from chengguan.ops.restore import restore_backup
from support import demo_database


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A backup of the demo city (with its sealed documents and seal keys) and the fingerprints of what it held."""
    root = tmp_path_factory.mktemp("sqlite-backup")
    url, data_dir = demo_database(root, sqlite=True)
    before = database_fingerprint(url), files_fingerprint(data_dir)
    create_backup(settings_for(url, data_dir), root / "backup")
    return root / "backup", *before


def fresh_target(tmp_path: Path) -> tuple[str, Path]:
    return f"sqlite:///{tmp_path / 'restored' / 'chengguan.db'}", tmp_path / "restored" / "data"


def damaged_copy(backup: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(backup, copy)
    for path in copy.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    return copy


def test_backup_wipe_restore_gives_identical_digests(tmp_path: Path):
    url, data_dir = demo_database(tmp_path, sqlite=True)
    db_before, files_before = database_fingerprint(url), files_fingerprint(data_dir)
    assert any(name.startswith("keys/") for name in files_before) and any("blobs/" in n for n in files_before)
    backup = create_backup(settings_for(url, data_dir), tmp_path / "backup")
    listed = {entry.path for entry in backup.manifest.files}
    assert {f"files/{name}" for name in files_before} | {"database/chengguan.sqlite3"} == listed
    assert backup.manifest.alembic_revision and backup.manifest.database_kind == "sqlite"

    wipe(url, data_dir)
    result = restore_backup(settings_for(url, data_dir), tmp_path / "backup")

    assert database_fingerprint(url) == db_before
    assert files_fingerprint(data_dir) == files_before
    assert [check.ok for check in result.checks] == [True, True]
    assert "审计链完整" in result.checks[0].message and "证据存证完整" in result.checks[1].message
    keys = [p for p in (data_dir / "keys").iterdir()]
    assert keys and all(p.stat().st_mode & 0o777 == 0o600 for p in keys)  # the seal keys stay private


def test_a_changed_byte_is_refused_and_nothing_is_touched(backed_up, tmp_path: Path):
    backup = damaged_copy(backed_up[0], tmp_path)
    victim = sorted((backup / "files" / "blobs").rglob("*"))[-1]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    url, data_dir = fresh_target(tmp_path)
    with pytest.raises(BackupError, match=r"文件 files/blobs/\S+ 的摘要与清单不符"):
        restore_backup(settings_for(url, data_dir), backup)
    assert not Path(make_url(url).database).exists() and not data_dir.exists()


def test_a_changed_database_byte_is_refused(backed_up, tmp_path: Path):
    backup = damaged_copy(backed_up[0], tmp_path)
    snapshot = backup / "database" / "chengguan.sqlite3"
    with snapshot.open("r+b") as f:
        f.seek(8192 + 100)
        byte = f.read(1)
        f.seek(8192 + 100)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(BackupError, match=r"文件 database/chengguan\.sqlite3 的摘要与清单不符"):
        restore_backup(settings_for(*fresh_target(tmp_path)), backup)


def test_a_missing_file_is_refused(backed_up, tmp_path: Path):
    backup = damaged_copy(backed_up[0], tmp_path)
    victim = next(p for p in sorted((backup / "files" / "keys").iterdir()))
    victim.unlink()
    with pytest.raises(BackupError, match=f"文件 files/keys/{victim.name} 缺失"):
        restore_backup(settings_for(*fresh_target(tmp_path)), backup)


def test_an_extra_file_is_refused(backed_up, tmp_path: Path):
    backup = damaged_copy(backed_up[0], tmp_path)
    (backup / "files" / "keys" / "planted.json").write_text("{}")
    with pytest.raises(BackupError, match=r"文件 files/keys/planted\.json 不在清单中"):
        restore_backup(settings_for(*fresh_target(tmp_path)), backup)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(app_version="9.9.9"), "清单 manifest.json 已被改动"),
        (lambda m: m["files"][1].update(size=m["files"][1]["size"] + 1), "清单 manifest.json 已被改动"),
        (lambda m: m["files"].pop(), "清单 manifest.json 已被改动"),
        (lambda m: m.pop("manifest_sha256"), "清单 manifest.json 已被改动"),
    ],
)
def test_an_edited_manifest_is_refused(backed_up, tmp_path: Path, edit, message: str):
    backup = damaged_copy(backed_up[0], tmp_path)
    manifest = json.loads((backup / MANIFEST).read_text())
    edit(manifest)
    (backup / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match=message):
        restore_backup(settings_for(*fresh_target(tmp_path)), backup)


def test_a_truncated_or_absent_manifest_is_refused(backed_up, tmp_path: Path):
    backup = damaged_copy(backed_up[0], tmp_path)
    text = (backup / MANIFEST).read_text()
    (backup / MANIFEST).write_text(text[: len(text) // 2])
    with pytest.raises(BackupError, match="不是有效的 JSON"):
        restore_backup(settings_for(*fresh_target(tmp_path)), backup)
    (backup / MANIFEST).unlink()
    with pytest.raises(BackupError, match=r"清单 manifest\.json 缺失"):
        restore_backup(settings_for(*fresh_target(tmp_path)), backup)


def test_existing_data_is_overwritten_only_with_force(backed_up, tmp_path: Path):
    backup, db_print, files_print = backed_up
    url, data_dir = fresh_target(tmp_path)
    settings = settings_for(url, data_dir)
    restore_backup(settings, backup)
    with sqlite3.connect(make_url(url).database) as con:
        con.execute("DELETE FROM law_article WHERE rowid IN (SELECT rowid FROM law_article LIMIT 5)")
    con.close()
    (data_dir / "stray.txt").write_text("written after the backup")
    with pytest.raises(BackupError, match="中已有数据：恢复会覆盖它，确认后请加 --force"):
        restore_backup(settings, backup)
    restore_backup(settings, backup, force=True)
    assert database_fingerprint(url) == db_print
    assert files_fingerprint(data_dir) == files_print  # the stray file is gone


def test_a_data_directory_with_files_is_not_overwritten_without_force(backed_up, tmp_path: Path):
    url, data_dir = fresh_target(tmp_path)
    (data_dir / "media").mkdir(parents=True)
    (data_dir / "media" / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(BackupError, match=f"数据目录 {data_dir} 不为空"):
        restore_backup(settings_for(url, data_dir), backed_up[0])


def test_a_backup_needs_a_new_or_empty_directory(tmp_path: Path):
    url, data_dir = fresh_target(tmp_path)
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "old").write_text("x")
    with pytest.raises(BackupError, match="已存在且不是空目录"):
        create_backup(settings_for(url, data_dir), tmp_path / "occupied")


def test_the_restore_fails_when_the_restored_audit_chain_is_broken(tmp_path: Path):
    url, data_dir = demo_database(tmp_path, sqlite=True)
    with sqlite3.connect(make_url(url).database) as con:
        con.execute("UPDATE audit_entry SET action = 'edited' WHERE seq = 2")
    con.close()
    create_backup(settings_for(url, data_dir), tmp_path / "backup")  # a faithful copy of a damaged database
    wipe(url, data_dir)
    with pytest.raises(BackupError, match="数据已恢复，但校验未通过：审计链被破坏：第一条异常记录 seq=2"):
        restore_backup(settings_for(url, data_dir), tmp_path / "backup")


def test_a_sqlite_backup_does_not_restore_into_postgresql(backed_up, tmp_path: Path):
    settings = settings_for("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "data")
    with pytest.raises(BackupError, match="备份的数据库类型是 sqlite，当前配置的是 postgresql"):
        restore_backup(settings, backed_up[0])
