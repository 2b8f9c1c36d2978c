"""Benchmark the full verification of the evidence ledger as the platform runs it: from the database and the store.

A freshly migrated demo database (temporary SQLite file, or a throwaway schema of ``--database-url``; the demo's own
~1,100 photos included) gets ``--items`` (default 100,000) more evidence records on the demo's cases, officers and
users, with their ledger entries chained on from the demo's head, sealed batches of ``--batch`` (64, the platform's
default) and the head, inserted in bulk; each item's file (random, 1–4 KB) goes into the data directory's store.
Then ``evidence.ledger_check.verify_ledger`` — what ``chengguan verify-evidence`` and ``GET /api/v1/evidence/verify``
call — is timed: rows only (entries keyset-paged, chain, batch roots, head), rows + evidence records (each record's
digests, capture time and metadata digest against its entry), and the full check with every file re-hashed (SHA-256
+ SM3) over ``--workers`` threads, twice — each in one process, then split over ``--processes`` (default: one per
core; the platform's default for a ledger of 20,000 entries or more). Finally one evidence record is edited in the
database and the break located. Target (issue brief): 100,000 items fully verified in ≤ 10 s. Files were just
written, so they are read from the page cache. Run:
    .venv/bin/python bench/evidence_verify_db.py [--items 100000] [--batch 64] [--workers 4]
    .venv/bin/python bench/evidence_verify_db.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import insert, select, update

from chengguan.cases.models import Case
from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.demo.loader import load_demo
from chengguan.evidence import ledger_check, ledger_db, ledger_parts
from chengguan.evidence.batches import Batch, seal_batch
from chengguan.evidence.ledger import append, make_payload
from chengguan.evidence.models import EvidenceItem, LedgerBatchRow, LedgerEntryRow, LedgerHead
from chengguan.evidence.store import LocalBlobStore
from chengguan.identity.models import User
from chengguan.org.models import Officer
from support import drop_database, new_database_url

TARGET_S = 10.0
T0 = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("photo", "video", "audio", "file")
MIMES = {"photo": "image/jpeg", "video": "video/mp4", "audio": "audio/mpeg", "file": "application/pdf"}
CHUNK = 5_000


def build(db: Database, store: LocalBlobStore, n: int, batch_size: int, seed: int) -> int:
    """n items on the demo's cases, entries chained on from the demo's head, batches and the new head, inserted in
    chunks; returns the bytes stored."""
    rnd = random.Random(seed)
    with db.session() as session, session.begin():
        head = session.get(LedgerHead, 1)
        prev = ledger_db.entry_at(session, head.seq)
        rows = ledger_db.batches(session)
        prev_batch = rows[-1] if rows else None
        assert head.sealed_seq == (prev_batch.last_seq if prev_batch else 0), "the demo leaves its ledger sealed"
        cases = session.execute(select(Case.id, Case.address)).all()
        officers = session.scalars(select(Officer.id)).all()
        users = session.execute(select(User.id, User.display_name)).all()
        stored, pending = 0, []
        items, entries, batches = [], [], []
        for i in range(1, n + 1):
            digests = store.put(rnd.randbytes(rnd.randint(1024, 4096)))
            stored += digests.size
            kind = KINDS[i % 4]
            captured = T0 + timedelta(seconds=i)
            case_id, address = rnd.choice(cases)
            user_id, user_name = rnd.choice(users)
            item = {
                "id": uuid.UUID(int=rnd.getrandbits(128), version=4),
                "case_id": case_id,
                "source_id": None,
                "kind": kind,
                "origin": "officer",
                "title": f"现场照片 {i}",
                "description": "店外占道经营，经劝导未改正" if i % 3 == 0 else None,
                "filename": f"IMG_{i:06d}.jpg",
                "mime": MIMES[kind],
                "sha256": digests.sha256,
                "sm3": digests.sm3,
                "size": digests.size,
                "captured_at": captured,
                "lng": round(120.3 + rnd.random() / 10, 7),
                "lat": round(36.0 + rnd.random() / 10, 7),
                "address": address,
                "device": "DV-370202003-01",
                "officer_id": rnd.choice(officers),
                "uploaded_by_id": user_id,
                "uploaded_by_name": user_name,
                "review_status": "not_required",
                "created_at": captured,
                "updated_at": captured,
            }
            item["meta"] = ledger_db.item_meta(item)
            payload = make_payload(str(item["id"]), digests, kind=kind, captured_at=captured, meta=item["meta"])
            prev = append(prev, payload, recorded_at=captured + timedelta(seconds=1))
            item["ledger_seq"] = prev.seq
            items.append(item)
            entries.append(prev.to_dict())
            pending.append(prev)
            if len(pending) == batch_size:
                prev_batch = seal_batch(pending, prev=prev_batch, sealed_at=captured)
                batches.append({**prev_batch.to_dict(), "anchor_receipt": None})
                pending = []
            if i % CHUNK == 0 or i == n:
                session.execute(insert(LedgerEntryRow), entries)
                session.execute(insert(EvidenceItem), items)
                if batches:
                    session.execute(insert(LedgerBatchRow), batches)
                items, entries, batches = [], [], []
        sealed = prev_batch.last_seq if isinstance(prev_batch, Batch) else 0
        session.execute(update(LedgerHead).values(seq=prev.seq, hash=prev.entry_hash, sealed_seq=sealed))
    return stored


def timed(db: Database, label: str, n: int, **kw) -> ledger_check.LedgerCheck:  # type: ignore[no-untyped-def]
    with db.session(write=False) as session:
        t = time.perf_counter()
        check = ledger_check.verify_ledger(session, **kw)
        seconds = time.perf_counter() - t
    report, brk = check.report, check.report.first_break
    verdict = f"ok, {report.checked:,} checked" if brk is None else f"BREAK at seq {brk.seq}: {brk.reason}"
    per_100k = seconds * 100_000 / n
    target = f" ({per_100k:.1f} s per 100,000: target ≤ {TARGET_S:.0f} s {'met' if per_100k <= TARGET_S else 'MISSED'})"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    files = "files" in label
    shown = target if files else ""
    print(f"{label:<52} {seconds:7.2f} s  {n / seconds:>9,.0f} items/s  load={load:.1f}  {verdict}{shown}")
    return check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--processes", type=int, default=None, help="parts walked side by side (default: one per core)")
    ap.add_argument("--database-url", default=None, help="PostgreSQL base URL (a throwaway schema is created)")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="evidence-db-bench-"))
    if args.database_url:
        os.environ["CHENGGUAN_TEST_DATABASE_URL"] = args.database_url
    url = new_database_url(root)
    try:
        upgrade(url)
        db = Database(url)
        t = time.perf_counter()
        load_demo(db, data_dir=root / "data", documents=False)
        demo_s = time.perf_counter() - t
        store = LocalBlobStore(root / "data" / "blobs", durable=False)
        t = time.perf_counter()
        stored = build(db, store, args.items, args.batch, args.seed)
        with db.session(write=False) as session:
            n = session.get(LedgerHead, 1).seq
        print(
            f"cpus={os.cpu_count()} db={db.dialect} items={n:,} ({args.items:,} + the demo's) batch={args.batch} "
            f"files={stored / 2**20:,.0f} MiB; demo loaded in {demo_s:.1f} s, items in {time.perf_counter() - t:.1f} s"
        )
        parts = args.processes or ledger_parts.processes_for_count()
        for procs in (1, parts):
            how = "1 process" if procs == 1 else f"{procs} processes"
            timed(db, f"rows: chain + batch roots + head, {how}", n, store=None, check_items=False, processes=procs)
            timed(db, f"rows + evidence records, {how}", n, store=None, processes=procs)
            for run in (1, 2):
                timed(db, f"full: + files, {how} x {args.workers // procs} threads #{run}", n, store=store,
                      workers=args.workers, processes=procs)  # fmt: skip

        victim = int(n * 0.9)  # a seq among the bench's items
        with db.session() as session, session.begin():
            session.execute(update(EvidenceItem).where(EvidenceItem.ledger_seq == victim).values(address="别处"))
        check = timed(db, f"edited record at seq {victim:,}, files", victim, store=store, workers=args.workers,
                      processes=parts)  # fmt: skip
        brk = check.report.first_break
        print(f"located: seq={brk.seq} item={brk.item_id} reason={brk.reason} — {brk.message}" if brk else "NOT FOUND")
        db.dispose()
    finally:
        drop_database(url)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
