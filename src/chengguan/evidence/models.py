"""Tables of the evidence module: items with their capture facts and art. 41 review, and the append-only ledger
(entries chained by hash, batches sealed with a Merkle root, a head row that pins the tail)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.kit.types import str_enum


class EvidenceItem(UUIDPrimaryKey, Timestamps, Base):
    """One photo, video, audio or file: content-addressed bytes plus who captured it, when, where, with what."""

    __tablename__ = "evidence_item"
    __table_args__ = (Index("ix_evidence_item_case_captured", "case_id", "captured_at"),)

    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"))
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_source.id", ondelete="SET NULL"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind", 16))
    origin: Mapped[EvidenceOrigin] = mapped_column(str_enum(EvidenceOrigin, "evidence_origin", 16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sm3: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    captured_at: Mapped[datetime]
    lng: Mapped[float | None]
    lat: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(String(256))
    device: Mapped[str | None] = mapped_column(String(100))  # device code or phone model
    officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id", ondelete="RESTRICT"))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_by_name: Mapped[str] = mapped_column(String(100))
    review_status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, "review_status", 16))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)  # exactly what the ledger's meta_digest covers
    ledger_seq: Mapped[int] = mapped_column(BigInteger, unique=True)


class EvidenceReview(UUIDPrimaryKey, Base):
    """One level of the review art. 41 requires before machine-recorded evidence may support a decision."""

    __tablename__ = "evidence_review"

    evidence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence_item.id", ondelete="CASCADE"), index=True)
    level: Mapped[int]  # 1 = 技术审核 (content true, clear, complete, accurate), 2 = 法制审核
    passed: Mapped[bool]
    opinion: Mapped[str | None] = mapped_column(String(1000))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class LedgerEntryRow(Base):
    """One ledger entry exactly as hashed (times kept as the canonical text the hash covers)."""

    __tablename__ = "evidence_ledger"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    item_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    sm3: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    captured_at: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[str] = mapped_column(String(40))
    meta_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class LedgerBatchRow(Base):
    """A sealed batch: the Merkle root over its entries' hashes, chained to the previous batch's root."""

    __tablename__ = "evidence_batch"

    first_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    prev_batch_root: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[str] = mapped_column(String(40))
    anchor_receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LedgerHead(Base):
    """The ledger's head (single row): the last seq and hash, so rows cut off the end are noticed; also the lock
    appenders queue on."""

    __tablename__ = "evidence_ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    sealed_seq: Mapped[int] = mapped_column(BigInteger)  # last entry inside a sealed batch
