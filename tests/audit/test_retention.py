"""Retention of the audit log (≥ 180 days): the floor is enforced, archiving never takes an entry inside the
retention period, the archive file is signed and chained, and the chain left in the database still verifies from
its checkpoint — which a deletion cannot forge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, func, select

from chengguan.audit import archive
from chengguan.audit import service as audit
from chengguan.audit.models import AuditCheckpoint, AuditEntry
from chengguan.audit.retention import ArchiveRefused, archive_old, verify_archives
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.principals import Actor
from support import drop_database, migrated_database

NOW = datetime(2027, 6, 1, 2, 0, tzinfo=UTC)
ACTOR = Actor("staff", None, "保留期测试", None, "192.0.2.10")
SECRET = "retention-test-secret-" + "x" * 32
AGES = [400] * 4 + [200] * 3 + [179] * 2 + [3] * 2  # days before NOW: 7 past 180 days, 4 within


def _settings(url: str, **extra) -> Settings:
    return Settings(env="test", database_url=url, secret_key=SECRET, **extra)


@pytest.fixture
def aged(tmp_path) -> Iterator[Database]:
    """A private database with entries written at the AGES (the clock moved back for each)."""
    url = migrated_database(tmp_path)
    db = Database(url)
    try:
        for n, days in enumerate(AGES):
            clock.set_now(NOW - timedelta(days=days))
            with db.session() as session, session.begin():
                audit.record(session, ACTOR, "test.write", target_type="thing", target_id=n, summary={"n": n})
        clock.set_now(NOW)
        yield db
    finally:
        clock.set_now(None)
        db.dispose()
        drop_database(url)


def test_retention_below_six_months_is_refused():
    with pytest.raises(ValidationError, match="180"):
        Settings(env="test", secret_key=SECRET, audit_retention_days=179)
    assert Settings(env="test", secret_key=SECRET, audit_retention_days=180).audit_retention_days == 180
    assert Settings(env="test", secret_key=SECRET).audit_retention_days == 180


def _archive(db: Database, directory: Path, **extra):  # type: ignore[no-untyped-def]
    with db.session() as session, session.begin():
        return archive_old(session, _settings(db.url, **extra), directory, now=NOW)


def _verify(db: Database) -> audit.Verification:
    with db.session(write=False) as session:
        return audit.verify(session)


def test_archiving_moves_only_entries_past_retention_and_the_chain_still_verifies(aged, tmp_path):
    done = _archive(aged, tmp_path / "archive")
    assert (done.file.first_seq, done.file.last_seq, done.file.entries) == (1, 7, 7)
    with aged.session(write=False) as session:
        kept = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        checkpoint = session.scalars(select(AuditCheckpoint)).one()
    assert [e.seq for e in kept] == [8, 9, 10, 11, 12]  # 179 and 3 days old stay; 12 is the archive's own entry
    assert all(clock.as_utc(e.occurred_at) >= NOW - timedelta(days=180) for e in kept)
    assert kept[-1].action == "audit.archive" and kept[-1].summary["file_sha256"] == checkpoint.file_sha256
    assert (checkpoint.seq, checkpoint.first_seq, checkpoint.entries) == (7, 1, 7)
    result = _verify(aged)
    assert result.ok and result.checked == 5
    # The file: signed, chained from genesis, its digest the one the checkpoint keeps.
    check = archive.verify(done.file.path, archive.signing_key(SECRET))
    assert check.ok and (check.first_seq, check.last_seq, check.sha256) == (1, 7, checkpoint.file_sha256)
    with aged.session(write=False) as session:
        assert verify_archives(session, _settings(aged.url), tmp_path / "archive").ok
    assert _archive(aged, tmp_path / "archive") is None  # nothing past retention is left


def test_a_longer_retention_keeps_more(aged, tmp_path):
    done = _archive(aged, tmp_path / "a", audit_retention_days=365)
    assert (done.file.first_seq, done.file.last_seq) == (1, 4)
    assert _verify(aged).ok


def test_a_changed_archive_file_is_refused(aged, tmp_path):
    done = _archive(aged, tmp_path / "archive")
    lines = done.file.path.read_text().splitlines()
    record = json.loads(lines[3])
    record["actor_name"] = "冒名者"
    lines[3] = json.dumps(record, ensure_ascii=False)
    done.file.path.write_text("\n".join(lines) + "\n")
    check = archive.verify(done.file.path, archive.signing_key(SECRET))
    assert not check.ok and "签名不符" in check.message
    with aged.session(write=False) as session:
        assert not verify_archives(session, _settings(aged.url), tmp_path / "archive").ok


def test_a_forged_checkpoint_does_not_hide_a_deletion(aged):
    """Deleting the oldest entries and writing a checkpoint by hand is not an archive: no audit.archive vouches."""
    with aged.session() as session, session.begin():
        fifth = session.scalars(select(AuditEntry).where(AuditEntry.seq == 5)).one()
        session.execute(delete(AuditEntry).where(AuditEntry.seq <= 5))
        session.add(AuditCheckpoint(seq=5, hash=fifth.hash, first_seq=1, entries=5, archived_at=NOW,
                                    file_name="forged.jsonl", file_sha256="0" * 64))  # fmt: skip
    result = _verify(aged)
    assert not result.ok and result.first_broken.seq == 5 and "伪造" in result.first_broken.reason


def test_a_broken_chain_is_not_archived(aged, tmp_path):
    with aged.session() as session, session.begin():
        session.get(AuditEntry, 3).actor_name = "改动"
    with pytest.raises(ArchiveRefused, match="序号 3"):
        _archive(aged, tmp_path / "archive")
    with aged.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == len(AGES)


def test_cli_archive_then_verify_with_the_archives(aged, tmp_path):
    env = {**os.environ, "CHENGGUAN_DATABASE_URL": aged.url, "CHENGGUAN_SECRET_KEY": SECRET, "CHENGGUAN_ENV": "test",
           "CHENGGUAN_NOW": NOW.isoformat()}  # fmt: skip
    folder = tmp_path / "archive"
    run = [sys.executable, "-m", "chengguan"]
    done = subprocess.run([*run, "audit-archive", str(folder)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "已归档序号 1–7 共 7 条" in done.stdout
    checked = subprocess.run([*run, "verify-audit", "--archives", str(folder)], env=env, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "审计链完整" in checked.stdout and "签名与哈希链完整" in checked.stderr + checked.stdout
    next(folder.glob("audit-*.jsonl")).unlink()  # the only copy of those entries lost: verify says so
    missing = subprocess.run([*run, "verify-audit", "--archives", str(folder)], env=env, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    assert missing.returncode == 1 and "缺少归档文件" in missing.stderr
