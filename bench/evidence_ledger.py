"""Benchmark full verification of the evidence ledger: chain, batch roots and every file re-hashed from disk.

Builds ``--items`` (default 100,000) ledger entries whose files (random, 1–4 KB each) go into a temporary
LocalBlobStore, sealing a batch every ``--batch`` (1,000) entries; then times ``verify_chain`` over the entries
in memory: the chain alone, chain + batch roots, and chain + roots + files (SHA-256, SM3 and size recomputed
from each file) with 1 and ``--workers`` hashing threads. Then one tampered file near the end is planted and the
break located. Target (issue brief): the full verification of 100,000 items in ≤ 10 s. The files were just
written, so they are read from the page cache: a cold disk adds its read time. Run:
    .venv/bin/python bench/evidence_ledger.py [--items 100000] [--batch 1000] [--workers 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chengguan.evidence.batches import Batch, seal_batch
from chengguan.evidence.ledger import Entry, append, make_payload
from chengguan.evidence.store import LocalBlobStore
from chengguan.evidence.verify import VerifyReport, verify_chain

TARGET_S = 10.0
T0 = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("photo", "video", "audio", "file")


def build(n: int, batch_size: int, store: LocalBlobStore, seed: int) -> tuple[list[Entry], list[Batch], int]:
    """n entries with their files stored, batches sealed every batch_size; returns the bytes stored too."""
    rnd = random.Random(seed)
    entries: list[Entry] = []
    batches: list[Batch] = []
    prev, stored = None, 0
    for i in range(1, n + 1):
        digests = store.put(rnd.randbytes(rnd.randint(1024, 4096)))
        stored += digests.size
        at = T0 + timedelta(seconds=i)
        payload = make_payload(
            f"EV{i:010d}", digests, kind=KINDS[i % 4], captured_at=at, meta={"case_no": f"青城管罚〔2026〕{i}号"}
        )
        prev = append(prev, payload, recorded_at=at + timedelta(seconds=1))
        entries.append(prev)
        if i % batch_size == 0:
            batches.append(seal_batch(entries[-batch_size:], prev=batches[-1] if batches else None, sealed_at=at))
    return entries, batches, stored


def timed(label: str, n: int, run) -> VerifyReport:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - t
    brk = report.first_break
    verdict = f"ok, {report.checked:,} checked" if brk is None else f"BREAK at seq {brk.seq}: {brk.reason}"
    per_100k = seconds * 100_000 / n
    verdict_100k = "met" if per_100k <= TARGET_S else "MISSED"
    target = f" ({per_100k:.1f} s per 100,000: target ≤ {TARGET_S:.0f} s {verdict_100k})" if "files" in label else ""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{label:<48} {seconds:7.2f} s  {n / seconds:>10,.0f} items/s  load={load:.1f}  {verdict}{target}")
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1_000)
    ap.add_argument("--workers", type=int, default=4, help="hashing threads for the file pass")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="build the store in this directory and leave it there")
    args = ap.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    try:
        # Not durable: a benchmark's files need no fsync, and 100,000 fsyncs would time the disk, not the code.
        store = LocalBlobStore(root, durable=False)
        t = time.perf_counter()
        entries, batches, stored = build(args.items, args.batch, store, args.seed)
        build_s = time.perf_counter() - t
        print(
            f"cpus={os.cpu_count()} items={len(entries):,} batches={len(batches):,} files={stored / 2**20:,.0f} MiB "
            f"built in {build_s:.1f} s ({len(entries) / build_s:,.0f} appends+puts/s)"
        )

        n = len(entries)
        timed("chain", n, lambda: verify_chain(entries))
        timed("chain + batch roots", n, lambda: verify_chain(entries, batches=batches))
        # Each file pass twice, alternating: the first read of freshly written files is the slowest, and a shared
        # machine's load moves between runs (shown as the load average).
        for run in (1, 2):
            for workers in sorted({1, args.workers}):
                timed(
                    f"chain + batch roots + files, {workers} thread(s) #{run}",
                    n,
                    lambda w=workers: verify_chain(entries, batches=batches, blob_digests=store.digests, workers=w),
                )

        victim = entries[int(n * 0.9)]
        path = store.path_of(victim.sha256)
        os.chmod(path, 0o644)
        path.write_bytes(path.read_bytes()[:-1] + b"\x00")
        label = f"tampered file at seq {victim.seq:,}, {args.workers} thread(s)"
        report = timed(
            label,
            victim.seq,
            lambda: verify_chain(entries, batches=batches, blob_digests=store.digests, workers=args.workers),
        )
        brk = report.first_break
        print(f"located: seq={brk.seq} item={brk.item_id} reason={brk.reason} — {brk.message}" if brk else "NOT FOUND")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
