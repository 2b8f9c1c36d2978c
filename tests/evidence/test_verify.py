"""Verification: every kind of tampering is detected and the first break names the right seq and reason."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import pytest

from chengguan.evidence.batches import find_batch, item_proof
from chengguan.evidence.ledger import compute_entry_hash
from chengguan.evidence.store import LocalBlobStore
from chengguan.evidence.verify import Reason, verify_chain, verify_item
from evidence.helpers import build_ledger

N, BATCH = 60, 10
POSITIONS = [1, 2, 10, 11, 37, 59]  # first, second, batch end, batch start, middle, one before last


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> tuple[list, list, LocalBlobStore]:
    store = LocalBlobStore(tmp_path_factory.mktemp("blobs"), durable=False)
    entries, batches = build_ledger(N, store=store, batch_size=BATCH)
    return entries, batches, store


@pytest.fixture
def fresh(tmp_path) -> tuple[list, list, LocalBlobStore]:
    """A ledger whose blobs a test may damage."""
    store = LocalBlobStore(tmp_path / "blobs", durable=False)
    entries, batches = build_ledger(N, store=store, batch_size=BATCH)
    return entries, batches, store


def check(entries, batches=None, store=None, **kw):
    return verify_chain(entries, batches=batches, blob_digests=store.digests if store else None, **kw)


def assert_break(report, seq, reason):
    assert not report.ok
    brk = report.first_break
    assert brk is not None
    assert (brk.seq, brk.reason) == (seq, reason), brk
    assert brk.message and brk.reason.value == reason


def rehashed(entry, **changes):
    """The entry edited by someone who also recomputed its hash."""
    edited = dataclasses.replace(entry, **changes)
    return dataclasses.replace(edited, entry_hash=compute_entry_hash(edited.hashed_fields()))


@pytest.mark.parametrize("workers", [1, 4])
def test_intact_ledger_verifies(ledger, workers):
    entries, batches, store = ledger
    report = check(entries, batches, store, head=(N, entries[-1].entry_hash), workers=workers, window=7)
    assert report.ok and report.first_break is None
    assert (report.checked, report.blobs_checked, report.batches_checked) == (N, N, N // BATCH)


def test_intact_ledger_of_1000_items_verifies(tmp_path):
    store = LocalBlobStore(tmp_path, durable=False)
    entries, batches = build_ledger(1005, store=store, batch_size=100)  # ten sealed batches, an unsealed tail
    report = check(entries, batches, store, head=(1005, entries[-1].entry_hash), workers=2)
    assert report.ok and report.checked == 1005 and report.batches_checked == 10


def test_empty_ledger_verifies():
    assert verify_chain([]).ok
    assert verify_chain([], head=(0, "0" * 64)).ok


FIELD_EDITS = {
    "item_id": "EV-999999",
    "sha256": "a" * 64,
    "sm3": "b" * 64,
    "size": 1,
    "kind": "document",
    "captured_at": "2025-01-01T00:00:00.000000+00:00",
    "recorded_at": "2025-01-01T00:00:00.000000+00:00",
    "meta_digest": "c" * 64,
    "prev_hash": "d" * 64,
    "entry_hash": "e" * 64,
}


@pytest.mark.parametrize("k", POSITIONS)
@pytest.mark.parametrize("field", sorted(FIELD_EDITS))
def test_altered_row_is_located(ledger, k, field):
    entries, batches, store = ledger
    tampered = list(entries)
    tampered[k - 1] = dataclasses.replace(entries[k - 1], **{field: FIELD_EDITS[field]})
    assert_break(check(tampered, batches, store), k, Reason.ENTRY_ALTERED)


@pytest.mark.parametrize("k", POSITIONS)
def test_renumbered_row_is_located(ledger, k):
    entries, batches, store = ledger
    tampered = list(entries)
    tampered[k - 1] = dataclasses.replace(entries[k - 1], seq=k + 100)
    assert_break(check(tampered, batches, store), k, Reason.ENTRY_ALTERED)


@pytest.mark.parametrize("k", POSITIONS)
def test_altered_and_rehashed_row_breaks_the_next_link(ledger, k):
    entries, _, _ = ledger
    tampered = list(entries)
    tampered[k - 1] = rehashed(entries[k - 1], kind="file" if entries[k - 1].kind != "file" else "photo")
    assert_break(check(tampered), k + 1, Reason.CHAIN_BROKEN)


def test_rehashed_row_at_a_batch_end_is_caught_by_the_batch_root(ledger):
    entries, batches, _ = ledger
    tampered = list(entries)
    tampered[9] = rehashed(entries[9], size=1)  # the last row of batch 1–10: its root is checked before row 11
    assert_break(check(tampered, batches), 1, Reason.BATCH_ROOT_MISMATCH)


@pytest.mark.parametrize("k", [1, 15, 37])
def test_rewritten_chain_is_caught_by_the_sealed_batch(ledger, k):
    """Someone edits row k and recomputes every hash after it: the chain holds, the sealed root does not."""
    entries, batches, _ = ledger
    tampered = entries[: k - 1]
    for entry in entries[k - 1 :]:
        prev_hash = tampered[-1].entry_hash if tampered else "0" * 64
        tampered.append(rehashed(entry, prev_hash=prev_hash, size=entry.size + (entry.seq == k)))
    assert check(tampered).ok
    assert_break(check(tampered, batches), find_batch(batches, k).first_seq, Reason.BATCH_ROOT_MISMATCH)


@pytest.mark.parametrize("k", POSITIONS)
def test_deleted_row_is_located(ledger, k):
    entries, batches, store = ledger
    tampered = entries[: k - 1] + entries[k:]
    report = check(tampered, batches, store)
    assert_break(report, k, Reason.SEQUENCE_GAP)
    assert f"序号 {k} " in report.first_break.message and report.checked == k - 1


def test_deleted_run_of_rows_is_named(ledger):
    entries, _, _ = ledger
    report = check(entries[:20] + entries[25:])
    assert_break(report, 21, Reason.SEQUENCE_GAP)
    assert "21–25" in report.first_break.message


def test_deleted_tail_is_caught_by_the_batches_or_the_head(ledger):
    entries, batches, _ = ledger
    assert_break(check(entries[:-3], batches), N - 2, Reason.LEDGER_TRUNCATED)
    head = (N, entries[-1].entry_hash)
    assert_break(check(entries[:-3], batches[:-1], head=head), N - 2, Reason.LEDGER_TRUNCATED)
    assert check(entries[:-3], batches[:-1]).ok  # without a head, an unsealed cut-off tail cannot be seen


def test_head_that_does_not_match_the_last_row(ledger):
    entries, _, _ = ledger
    assert_break(check(entries, head=(N, "f" * 64)), N, Reason.HEAD_MISMATCH)


@pytest.mark.parametrize("k", POSITIONS)
def test_swapped_rows_are_located(ledger, k):
    entries, batches, store = ledger
    tampered = list(entries)
    tampered[k - 1], tampered[k] = tampered[k], tampered[k - 1]
    report = check(tampered, batches, store)
    assert_break(report, k, Reason.OUT_OF_ORDER)
    assert report.first_break.item_id == entries[k - 1].item_id


@pytest.mark.parametrize("k", POSITIONS)
def test_rows_with_swapped_contents_are_located(ledger, k):
    """Like swapping two database rows' columns while each keeps its primary key (seq)."""
    entries, batches, store = ledger
    tampered = list(entries)
    tampered[k - 1] = dataclasses.replace(entries[k], seq=k)
    tampered[k] = dataclasses.replace(entries[k - 1], seq=k + 1)
    assert_break(check(tampered, batches, store), k, Reason.OUT_OF_ORDER)


def test_row_moved_far_and_duplicated_rows(ledger):
    entries, _, _ = ledger
    moved = [*entries[:4], *entries[5:40], entries[4], *entries[40:]]
    assert_break(check(moved), 5, Reason.OUT_OF_ORDER)
    duplicated = [*entries[:8], entries[7], *entries[8:]]
    assert_break(check(duplicated), 9, Reason.OUT_OF_ORDER)


def _writable(path) -> None:
    os.chmod(path, 0o644)


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("k", POSITIONS)
def test_altered_blob_is_located(fresh, k, workers):
    entries, batches, store = fresh
    path = store.path_of(entries[k - 1].sha256)
    _writable(path)
    path.write_bytes(path.read_bytes()[:-1] + b"#")
    report = check(entries, batches, store, workers=workers)
    assert_break(report, k, Reason.BLOB_ALTERED)
    assert report.first_break.item_id == entries[k - 1].item_id
    assert check(entries, batches).ok  # the chain alone still holds: only re-hashing the files finds this


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("k", POSITIONS)
def test_deleted_blob_is_located(fresh, k, workers):
    entries, batches, store = fresh
    store.delete(entries[k - 1].sha256)
    assert_break(check(entries, batches, store, workers=workers), k, Reason.BLOB_MISSING)


def test_first_of_several_breaks_is_reported_whatever_the_threads(fresh):
    entries, batches, store = fresh
    for k in (50, 12, 33):
        _writable(store.path_of(entries[k - 1].sha256))
        store.path_of(entries[k - 1].sha256).write_bytes(b"x")
    for workers in (1, 2, 8):
        assert_break(check(entries, batches, store, workers=workers, window=64), 12, Reason.BLOB_ALTERED)
    tampered = list(entries)
    tampered[5] = dataclasses.replace(entries[5], size=0)
    assert_break(check(tampered, batches, store, workers=4), 6, Reason.ENTRY_ALTERED)


@pytest.mark.parametrize("b", range(N // BATCH))
def test_altered_batch_root_is_located(ledger, b):
    entries, batches, store = ledger
    tampered = list(batches)
    tampered[b] = dataclasses.replace(batches[b], root="0" * 64)
    assert_break(check(entries, tampered, store), batches[b].first_seq, Reason.BATCH_ROOT_MISMATCH)


@pytest.mark.parametrize(
    ("change", "at"),
    [
        (lambda bs: bs[:2] + bs[3:], 21),  # a batch row deleted
        (lambda bs: [bs[1], bs[0], *bs[2:]], 1),  # batch rows reordered
        (lambda bs: [*bs[:2], dataclasses.replace(bs[2], size=9), *bs[3:]], 21),
        (lambda bs: [*bs[:2], dataclasses.replace(bs[2], prev_batch_root="1" * 64), *bs[3:]], 21),
    ],
)
def test_broken_batch_list_is_located(ledger, change, at):
    entries, batches, _ = ledger
    assert_break(check(entries, change(batches)), at, Reason.BATCH_INVALID)


@pytest.mark.parametrize("workers", [1, 2])
def test_entries_are_streamed_and_reading_stops_at_the_break(ledger, workers):
    entries, batches, store = ledger
    tampered = list(entries)
    tampered[2] = dataclasses.replace(entries[2], size=0)
    seen: list[int] = []

    def stream() -> Iterator:
        for e in tampered:
            seen.append(e.seq)
            yield e

    report = verify_chain(stream(), batches=batches, blob_digests=store.digests, workers=workers, window=1)
    assert_break(report, 3, Reason.ENTRY_ALTERED)
    # Stopped at the break: one entry read ahead for the swap check, or one chunk of hashing tasks with threads.
    assert len(seen) <= (4 if workers == 1 else 64)


def test_single_item_verification(ledger):
    entries, batches, store = ledger
    entry = entries[36]
    batch = find_batch(batches, entry.seq)
    proof = item_proof(batch, entries[batch.first_seq - 1 : batch.last_seq], entry.seq)
    good = verify_item(entry, prev=entries[35], blob_digests=store.digests, proof=proof, batch=batch)
    assert good.ok and good.checked == 1 and good.blobs_checked == 1
    assert proof.to_dict()["tree"] == "rfc6962-sha256"

    def verdict(**kw):
        report = verify_item(**{"entry": entry, "blob_digests": store.digests, "proof": proof, "batch": batch, **kw})
        return report.first_break.reason if report.first_break else None

    assert verdict(entry=dataclasses.replace(entry, size=3)) == Reason.ENTRY_ALTERED
    assert verdict(prev=entries[34]) == Reason.CHAIN_BROKEN
    assert verdict(proof=dataclasses.replace(proof, path=proof.path[:-1])) == Reason.PROOF_INVALID
    assert verdict(proof=dataclasses.replace(proof, index=proof.index + 1)) == Reason.PROOF_INVALID
    assert verdict(batch=dataclasses.replace(batch, root="0" * 64)) == Reason.PROOF_INVALID
    assert verdict(proof=None) == Reason.PROOF_INVALID
    assert verdict(blob_digests=lambda sha: None) == Reason.BLOB_MISSING
    other_entry_proof = item_proof(batch, entries[batch.first_seq - 1 : batch.last_seq], entry.seq + 1)
    assert verdict(proof=other_entry_proof) == Reason.PROOF_INVALID


@pytest.mark.parametrize("workers", [1, 3])
def test_row_naming_a_bad_file_address_is_reported_not_raised(ledger, workers):
    entries, batches, store = ledger
    tampered = list(entries)
    tampered[20] = dataclasses.replace(entries[20], sha256="../../../etc/passwd")
    assert_break(check(tampered, batches, store, workers=workers), 21, Reason.ENTRY_ALTERED)


@pytest.mark.parametrize("workers", [1, 3])
def test_storage_errors_propagate(ledger, workers):
    entries, _, _ = ledger

    def unreadable(sha256):
        raise PermissionError("证据目录无读权限")

    with pytest.raises(PermissionError):
        verify_chain(entries, blob_digests=unreadable, workers=workers)
