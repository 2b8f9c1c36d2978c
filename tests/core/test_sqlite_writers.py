"""SQLite writers of one process queue on a lock instead of polling SQLite's busy handler (core/db.py)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from chengguan.core.db import Database

pytestmark = pytest.mark.commits  # writers in threads, each committing


@pytest.fixture
def sqlite_db(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with db.session() as s, s.begin():
        s.execute(text("CREATE TABLE t (n INTEGER NOT NULL, at REAL NOT NULL)"))
    yield db
    db.dispose()


def test_pragmas_of_every_connection(sqlite_db):
    with sqlite_db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA cache_size").scalar() == -65536
        assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_concurrent_writers_all_commit_one_at_a_time(sqlite_db):
    """16 threads × 20 transactions that each hold the lock for a while: every row lands, none waits on busy polls,
    and no two transactions overlap (each reads the count it then writes)."""
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(20):
                with sqlite_db.session() as s, s.begin():
                    n = s.execute(text("SELECT count(*) FROM t")).scalar()
                    time.sleep(0.001)
                    s.execute(text("INSERT INTO t (n, at) VALUES (:n, :at)"), {"n": n, "at": time.monotonic()})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sqlite_db.session(write=False) as s:
        ns = [n for (n,) in s.execute(text("SELECT n FROM t ORDER BY at"))]
    assert ns == list(range(320))  # serialised: each transaction saw all the earlier ones


def test_lock_is_released_after_rollback_and_errors(sqlite_db):
    with pytest.raises(RuntimeError), sqlite_db.session() as s, s.begin():
        s.execute(text("INSERT INTO t (n, at) VALUES (1, 0)"))
        raise RuntimeError("boom")
    with pytest.raises(Exception), sqlite_db.session() as s, s.begin():  # noqa: B017 - any driver error
        s.execute(text("INSERT INTO t (n) VALUES (1)"))  # NOT NULL violated
    done = threading.Event()

    def other_thread_writes() -> None:
        with sqlite_db.session() as s, s.begin():
            s.execute(text("INSERT INTO t (n, at) VALUES (2, 0)"))
        done.set()

    threading.Thread(target=other_thread_writes).start()
    assert done.wait(5), "the writer lock was not released"
    with sqlite_db.session(write=False) as s:
        assert s.execute(text("SELECT n FROM t")).scalars().all() == [2]


def test_read_sessions_do_not_wait_for_a_writer(sqlite_db):
    with sqlite_db.session() as w, w.begin():
        w.execute(text("INSERT INTO t (n, at) VALUES (1, 0)"))
        started = time.monotonic()
        with sqlite_db.session(write=False) as r:
            assert r.execute(text("SELECT count(*) FROM t")).scalar() == 0  # WAL: the committed state
        assert time.monotonic() - started < 1.0


def test_second_transaction_on_one_connection_keeps_the_lock(sqlite_db):
    writer = sqlite_db.engine.execution_options(sqlite_immediate=True)
    with writer.connect() as c:
        with c.begin():
            c.execute(text("INSERT INTO t (n, at) VALUES (1, 0)"))
        with c.begin():  # would wait forever if the lock were taken again
            c.execute(text("INSERT INTO t (n, at) VALUES (2, 0)"))
    with sqlite_db.session() as s, s.begin():  # and it is free once the connection is back in the pool
        assert s.execute(text("SELECT count(*) FROM t")).scalar() == 2
