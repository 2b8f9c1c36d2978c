"""The whole evidence ledger verified (``chengguan verify-evidence``, ``GET /api/v1/evidence/verify``): walked in
parts over several processes when it is long and intact (``ledger_parts``), else in one streaming pass
(``ledger_db.entry_rows``) that reports the first break."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chengguan.evidence import ledger_db, ledger_parts
from chengguan.evidence.models import LedgerHead
from chengguan.evidence.store import BlobStore
from chengguan.evidence.verify import Break, VerifyReport, verify_chain


@dataclass(frozen=True)
class LedgerCheck:
    """A full verification: the report (first break, counts), the head it was checked against, the time it took."""

    report: VerifyReport
    head_seq: int
    seconds: float


def verify_ledger(
    session: Session,
    store: BlobStore | None,
    *,
    workers: int = 4,
    check_items: bool = True,
    processes: int | None = None,
) -> LedgerCheck:
    """Walk the whole ledger once: every entry's hash and link, every sealed batch's root, the head, every evidence
    record against its entry and (with ``store``) every stored file re-hashed; the first break wins.

    A long ledger is walked in parts over ``processes`` (default: one per core, see ledger_parts) when it is intact;
    the sequential walk reports any break."""
    started = time.perf_counter()
    head = session.get(LedgerHead, ledger_db.HEAD_ID)
    n = processes if processes is not None else ledger_parts.processes_for(session, store, head.seq if head else 0)
    if head is not None and n > 1:
        whole = ledger_parts.verify_in_parts(
            session, store, (head.seq, head.hash), processes=n, check_items=check_items, threads=max(1, workers // n)
        )
        if whole is not None:
            return LedgerCheck(whole, head.seq, time.perf_counter() - started)
    item_breaks: list[Break] = []
    report = verify_chain(
        ledger_db.entry_rows(session, item_breaks, check_items),
        batches=ledger_db.batches(session),
        blob_digests=store.digests if store else None,
        head=(head.seq, head.hash) if head else None,
        workers=workers,
    )
    if item_breaks:
        brk = item_breaks[0]
        # The chain's own break wins at the same place: an altered entry no longer matches its record either.
        if report.first_break is None or brk.seq < report.first_break.seq:
            report = VerifyReport(False, brk.seq - 1, brk, min(report.blobs_checked, brk.seq - 1))
    return LedgerCheck(report, head.seq if head else 0, time.perf_counter() - started)
