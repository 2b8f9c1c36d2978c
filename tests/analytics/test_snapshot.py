"""The snapshot job: a full run, then an incremental one that exports only the months with changes and links the
rest (rollups included); the figures stay equal to the lists'."""

from __future__ import annotations

import fcntl
import shutil
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from analytics.test_cube import check_sums
from chengguan.analytics import rollups, snapshot
from chengguan.core.db import Database


def test_incremental_snapshot_links_clean_months(db: Database, data_dir: Path, client: TestClient,
                                                 admin: dict[str, str], span: dict[str, str],
                                                 snapshot_taken: snapshot.Manifest, monkeypatch) -> None:  # fmt: skip
    # No overlap: the demo copy may be younger than the two minutes a run looks back for late commits, which would
    # make every month dirty and prove nothing about linking.
    monkeypatch.setattr(snapshot, "OVERLAP", timedelta(0))
    root = snapshot.root_of(data_dir)
    first = snapshot_taken.path(root)
    assert all((first / rollups.FOLDER / dim / "schema.parquet").is_file() for dim in rollups.KEYS)
    months = sorted(p.name for p in (first / "sources").iterdir() if p.is_dir())
    assert months
    with db.session(write=False) as session:
        second = snapshot.take(session, data_dir)
    assert second is not None and second.generation != snapshot_taken.generation
    assert second.full_at == snapshot_taken.full_at and second.rows == snapshot_taken.rows
    again = second.path(root)
    linked = [p for p in (again / "sources").rglob("*.parquet") if p.name != "schema.parquet" and p.stat().st_nlink > 1]
    assert linked, "unchanged months are hard-linked, not exported again"
    check_sums(client, admin, span, "snapshot")
    status = client.get("/api/v1/analytics/snapshot", headers=admin).json()
    assert status["exists"] and status["rows"] == second.rows


def test_a_second_writer_steps_aside(db: Database, data_dir: Path) -> None:
    root = snapshot.root_of(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with open(root / ".lock", "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            with db.session(write=False) as session:
                assert snapshot.take(session, data_dir) is None
    finally:
        shutil.rmtree(root, ignore_errors=True)
