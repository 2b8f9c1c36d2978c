"""The append-only, hash-chained audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base


class AuditEntry(Base):
    """One write, as it happened: who, what, on which record, before/after, from where, when.

    ``seq`` is assigned under a lock as the previous seq + 1 (not a database sequence, which leaves gaps on
    rollback), so a deleted row shows as a gap; ``hash`` covers every field and ``prev_hash``, so an edited row
    breaks its own hash and a removed or reordered row breaks the next entry's link.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_target", "target_type", "target_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_unit_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    target_label: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (single row): lets verification notice rows cut off the end of the log."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """Where the chain kept in the database begins after older entries were archived (audit.retention): the last
    archived entry's seq and hash — the next entry's ``prev_hash`` — and the signed archive file that holds the
    archived entries (name, SHA-256, range). Verification starts from the latest checkpoint; the ``audit.archive``
    entry written with it, in the chain, vouches that the checkpoint is the archiver's and not a deletion's."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    first_seq: Mapped[int] = mapped_column(BigInteger)
    entries: Mapped[int] = mapped_column(BigInteger)
    archived_at: Mapped[datetime]
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
