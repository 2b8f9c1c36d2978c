"""Background work on the evidence ledger: sealing the unsealed tail (every minute, and ``chengguan seal-evidence``)
and publishing sealed batch roots to an anchor file (``chengguan export-anchors``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.config import get_settings
from chengguan.evidence import ledger_db
from chengguan.evidence.anchors import FileAnchorSink, check_anchors
from chengguan.evidence.models import LedgerBatchRow
from chengguan.evidence.verify import Break

log = logging.getLogger(__name__)


def seal_job(session: Session, batch_size: int | None = None) -> int:
    """Seal every entry not yet in a batch (safe with several processes: the head row lock queues them); a ledger
    that no longer holds is logged, not sealed over. Returns the number of batches sealed."""
    size = batch_size or get_settings().evidence_batch_size
    try:
        with session.begin_nested():
            return len(ledger_db.seal_pending(session, batch_size=size))
    except ledger_db.LedgerBroken as exc:
        log.error("evidence ledger not sealed: %s", exc.detail)
        return 0


@dataclass(frozen=True)
class AnchorExport:
    """What an export did: batches newly written, batches already there, or the first conflict with the file."""

    published: int
    already: int
    conflict: Break | None = None


def export_anchors(session: Session, path: Path) -> AnchorExport:
    """Append every sealed batch's root to the anchor file (JSON lines, idempotent) and keep the receipt on the batch.
    Roots already in the file are compared first: a batch that differs from its published root is not overwritten."""
    sink = FileAnchorSink(path)
    batches = ledger_db.batches(session)
    conflict = check_anchors(batches, sink.records())
    if conflict is not None:
        return AnchorExport(0, 0, conflict)
    known = {r.get("first_seq") for r in sink.records()}
    rows = {r.first_seq: r for r in session.scalars(select(LedgerBatchRow))}
    published = already = 0
    for batch in batches:
        receipt = sink.publish(batch)
        if batch.first_seq in known:
            already += 1
        else:
            published += 1
        rows[batch.first_seq].anchor_receipt = receipt.to_dict()
    session.flush()
    return AnchorExport(published, already)
