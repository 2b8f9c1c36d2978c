"""The test harness's isolation (tests/isolation.py): work through the app's sessions is rolled back after a test,
and a real commit to the shared database is caught and named, so a test cannot leak rows into the tests after it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from chengguan.calendar.models import CalendarOverride
from chengguan.core.db import Database
from isolation import COMMITS, RolledBack, commit_refusal
from support import drop_database, migrated_database

pytestmark = pytest.mark.commits  # it builds a shared database of its own and commits to it on purpose


@pytest.fixture
def shared(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = migrated_database(tmp_path)
    db = Database(url)
    harness = RolledBack(db)
    yield db, harness
    harness.close()
    db.dispose()
    drop_database(url)


def holidays(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM calendar_override")).scalar_one())


def add_holiday(connection, day: date) -> None:  # type: ignore[no-untyped-def]
    connection.execute(insert(CalendarOverride).values(day=day, working=False, name="测试"))


def test_a_session_commit_stays_inside_the_test_and_is_rolled_back(shared) -> None:  # type: ignore[no-untyped-def]
    db, harness = shared
    with db.session() as session:
        add_holiday(session.connection(), date(2026, 10, 9))
        session.commit()  # only releases a savepoint of the test's transaction
    assert harness.end_test() == []
    assert holidays(db) == 0


def test_a_real_commit_without_the_marker_is_caught_and_named(shared) -> None:  # type: ignore[no-untyped-def]
    db, harness = shared
    with db.engine.connect() as connection:  # a connection of its own: its commit escapes the rollback
        add_holiday(connection, date(2026, 10, 10))
        connection.commit()
    commits = harness.end_test()
    assert len(commits) == 1 and "test_isolation_guard.py" in commits[0]
    message = commit_refusal("tests/x.py::test_y", commits)
    assert "tests/x.py::test_y committed to the shared test database" in message
    assert f"@pytest.mark.{COMMITS}" in message
