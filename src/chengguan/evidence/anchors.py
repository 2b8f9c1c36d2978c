"""Anchoring sealed batches outside the platform (a notary, a judicial blockchain, a timestamp authority).

Once a batch root sits somewhere the platform cannot rewrite, even someone able to rewrite the whole ledger and
its batch table is caught: ``check_anchors`` compares the batches with what was published. The working local
sink appends JSON lines to a file; a real notary service gets an adapter with the same ``publish``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from chengguan.core import clock
from chengguan.evidence.batches import Batch
from chengguan.evidence.ledger import iso_utc
from chengguan.evidence.verify import Break, Reason

ANCHOR_FORMAT = "chengguan-evidence-anchor/v1"
LEDGER_NAME = "chengguan-evidence"


class AnchorConflictError(RuntimeError):
    """A batch range was already anchored under a different root: a second history is being published."""


@dataclass(frozen=True)
class AnchorReceipt:
    """What a sink returns for a published batch: where to find the anchor again, and when it was made."""

    sink: str
    reference: str
    first_seq: int
    root: str
    published_at: str

    def to_dict(self) -> dict[str, Any]:
        """The receipt as a plain dict (e.g. for the batch row's ``anchor_receipt`` column)."""
        return asdict(self)


@runtime_checkable
class AnchorSink(Protocol):
    """Somewhere batch roots are published out of the platform's reach."""

    def publish(self, batch: Batch) -> AnchorReceipt:
        """Publish the batch's root (idempotent for the same batch) and return the receipt."""
        ...


def anchor_record(batch: Batch, *, ledger: str = LEDGER_NAME) -> dict[str, Any]:
    """The record of one batch as an external service takes it: range, size, root, link, time, algorithms."""
    return {
        "format": ANCHOR_FORMAT,
        "ledger": ledger,
        "first_seq": batch.first_seq,
        "last_seq": batch.last_seq,
        "size": batch.size,
        "root": batch.root,
        "prev_batch_root": batch.prev_batch_root,
        "sealed_at": batch.sealed_at,
        "hash": "sha256",
        "tree": "rfc6962",
    }


def export_anchors(batches: Iterable[Batch], *, ledger: str = LEDGER_NAME) -> list[dict[str, Any]]:
    """The anchor list of the given batches, in order, for a notary or blockchain service to take in bulk."""
    return [anchor_record(b, ledger=ledger) for b in batches]


class FileAnchorSink:
    """Anchors as JSON lines appended to a file (one write per line, fsynced); meant to be copied off the host."""

    name = "file"

    def __init__(self, path: str | os.PathLike[str], *, now: Callable[[], datetime] = clock.now) -> None:
        self.path = Path(path)
        self._now = now

    def records(self) -> list[dict[str, Any]]:
        """Every anchor published so far, oldest first (none if the file does not exist yet)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def publish(self, batch: Batch) -> AnchorReceipt:
        """Append the batch's anchor; an identical one is not written twice, a conflicting one is refused."""
        for offset, record in self._records_with_offsets():
            if record.get("first_seq") != batch.first_seq:
                continue
            if (record.get("last_seq"), record.get("root")) != (batch.last_seq, batch.root):
                raise AnchorConflictError(
                    f"批次自序号 {batch.first_seq} 起已以另一个根公证过（{record.get('root')}），拒绝再次公证"
                )
            return self._receipt(offset, record)
        record = {**anchor_record(batch), "published_at": iso_utc(self._now())}
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            # One write of the whole line with O_APPEND: concurrent publishers never interleave inside a line.
            os.write(fd, line)
            os.fsync(fd)
            offset = os.lseek(fd, 0, os.SEEK_CUR) - len(line)
        finally:
            os.close(fd)
        return self._receipt(offset, record)

    def _records_with_offsets(self) -> Iterable[tuple[int, dict[str, Any]]]:
        try:
            with open(self.path, "rb") as f:
                offset = 0
                for raw in f:
                    if raw.strip():
                        yield offset, json.loads(raw)
                    offset += len(raw)
        except FileNotFoundError:
            return

    def _receipt(self, offset: int, record: Mapping[str, Any]) -> AnchorReceipt:
        return AnchorReceipt(
            sink=self.name,
            reference=f"{self.path}@{offset}",
            first_seq=record["first_seq"],
            root=record["root"],
            published_at=record["published_at"],
        )


def check_anchors(batches: Sequence[Batch], anchors: Iterable[Mapping[str, Any]]) -> Break | None:
    """The first anchored batch (by seq) that the ledger's batches lack or contradict; ``None`` if all agree."""
    by_first = {b.first_seq: b for b in batches}
    faults: list[Break] = []
    for anchor in anchors:
        first, last, root = anchor.get("first_seq"), anchor.get("last_seq"), anchor.get("root")
        if type(first) is not int:
            continue  # not a record of this ledger's format
        batch = by_first.get(first)
        if batch is None:
            message = f"已公证的批次 {first}–{last} 在账本中缺失"
        elif (batch.last_seq, batch.root) != (last, root):
            message = f"批次 {first}–{last} 的 Merkle 根与外部公证记录不符（账本或批次表被改写）"
        else:
            continue
        faults.append(Break(first, None, Reason.ANCHOR_MISMATCH, message))
    return min(faults, key=lambda b: b.seq) if faults else None
