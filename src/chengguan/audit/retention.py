"""Retention of the audit log: by default nothing ever leaves the database. ``chengguan audit-archive DIR`` moves the
entries older than CHENGGUAN_AUDIT_RETENTION_DAYS (≥ 180: 网络安全法 第二十一条) into a signed archive file and keeps
the chain verifiable:

1. the entries from the latest checkpoint on are re-verified as they are read (an archive never launders tampering)
   and stop at the first one younger than the cut-off (never an entry inside the retention period);
2. they are written to ``DIR/audit-<first>-<last>.jsonl`` (audit.archive: chained, HMAC-signed), fsynced;
3. in one transaction they are deleted, a checkpoint row records the last one's seq and hash with the file's
   SHA-256, and an ``audit.archive`` entry is appended to the chain — what verification asks of a checkpoint.

``verify-audit`` then verifies from the checkpoint; ``verify-audit --archives DIR`` verifies the files too, each
chained to the one before and the last to the checkpoint. Keep the files as long as the bureau's rules require
(offsite with the backups): they are the only copy of those entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chengguan.audit import archive
from chengguan.audit.chain import GENESIS_HASH, entry_hash, hashed_fields
from chengguan.audit.export import entry_record
from chengguan.audit.models import AuditCheckpoint, AuditEntry
from chengguan.audit.service import ARCHIVE_ACTION, latest_checkpoint, record
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.principals import cli_actor


class ArchiveRefused(RuntimeError):
    """The chain to be archived is broken (zh-CN message): nothing was archived."""


@dataclass(frozen=True)
class Archived:
    file: archive.Written
    cutoff: datetime


def _old_entries(session: Session, after: int, prev_hash: str, cutoff: datetime) -> Iterator[dict[str, Any]]:
    """The entries after seq ``after`` older than ``cutoff``, in order, each re-verified against the chain."""
    last, expected = after, prev_hash
    while True:
        page = list(
            session.scalars(select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(2000))
        )
        for entry in page:
            if clock.as_utc(entry.occurred_at) >= cutoff:
                return
            if entry.seq != last + 1 or entry.prev_hash != expected or entry_hash(hashed_fields(entry)) != entry.hash:
                raise ArchiveRefused(f"审计链在序号 {entry.seq} 处被破坏，未归档：请先运行 chengguan verify-audit")
            last, expected = entry.seq, entry.hash
            yield entry_record(entry)
            session.expunge(entry)
        if len(page) < 2000:
            return


def archive_old(session: Session, settings: Settings, directory: Path, now: datetime | None = None) -> Archived | None:
    """Archive what is past retention into ``directory`` (None: nothing is); the caller commits."""
    now = now or clock.now()
    cutoff = now - timedelta(days=settings.audit_retention_days)
    checkpoint = latest_checkpoint(session)
    after, prev_hash = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS_HASH)
    first = session.scalar(select(AuditEntry).where(AuditEntry.seq == after + 1))
    if first is None or clock.as_utc(first.occurred_at) >= cutoff:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    key = archive.signing_key(settings.secret_key)
    header = {"prev_hash": prev_hash, "cutoff": cutoff.isoformat(), "retention_days": settings.audit_retention_days,
              "created_at": now.isoformat()}  # fmt: skip
    partial = directory / f"audit-{after + 1:012d}-partial.jsonl"
    written = archive.write(partial, header, _old_entries(session, after, prev_hash, cutoff), key)
    path = directory / f"audit-{written.first_seq:012d}-{written.last_seq:012d}.jsonl"
    partial.replace(path)
    session.execute(delete(AuditEntry).where(AuditEntry.seq >= written.first_seq, AuditEntry.seq <= written.last_seq))
    session.add(
        AuditCheckpoint(seq=written.last_seq, hash=written.last_hash, first_seq=written.first_seq,
                        entries=written.entries, archived_at=now, file_name=path.name, file_sha256=written.sha256)
    )  # fmt: skip
    session.flush()
    record(
        session,
        cli_actor("审计归档"),
        ARCHIVE_ACTION,
        target_type="audit_archive",
        target_id=written.last_seq,
        target_label=path.name,
        summary={"from_seq": written.first_seq, "to_seq": written.last_seq, "hash": written.last_hash,
                 "entries": written.entries, "file_sha256": written.sha256, "cutoff": cutoff.isoformat()},
    )  # fmt: skip
    return Archived(archive.Written(path, written.sha256, written.first_seq, written.last_seq, written.last_hash,
                                    written.entries), cutoff)  # fmt: skip


@dataclass(frozen=True)
class ArchivesCheck:
    ok: bool
    messages: list[str]


def verify_archives(session: Session, settings: Settings, directory: Path) -> ArchivesCheck:
    """Every archive file in ``directory``: signed, internally chained, each chained to the one before it from
    genesis on, and — the newest — ending where the database's checkpoint says the chain resumes."""
    key = archive.signing_key(settings.secret_key)
    messages, prev_seq, prev_hash = [], 0, GENESIS_HASH
    for path in sorted(directory.glob("audit-*.jsonl")):
        check = archive.verify(path, key)
        messages.append(check.message)
        if not check.ok:
            return ArchivesCheck(False, messages)
        if (check.first_seq, check.prev_hash) != (prev_seq + 1, prev_hash):
            messages.append(f"{path.name}：与前一个归档文件（止于序号 {prev_seq}）接不上")
            return ArchivesCheck(False, messages)
        prev_seq, prev_hash = check.last_seq, check.last_hash
    checkpoint = latest_checkpoint(session)
    expected = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS_HASH)
    if (prev_seq, prev_hash) != expected:
        messages.append(f"归档文件止于序号 {prev_seq}，数据库检查点为序号 {expected[0]}：缺少归档文件或检查点不符")
        return ArchivesCheck(False, messages)
    return ArchivesCheck(True, messages)
