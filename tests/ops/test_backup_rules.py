"""The pure rules of backups: the manifest (round trip, self-digest, unsafe paths, listing), which data-directory
files are skipped, and the schedule (when due, names, retention)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import pytest

from chengguan.ops.manifest import (
    BackupError,
    FileEntry,
    Manifest,
    digest_problem,
    from_json,
    listing_problem,
    revision_problem,
    skipped,
    to_json,
    unsafe_path,
)
from chengguan.ops.schedule import backup_day, backup_name, completed, is_due, to_prune

DB = FileEntry("database/chengguan.sqlite3", 4096, "a" * 64, 0o600)
KEY = FileEntry("files/keys/platform-ca.json", 120, "b" * 64, 0o600)
BLOB = FileEntry("files/blobs/sha256/cc/dd/" + "c" * 64, 9, "c" * 64, 0o444)
AT = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


def manifest(*files: FileEntry, kind: str = "sqlite") -> Manifest:
    return Manifest("0.1.0", "d15a7c4f0e21", kind, AT, AT, files or (DB, KEY, BLOB))


def test_a_manifest_round_trips_with_its_own_digest():
    text = to_json(manifest())
    assert from_json(text) == manifest()
    body = json.loads(text)
    assert body["total_bytes"] == 4096 + 120 + 9 and len(body["manifest_sha256"]) == 64


@pytest.mark.parametrize(
    ("old", "new"),
    [('"app_version": "0.1.0"', '"app_version": "0.1.1"'), ('"size": 120', '"size": 121'),
     ('"mode": 292', '"mode": 511'), ('"kind": "sqlite"', '"kind": "postgresql"')],
)  # fmt: skip
def test_any_edit_of_the_manifest_shows(old: str, new: str):
    text = to_json(manifest())
    assert old in text
    with pytest.raises(BackupError, match="已被改动"):
        from_json(text.replace(old, new))


@pytest.mark.parametrize(
    ("path", "unsafe"),
    [("files/keys/a.json", False), ("database/chengguan.pgdump", False), ("files/../../etc/passwd", True),
     ("/etc/passwd", True), ("files", True), ("elsewhere/x", True), ("files/./x", True), ("files\\..\\x", True),
     ("files//x", True)],
)  # fmt: skip
def test_unsafe_paths(path: str, unsafe: bool):
    assert unsafe_path(path) is unsafe


def test_a_manifest_with_an_escaping_path_is_refused_even_with_a_valid_digest():
    evil = FileEntry("files/../../home/x/.ssh/authorized_keys", 1, "d" * 64)
    with pytest.raises(BackupError, match="不安全"):
        from_json(to_json(manifest(DB, evil)))
    with pytest.raises(BackupError, match=r"未列出数据库文件 database/chengguan\.sqlite3"):
        from_json(to_json(manifest(KEY)))


@pytest.mark.parametrize(
    ("found", "problem"),
    [
        ({DB.path: 4096, KEY.path: 120, BLOB.path: 9}, None),
        ({DB.path: 4096, BLOB.path: 9}, f"文件 {KEY.path} 缺失：备份不完整"),
        ({DB.path: 4096, KEY.path: 119, BLOB.path: 9}, f"文件 {KEY.path} 的大小与清单不符（清单 120 字节，实际 119 字节）"),  # noqa: E501
        ({DB.path: 4096, KEY.path: 120, BLOB.path: 9, "files/zz": 1}, "文件 files/zz 不在清单中：备份被改动过"),
        ({KEY.path: 120}, f"文件 {DB.path} 缺失：备份不完整"),  # the first problem in manifest order
    ],
)
def test_listing_names_the_first_problem(found: dict[str, int], problem: str | None):
    assert listing_problem(manifest(), found) == problem


def test_digest_problem():
    assert digest_problem(KEY, "b" * 64) is None
    assert digest_problem(KEY, "e" * 64) == f"文件 {KEY.path} 的摘要与清单不符（已损坏或被篡改）"


@pytest.mark.parametrize(
    ("relative", "out"),
    [("blobs/sha256/ab/cd/x", False), ("blobs/tmp/put-123", True), ("keys/bureau.json.tmp", True),
     ("media/ab/x.jpg.part", True), ("chengguan.db", True), ("chengguan.db-wal", True),
     ("backups/x/manifest.json", True), ("backupsX/y", False), ("keys/platform-ca.json", False)],
)  # fmt: skip
def test_what_stays_out_of_the_data_directory_copy(relative: str, out: bool):
    rule = {"skip_files": frozenset({"chengguan.db", "chengguan.db-wal"}), "skip_dirs": ("backups",)}
    assert skipped(relative, **rule) is out


def test_revisions():
    assert revision_problem("abc", frozenset({"abc"})) is None
    assert "不为本程序所知" in (revision_problem("zzz", frozenset({"abc"})) or "")
    assert "没有迁移版本" in (revision_problem(None, frozenset({"abc"})) or "")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute)


def test_a_backup_is_due_once_a_day_from_the_set_time():
    at = time(2, 30)
    assert not is_due(local(7, 2, 29), at, [])
    assert is_due(local(7, 2, 30), at, [])
    assert is_due(local(7, 14), at, ["chengguan-20261206-023000"])  # started late: catches up
    assert not is_due(local(7, 23), at, ["chengguan-20261207-023012"])
    assert is_due(local(7, 3), at, [".partial-chengguan-20261207-023000", "chengguan-20261207x"])  # not complete


def test_names_and_retention():
    assert backup_name(local(7, 2, 30)) == "chengguan-20261207-023000"
    assert backup_day("chengguan-20261207-023000") == date(2026, 12, 7)
    assert backup_day("chengguan-20261399-023000") is None and backup_day("notes") is None
    names = [f"chengguan-202612{d:02d}-023000" for d in (3, 1, 5, 4, 2)]
    names += [".partial-chengguan-20261206-023000", ".lock"]
    assert completed(names)[0] == "chengguan-20261205-023000"
    assert to_prune(names, 3) == ["chengguan-20261202-023000", "chengguan-20261201-023000"]
    assert to_prune(names, 0) == completed(names)[1:]  # the newest always stays
