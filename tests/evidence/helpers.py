"""Builders of test ledgers: entries appended one after another, blobs in a store, batches sealed every N."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chengguan.evidence.batches import Batch, seal_batch
from chengguan.evidence.digests import digest_bytes
from chengguan.evidence.ledger import Entry, append, make_payload
from chengguan.evidence.store import LocalBlobStore

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
KINDS = ["photo", "video", "audio", "file"]


def content(i: int) -> bytes:
    """The synthetic evidence file of item i (distinct per item)."""
    return f"第 {i} 号证据：执法记录仪片段 ".encode() * (1 + i % 7)


def build_ledger(
    n: int, *, store: LocalBlobStore | None = None, batch_size: int | None = None
) -> tuple[list[Entry], list[Batch]]:
    """A ledger of n items (files put into ``store`` if given) and its full batches of ``batch_size``."""
    entries: list[Entry] = []
    batches: list[Batch] = []
    prev = None
    for i in range(1, n + 1):
        data = content(i)
        digests = store.put(data) if store is not None else digest_bytes(data)
        payload = make_payload(
            f"EV-{i:06d}",
            digests,
            kind=KINDS[i % 4],
            captured_at=T0 + timedelta(minutes=i),
            meta={"case_no": f"青城管罚〔2026〕{i}号", "collector": "执法队员甲", "gps": [120.38, 36.07]},
        )
        prev = append(prev, payload, recorded_at=T0 + timedelta(minutes=i, seconds=30))
        entries.append(prev)
        if batch_size and i % batch_size == 0:
            batches.append(
                seal_batch(entries[-batch_size:], prev=batches[-1] if batches else None, sealed_at=prev.recorded_at)
            )
    return entries, batches
