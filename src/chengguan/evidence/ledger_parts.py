"""The full verification of a long ledger, split over processes: each process walks one part of the ledger (whole
sealed batches) with its records and files, and the parts join where each one's first entry links to the entry the
part before ends with (that entry's own hash is checked by the part before).

Python runs one thread at a time: the per-entry work (hashes, canonical JSON, record comparisons) is what takes a
100,000-item verification past ten seconds on one core. An intact ledger is what a verification nearly always
finds, so the parts only say "intact" or "not"; as soon as one is not, the exact sequential walk runs and reports
the first break exactly as it always does (where, what, which item) — so splitting never changes an answer.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chengguan.evidence import ledger_db
from chengguan.evidence.batches import Batch
from chengguan.evidence.ledger import GENESIS_HASH
from chengguan.evidence.store import BlobStore, LocalBlobStore
from chengguan.evidence.verify import VerifyReport, batch_problem, verify_chain

PARALLEL_MIN = 20_000  # below this, starting processes costs more than it saves


@dataclass(frozen=True)
class Part:
    """Entries ``first..last`` (``last`` None: to the end), the hash of the entry before ``first``, the first seq and
    previous root its first batch continues from, and the (seq, hash) it must end on."""

    first: int
    last: int | None
    prev_hash: str
    batch_start: tuple[int, str]
    end: tuple[int, str] | None
    batches: tuple[Batch, ...]


def plan(session: Session, head: tuple[int, str], batches: list[Batch], parts: int) -> list[Part] | None:
    """Cut the ledger into ``parts`` runs of whole batches; None when it cannot be cut cleanly (a batch list out of
    shape, a boundary row missing): then only the sequential walk can say what is wrong."""
    if batch_problem(batches) is not None or not batches:
        return None
    head_seq = head[0]
    cuts: list[int] = []  # the index of the last batch of each part but the last
    for k in range(1, parts):
        target = head_seq * k // parts
        i = next((i for i, b in enumerate(batches) if b.last_seq >= target), None)
        if i is not None and (not cuts or i > cuts[-1]) and batches[i].last_seq < head_seq:
            cuts.append(i)
    out: list[Part] = []
    first, prev_hash, batch_start, bi = 1, GENESIS_HASH, (1, GENESIS_HASH), 0
    for i in cuts:
        boundary = ledger_db.entry_at(session, batches[i].last_seq)
        if boundary is None:
            return None
        out.append(Part(first, boundary.seq, prev_hash, batch_start, (boundary.seq, boundary.entry_hash),
                        tuple(batches[bi : i + 1])))  # fmt: skip
        first, prev_hash = boundary.seq + 1, boundary.entry_hash
        batch_start, bi = (boundary.seq + 1, batches[i].root), i + 1
    out.append(Part(first, None, prev_hash, batch_start, head, tuple(batches[bi:])))
    return out


def check_part(url: str, store_root: str | None, part: Part, check_items: bool, threads: int) -> VerifyReport:
    """Walk one part in a process of its own (its own connection): intact or not, with its counts."""
    from chengguan.core.db import Database

    db = Database(url)
    try:
        with db.session(write=False) as session:
            breaks: list = []
            report = verify_chain(
                ledger_db.entry_rows(session, breaks, check_items, part.first, part.last),
                batches=part.batches,
                blob_digests=LocalBlobStore(store_root).digests if store_root else None,
                head=part.end,
                workers=threads,
                start=(part.first, part.prev_hash),
                batch_start=part.batch_start,
            )
            return report if not breaks else VerifyReport(False, report.checked, breaks[0], report.blobs_checked)
    finally:
        db.dispose()


def processes_for(session: Session, store: BlobStore | None, head_seq: int) -> int:
    """How many processes a full verification of ``head_seq`` entries should use (1: walk it here).

    Parts are forked from a single-threaded process (the CLI) and start at once; a spawned part would import the
    platform first (one to several seconds, more than the rows take), and forking a process with other threads
    (the web server) could copy a lock held mid-way. bench/evidence_verify_db.py, 100,000 entries on two cores:
    rows 2.5 s in one process, 1.0 s in two; with every file re-hashed 9.2 s in one, 4.0 s in two."""
    url = session.get_bind().engine.url
    in_memory = url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:"
    local = store is None or isinstance(store, LocalBlobStore)
    if head_seq < PARALLEL_MIN or in_memory or not local or not can_fork():
        return 1
    return processes_for_count()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def processes_for_count() -> int:
    """One process per core, at most four (the parts must stay long enough to pay for starting them)."""
    return max(1, min(os.cpu_count() or 1, 4))


def verify_in_parts(
    session: Session, store: BlobStore | None, head: tuple[int, str], *, processes: int, check_items: bool, threads: int
) -> VerifyReport | None:
    """The verdict of the parts walked side by side when every part is intact; None when one is not (or the ledger
    cannot be cut), so the caller walks it sequentially for the exact first break."""
    parts = plan(session, head, ledger_db.batches(session), processes)
    if parts is None or len(parts) < 2:
        return None
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    root = str(store.root) if isinstance(store, LocalBlobStore) else None
    # fork when this process has no other thread (nothing can be copied mid-way); spawn otherwise (slow to start)
    method = "fork" if can_fork() else "spawn"
    with ProcessPoolExecutor(len(parts), mp_context=multiprocessing.get_context(method)) as pool:
        futures = [pool.submit(check_part, url, root, p, check_items, threads) for p in parts]
        reports = [f.result() for f in futures]
    if not all(r.ok for r in reports):
        return None
    return VerifyReport(
        True,
        sum(r.checked for r in reports),
        None,
        sum(r.blobs_checked for r in reports),
        sum(r.batches_checked for r in reports),
    )
