"""Sealed batches of the ledger: a Merkle root over a run of consecutive entry hashes, and per-item proofs.

Publishing one root (see ``anchors``) commits to every entry of the batch, and through the entries' chain to
everything before them; an item's audit path then proves it was in the batch without showing the others.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from chengguan.evidence.ledger import GENESIS_HASH, Entry, LedgerError, iso_utc
from chengguan.evidence.merkle import inclusion_proof, merkle_root, verify_inclusion


@dataclass(frozen=True)
class Batch:
    """Entries ``first_seq..last_seq`` sealed under ``root``; ``prev_batch_root`` links the batches in order."""

    first_seq: int
    last_seq: int
    size: int
    root: str
    prev_batch_root: str
    sealed_at: str

    def to_dict(self) -> dict[str, Any]:
        """The batch as a plain dict (for storage or export)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Batch:
        """A batch read back from storage; extra keys are ignored."""
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


def leaves_of(entries: Sequence[Entry]) -> list[bytes]:
    """The Merkle leaves of a batch: each entry's hash as 32 raw bytes, in sequence order."""
    return [bytes.fromhex(e.entry_hash) for e in entries]


def seal_batch(entries: Sequence[Entry], *, prev: Batch | None, sealed_at: datetime | str) -> Batch:
    """Seal the consecutive entries that follow ``prev`` (or start the ledger) under their Merkle root."""
    if not entries:
        raise LedgerError("不能封存空批次")
    first = prev.last_seq + 1 if prev else 1
    if [e.seq for e in entries] != list(range(first, first + len(entries))):
        raise LedgerError(f"批次须由序号 {first} 起连续的记录组成")
    return Batch(
        first_seq=first,
        last_seq=first + len(entries) - 1,
        size=len(entries),
        root=merkle_root(leaves_of(entries)),
        prev_batch_root=prev.root if prev else GENESIS_HASH,
        sealed_at=iso_utc(sealed_at),
    )


def find_batch(batches: Sequence[Batch], seq: int) -> Batch | None:
    """The batch (of a list in sequence order) that holds entry ``seq``, or ``None`` if it is not sealed yet."""
    i = bisect.bisect_right([b.first_seq for b in batches], seq) - 1
    if i >= 0 and batches[i].first_seq <= seq <= batches[i].last_seq:
        return batches[i]
    return None


@dataclass(frozen=True)
class ItemProof:
    """Evidence that entry ``seq`` (hash ``entry_hash``) is leaf ``index`` of the batch sealed under ``root``."""

    seq: int
    entry_hash: str
    first_seq: int
    index: int
    tree_size: int
    path: tuple[str, ...]
    root: str

    def to_dict(self) -> dict[str, Any]:
        """The proof as a plain dict, to hand to whoever checks it (with ``merkle.verify_inclusion`` or any CT tool)."""
        return {**asdict(self), "path": list(self.path), "tree": "rfc6962-sha256"}


def item_proof(batch: Batch, entries: Sequence[Entry], seq: int) -> ItemProof:
    """The inclusion proof of entry ``seq`` in ``batch``, given the batch's entries in order."""
    if not batch.first_seq <= seq <= batch.last_seq or len(entries) != batch.size:
        raise LedgerError(f"序号 {seq} 不在批次 {batch.first_seq}–{batch.last_seq} 内，或批次记录不全")
    index = seq - batch.first_seq
    entry = entries[index]
    if entry.seq != seq:
        raise LedgerError("批次记录须按序号排列")
    leaves = leaves_of(entries)
    return ItemProof(
        seq=seq,
        entry_hash=entry.entry_hash,
        first_seq=batch.first_seq,
        index=index,
        tree_size=batch.size,
        path=tuple(inclusion_proof(leaves, index)),
        root=batch.root,
    )


def check_item_proof(proof: ItemProof, *, entry: Entry | None = None, batch: Batch | None = None) -> bool:
    """Whether the proof holds, and matches the entry and the batch (e.g. one read back from an anchor) if given."""
    if entry is not None and (entry.seq, entry.entry_hash) != (proof.seq, proof.entry_hash):
        return False
    if batch is not None and (batch.first_seq, batch.size, batch.root) != (
        proof.first_seq,
        proof.tree_size,
        proof.root,
    ):
        return False
    if proof.index != proof.seq - proof.first_seq:
        return False
    try:
        leaf = bytes.fromhex(proof.entry_hash)
    except (TypeError, ValueError):
        return False
    return verify_inclusion(leaf, proof.index, proof.tree_size, proof.path, proof.root)
