"""Verification of the evidence ledger: one streaming pass that names the first place where it no longer holds.

Checks per entry, in sequence order: its place (``seq``), its own hash, its link to the previous entry, then
(optionally) the stored blob's digests; at the end of each sealed batch, the batch's Merkle root. Stops at the
first break, so the report is the same however the blob checks are spread over threads.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from itertools import islice

from chengguan.evidence.batches import Batch, ItemProof, check_item_proof, leaves_of
from chengguan.evidence.digests import Digests
from chengguan.evidence.ledger import GENESIS_HASH, Entry, recomputed_hash
from chengguan.evidence.merkle import merkle_root

BlobDigests = Callable[[str], Digests | None]  # e.g. ``LocalBlobStore.digests``: None when the blob is gone


class Reason(StrEnum):
    """Why the ledger stops holding at a place (stable machine codes)."""

    ENTRY_ALTERED = "entry_altered"  # a row's fields no longer match its own hash
    CHAIN_BROKEN = "chain_broken"  # a row's prev_hash does not match the row before it
    SEQUENCE_GAP = "sequence_gap"  # a row is missing (deleted)
    OUT_OF_ORDER = "out_of_order"  # rows are in the wrong order, swapped or duplicated
    LEDGER_TRUNCATED = "ledger_truncated"  # rows are missing at the end (a sealed batch or the head says more)
    HEAD_MISMATCH = "head_mismatch"  # the last row is not the recorded head
    BLOB_MISSING = "blob_missing"  # the stored file is gone
    BLOB_ALTERED = "blob_altered"  # the stored file's digests differ from the entry's
    BATCH_ROOT_MISMATCH = "batch_root_mismatch"  # a sealed batch's root differs from its entries' root
    BATCH_INVALID = "batch_invalid"  # the batch list itself is broken (gap, overlap, wrong size or link)
    PROOF_INVALID = "proof_invalid"  # an item's inclusion proof does not hold
    ANCHOR_MISMATCH = "anchor_mismatch"  # a batch differs from (or lacks) its externally published anchor
    ITEM_MISSING = "item_missing"  # a ledger entry's evidence record (the item row) is gone
    ITEM_ALTERED = "item_altered"  # an evidence record's digests, capture time or metadata differ from its entry


@dataclass(frozen=True)
class Break:
    """The first place where the ledger no longer holds: a sequence number, the item there if known, why."""

    seq: int
    item_id: str | None
    reason: Reason
    message: str


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of a verification: entries fully checked before the first break (if any)."""

    ok: bool
    checked: int
    first_break: Break | None
    blobs_checked: int = 0
    batches_checked: int = 0


Lookup = Callable[[], Digests | None]
CHUNK = 64  # entries per hashing task


def _lookup_all(blob_digests: BlobDigests, addresses: list[str]) -> list[Digests | Exception | None]:
    # An error (an unreadable file, a malformed address in a tampered row) belongs to its own entry, and only
    # surfaces if that entry gets as far as its file check.
    found: list[Digests | Exception | None] = []
    for address in addresses:
        try:
            found.append(blob_digests(address))
        except Exception as exc:
            found.append(exc)
    return found


def _pick(future: Future[list[Digests | Exception | None]], i: int) -> Digests | None:
    found = future.result()[i]
    if isinstance(found, Exception):
        raise found
    return found


class _Stream:
    """The entries in stored order, each with its pending blob lookup; can peek one ahead and scan on cheaply."""

    def __init__(self, entries: Iterable[Entry], blob_digests: BlobDigests | None, workers: int, window: int) -> None:
        self._entries = iter(entries)
        self._blob_digests = blob_digests
        self._window = max(1, window)
        # Files are hashed ahead in a bounded window (hashlib and file reads release the GIL); results are taken
        # in sequence order, so the first break reported does not depend on which thread finished first.
        self._pool = ThreadPoolExecutor(workers, "evidence-verify") if blob_digests and workers > 1 else None
        self._ahead: deque[tuple[Entry, Lookup | None]] = deque()
        self._scanning = False

    def _pull(self) -> bool:
        if self._pool is None or self._scanning:
            try:
                entry = next(self._entries)
            except StopIteration:
                return False
            blob_digests = None if self._scanning else self._blob_digests
            self._ahead.append((entry, partial(blob_digests, entry.sha256) if blob_digests else None))
            return True
        # One task per chunk of entries: a future per file would cost the main thread more than the hashing.
        chunk = list(islice(self._entries, CHUNK))
        if not chunk:
            return False
        future = self._pool.submit(_lookup_all, self._blob_digests, [e.sha256 for e in chunk])
        self._ahead.extend((entry, partial(_pick, future, i)) for i, entry in enumerate(chunk))
        return True

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> tuple[Entry, Lookup | None]:
        target = 1 if self._pool is None else self._window
        while len(self._ahead) < target and self._pull():
            pass
        if not self._ahead:
            raise StopIteration
        return self._ahead.popleft()

    def peek(self) -> Entry | None:
        """The next entry without taking it."""
        if not self._ahead and not self._pull():
            return None
        return self._ahead[0][0]

    def scan(self) -> Iterator[Entry]:
        """The remaining entries, without hashing their files (the pass is ending)."""
        self._scanning = True
        while self._ahead:
            yield self._ahead.popleft()[0]
        yield from self._entries

    def close(self) -> None:
        """Stop the hashing threads (an early end leaves lookups pending)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def batch_problem(batches: list[Batch], start: tuple[int, str] = (1, GENESIS_HASH)) -> tuple[int, Break] | None:
    """The first structural fault of the batch list, as (index of the batch, break); ``start`` is the first seq and
    the previous root the list must continue from (a part of the ledger checked on its own starts later)."""
    expected_first, prev_root = start
    for i, b in enumerate(batches):
        problem = None
        if b.first_seq != expected_first:
            problem = f"第 {i + 1} 个批次应从序号 {expected_first} 开始，实为 {b.first_seq}（批次缺失、重叠或被改动）"
        elif b.last_seq < b.first_seq or b.size != b.last_seq - b.first_seq + 1:
            problem = f"第 {i + 1} 个批次的序号范围 {b.first_seq}–{b.last_seq} 与大小 {b.size} 不符"
        elif b.prev_batch_root != prev_root:
            problem = f"第 {i + 1} 个批次记录的前一批次根与实际不符（批次被替换或改动）"
        if problem:
            return i, Break(expected_first, None, Reason.BATCH_INVALID, problem)
        expected_first, prev_root = b.last_seq + 1, b.root
    return None


def _swapped_with_next(entry: Entry, following: Entry | None) -> bool:
    # Rows k and k+1 whose contents were exchanged while each kept its seq: each one hashes right under the other's.
    if following is None or following.seq != entry.seq + 1:
        return False
    return (
        recomputed_hash(dataclasses.replace(entry, seq=entry.seq + 1)) == entry.entry_hash
        and recomputed_hash(dataclasses.replace(following, seq=entry.seq)) == following.entry_hash
    )


def _misplaced(entry: Entry, expected: int, rest: _Stream) -> Break:
    if recomputed_hash(entry) != entry.entry_hash:  # a renumbered row, not a moved or deleted one
        return Break(expected, entry.item_id, Reason.ENTRY_ALTERED, f"序号 {expected} 处记录的序号或内容被改动")
    if entry.seq > expected:
        for later in rest.scan():  # the break ends the pass, so reading on to tell a move from a deletion is O(n) once
            if later.seq == expected:
                return Break(
                    expected,
                    later.item_id,
                    Reason.OUT_OF_ORDER,
                    f"序号 {expected} 的记录出现在序号 {entry.seq} 之后（记录顺序被调换）",
                )
        missing = f"{expected}" if entry.seq == expected + 1 else f"{expected}–{entry.seq - 1}"
        return Break(expected, None, Reason.SEQUENCE_GAP, f"序号 {missing} 的记录缺失（已被删除）")
    return Break(
        expected,
        entry.item_id,
        Reason.OUT_OF_ORDER,
        f"在序号 {expected} 的位置出现了序号 {entry.seq} 的记录（记录重复或顺序被调换）",
    )


def _blob_break(entry: Entry, found: Digests | None) -> Break | None:
    if found is None:
        return Break(entry.seq, entry.item_id, Reason.BLOB_MISSING, f"序号 {entry.seq} 的证据文件缺失（已被删除）")
    if tuple(found) != (entry.sha256, entry.sm3, entry.size):
        return Break(entry.seq, entry.item_id, Reason.BLOB_ALTERED, f"序号 {entry.seq} 的证据文件内容与登记的摘要不符")
    return None


def _entry_break(entry: Entry, expected: int, prev_hash: str, rest: _Stream) -> Break | None:
    """Whether the entry at position ``expected`` is in its place, unaltered and linked to the one before."""
    if entry.seq != expected:
        return _misplaced(entry, expected, rest)
    if recomputed_hash(entry) != entry.entry_hash:
        if _swapped_with_next(entry, rest.peek()):
            return Break(
                expected, entry.item_id, Reason.OUT_OF_ORDER, f"序号 {expected} 与 {expected + 1} 的记录内容被对调"
            )
        return Break(
            expected, entry.item_id, Reason.ENTRY_ALTERED, f"序号 {expected} 的记录内容与其哈希不符（已被篡改）"
        )
    if entry.prev_hash != prev_hash:
        where = (
            "首条记录的前序哈希不是创世值" if expected == 1 else f"序号 {expected} 与序号 {expected - 1} 的哈希链接断开"
        )
        return Break(expected, entry.item_id, Reason.CHAIN_BROKEN, f"{where}（前序记录被替换或重算过哈希）")
    return None


def _end_break(
    expected: int, last: Entry | None, unsealed: Batch | None, head: tuple[int, str] | None, prev_hash: str
) -> Break | None:
    """What the end of the pass says: rows cut off the end (a sealed batch or the head reaches further)."""
    if unsealed is not None:
        return Break(
            expected,
            None,
            Reason.LEDGER_TRUNCATED,
            f"序号 {expected} 起的记录缺失（账本尾部被删除；已封存批次至序号 {unsealed.last_seq}）",
        )
    last_hash = last.entry_hash if last else prev_hash
    if head is None or tuple(head) == (expected - 1, last_hash):
        return None
    if head[0] >= expected:
        return Break(expected, None, Reason.LEDGER_TRUNCATED, f"序号 {expected} 起的记录缺失（账本尾部被删除）")
    message = f"账本链头（序号 {head[0]}）与最后一条记录（序号 {expected - 1}）不符"
    return Break(expected - 1, last.item_id if last else None, Reason.HEAD_MISMATCH, message)


def verify_chain(
    entries: Iterable[Entry],
    *,
    batches: Iterable[Batch] | None = None,
    blob_digests: BlobDigests | None = None,
    head: tuple[int, str] | None = None,
    workers: int = 1,
    window: int = 512,
    start: tuple[int, str] = (1, GENESIS_HASH),
    batch_start: tuple[int, str] = (1, GENESIS_HASH),
) -> VerifyReport:
    """Walk the whole ledger in stored order (seq ascending) and report the first break, if any.

    ``batches`` (in order) has each sealed batch's root recomputed; ``blob_digests`` has each stored file
    re-hashed (over ``workers`` threads); ``head`` is the (seq, entry_hash) recorded as the ledger's last entry.
    A part of the ledger is walked with ``start`` (its first seq, the hash of the entry before it) and
    ``batch_start`` (the first seq and previous root its first batch continues from); ``head`` is then its end.
    """
    batch_list = list(batches or ())
    problem = batch_problem(batch_list, batch_start)
    usable = batch_list[: problem[0]] if problem else batch_list
    bi, in_batch = 0, []
    (expected, prev_hash), last = start, None
    checked = blobs = sealed = 0

    def report(brk: Break | None) -> VerifyReport:
        return VerifyReport(brk is None, checked, brk, blobs, sealed)

    rest = _Stream(entries, blob_digests, workers, window)
    try:
        for entry, lookup in rest:
            if problem and problem[1].seq <= expected:
                return report(problem[1])
            brk = _entry_break(entry, expected, prev_hash, rest)
            if brk is None and lookup is not None:
                brk = _blob_break(entry, lookup())
                blobs += brk is None
            if brk is None and bi < len(usable) and usable[bi].first_seq <= expected:
                batch = usable[bi]
                in_batch.append(entry)
                if expected == batch.last_seq:
                    if merkle_root(leaves_of(in_batch)) != batch.root:
                        message = f"批次 {batch.first_seq}–{batch.last_seq} 的 Merkle 根与其记录不符（批次根被改动）"
                        brk = Break(batch.first_seq, None, Reason.BATCH_ROOT_MISMATCH, message)
                    else:
                        bi, in_batch, sealed = bi + 1, [], sealed + 1
            if brk is not None:
                return report(brk)
            checked += 1
            expected, prev_hash, last = expected + 1, entry.entry_hash, entry
    finally:
        rest.close()
    if problem:
        return report(problem[1])
    return report(_end_break(expected, last, usable[bi] if bi < len(usable) else None, head, prev_hash))


def verify_item(
    entry: Entry,
    *,
    prev: Entry | None = None,
    blob_digests: BlobDigests | None = None,
    proof: ItemProof | None = None,
    batch: Batch | None = None,
) -> VerifyReport:
    """Check one item: its entry's hash, its link to ``prev`` if given, its stored file, its proof in ``batch``."""
    seq = entry.seq if type(entry.seq) is int else 0

    def broken(reason: Reason, message: str) -> VerifyReport:
        return VerifyReport(False, 0, Break(seq, entry.item_id, reason, message))

    if recomputed_hash(entry) != entry.entry_hash:
        return broken(Reason.ENTRY_ALTERED, f"序号 {seq} 的记录内容与其哈希不符（已被篡改）")
    if prev is not None and (prev.seq != seq - 1 or prev.entry_hash != entry.prev_hash):
        return broken(Reason.CHAIN_BROKEN, f"序号 {seq} 的记录与给出的前一条记录链接不上")
    blobs = 0
    if blob_digests is not None:
        brk = _blob_break(entry, blob_digests(entry.sha256))
        if brk:
            return VerifyReport(False, 0, brk)
        blobs = 1
    if (proof is not None or batch is not None) and (
        proof is None or not check_item_proof(proof, entry=entry, batch=batch)
    ):
        return broken(Reason.PROOF_INVALID, f"序号 {seq} 的记录不在所给批次的 Merkle 树中（证明无效）")
    return VerifyReport(True, 1, None, blobs, 1 if batch is not None else 0)
