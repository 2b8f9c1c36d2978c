"""Writing and verifying the audit log: every write of the platform appends one chained entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chengguan.audit import forward
from chengguan.audit.chain import GENESIS_HASH, canonical, entry_hash, hashed_fields
from chengguan.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from chengguan.core import clock
from chengguan.core.principals import Actor
from chengguan.kit import crud

_PG_AUDIT_LOCK = 727_401  # advisory lock key serialising appends on PostgreSQL
ARCHIVE_ACTION = "audit.archive"  # the chained entry an archiving run writes with its checkpoint (audit.retention)


def _lock_head(session: Session) -> AuditHead:
    # PostgreSQL: an advisory lock held to commit serialises appenders. SQLite: write transactions begin
    # IMMEDIATE, so whoever gets here already holds the database's single write lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    head = session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
    return head


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    target_type: str,
    target_id: Any = None,
    target_label: str | None = None,
    summary: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry chained to the previous one (in the caller's unit of work: it commits or rolls back with it)."""
    head = _lock_head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        id=uuid.uuid4(),
        occurred_at=clock.now(),
        actor_type=actor.actor_type,
        actor_id=actor.actor_id,
        actor_name=actor.actor_name,
        actor_unit_id=actor.actor_unit_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        target_label=target_label,
        summary=canonical(summary or {}),
        ip=actor.ip,
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(hashed_fields(entry))
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.flush()
    forward.remember(session, entry)
    return entry


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain no longer holds."""

    seq: int
    id: uuid.UUID | None
    reason: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken: Break | None


def _entries(session: Session, batch: int = 2000, *, after: int = 0) -> Iterator[AuditEntry]:
    last = after
    while True:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch))
        page = list(rows)
        if not page:
            return
        last = page[-1].seq
        for entry in page:
            yield entry
            session.expunge(entry)


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    """The checkpoint of the newest archiving run (the chain in the database begins after it), if any."""
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).first()


def _vouched(session: Session, checkpoint: AuditCheckpoint) -> bool:
    """Whether the chain holds the ``audit.archive`` entry the archiver wrote with ``checkpoint``."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.action == ARCHIVE_ACTION, AuditEntry.seq > checkpoint.seq)
    )
    return any(
        e.summary.get("to_seq") == checkpoint.seq
        and e.summary.get("hash") == checkpoint.hash
        and e.summary.get("file_sha256") == checkpoint.file_sha256
        for e in rows
    )


def verify(session: Session) -> Verification:
    """Walk the chain from the start — or from the latest archive checkpoint, which an ``audit.archive`` entry of
    the chain must vouch for — and name the first entry that was edited, or that follows a removed one."""
    expected_seq, prev_hash, checked, last_id = 1, GENESIS_HASH, 0, None
    checkpoint = latest_checkpoint(session)
    if checkpoint is not None:
        if not _vouched(session, checkpoint):
            reason = "归档检查点没有对应的归档审计记录（记录可能被删除后伪造了检查点）"
            return Verification(False, 0, Break(checkpoint.seq, None, reason))
        expected_seq, prev_hash = checkpoint.seq + 1, checkpoint.hash
    for entry in _entries(session, after=expected_seq - 1):
        if entry.seq != expected_seq:
            return Verification(
                False, checked, Break(entry.seq, entry.id, f"序号 {expected_seq} 的记录缺失（已被删除）")
            )
        if entry.prev_hash != prev_hash:
            return Verification(
                False, checked, Break(entry.seq, entry.id, "与前一条记录的哈希链接断开（前序记录被改动或删除）")
            )
        if entry_hash(hashed_fields(entry)) != entry.hash:
            return Verification(False, checked, Break(entry.seq, entry.id, "记录内容与其哈希不符（已被篡改）"))
        expected_seq, prev_hash, checked, last_id = entry.seq + 1, entry.hash, checked + 1, entry.id
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        if head_seq >= expected_seq:
            return Verification(
                False, checked, Break(expected_seq, None, f"序号 {expected_seq} 起的记录缺失（日志尾部被删除）")
            )
        return Verification(False, checked, Break(expected_seq - 1, last_id, "链头与最后一条记录不符"))
    return Verification(True, checked, None)


crud.wire(audit_write=record)  # kit's shared CRUD use cases audit their writes here
