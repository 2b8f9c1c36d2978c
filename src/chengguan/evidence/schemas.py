"""API shapes of evidence: items with their digests and review, the review input, proofs and verification."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.kit.schemas import Out, Schema


class ReviewRead(Out):
    level: int = Field(description="1 = 技术审核，2 = 法制审核")
    level_label: str
    passed: bool
    opinion: str | None
    user_name: str
    at: datetime


class EvidenceRead(Out):
    id: uuid.UUID
    case_id: uuid.UUID | None
    kind: EvidenceKind
    kind_label: str
    origin: EvidenceOrigin
    origin_label: str
    title: str
    description: str | None
    filename: str
    mime: str
    size: int = Field(description="字节")
    sha256: str
    sm3: str
    captured_at: datetime
    lng: float | None = Field(description="WGS-84")
    lat: float | None
    address: str | None
    device: str | None
    officer_id: uuid.UUID | None
    officer_name: str | None
    uploaded_by_id: uuid.UUID | None
    uploaded_by_name: str
    review_status: ReviewStatus
    review_label: str
    usable: bool = Field(description="可作为行政处罚的证据（第四十一条：机器记录须两级审核通过）")
    review_level: int | None = Field(description="待进行的审核级别（1 技术审核、2 法制审核），无则为空")
    may_review: bool = Field(description="当前用户可进行这一级审核")
    reviews: list[ReviewRead]
    ledger_seq: int
    file_url: str
    created_at: datetime


class EvidenceList(Out):
    items: list[EvidenceRead]


class ReviewIn(Schema):
    passed: bool = Field(description="通过或不通过")
    opinion: str | None = Field(None, max_length=1000, description="审核意见；不通过时必填")


class BreakRead(Out):
    seq: int
    item_id: str | None
    reason: str = Field(description="稳定的原因代码（entry_altered、blob_altered、sequence_gap …）")
    message_zh: str


class EntryRead(Out):
    seq: int
    item_id: str
    sha256: str
    sm3: str
    size: int
    kind: str
    captured_at: str
    recorded_at: str
    meta_digest: str
    prev_hash: str
    entry_hash: str


class BatchRead(Out):
    first_seq: int
    last_seq: int
    size: int
    root: str
    prev_batch_root: str
    sealed_at: str


class MerkleProofRead(Out):
    seq: int
    entry_hash: str
    first_seq: int
    index: int
    tree_size: int
    path: list[str]
    root: str
    tree: str = "rfc6962-sha256"


class ProofRead(Out):
    entry: EntryRead | None
    batch: BatchRead | None = Field(description="所在的已封存批次；尚未封存时为空")
    proof: MerkleProofRead | None = Field(description="RFC 6962 Merkle 审计路径")
    verified: bool
    reasons: list[BreakRead]


class VerifyRead(Out):
    ok: bool
    checked: int = Field(description="校验通过的账本记录数")
    files_checked: int
    batches_checked: int
    head_seq: int
    first_break: BreakRead | None
    seconds: float
