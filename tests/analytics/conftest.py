"""Analytics fixtures: a window covering the demo city, and a snapshot of it taken for the test and removed after."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from chengguan.analytics import snapshot
from chengguan.cases.facts import today
from chengguan.core.db import Database


@pytest.fixture
def span() -> dict[str, str]:
    """Four years to today: all of the demo city (it is dated back from the day it was loaded)."""
    end = today()
    return {"from": (end - timedelta(days=4 * 365)).isoformat(), "to": end.isoformat()}


@pytest.fixture
def snapshot_taken(db: Database, data_dir: Path) -> Iterator[snapshot.Manifest]:
    """A full snapshot of the test's database in the data dir (removed after the test)."""
    with db.session(write=False) as session:
        manifest = snapshot.take(session, data_dir, full=True)
    assert manifest is not None
    yield manifest
    shutil.rmtree(snapshot.root_of(data_dir), ignore_errors=True)


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


def iso(d: date) -> str:
    return d.isoformat()
