"""Database plumbing: engine per URL, one unit of work per request, typed declarative base."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from fastapi import Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from chengguan.core import bus, clock, versions
from chengguan.core.errors import DomainError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on both databases (SQLite has no zone, so we store UTC and re-attach it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: every time is timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else clock.as_utc(value)


class Base(DeclarativeBase):
    """Declarative base with the explicit constraint naming convention (stable Alembic diffs)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGIN control."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=40)
    writer_lock = threading.Lock()
    holders: set[int] = set()  # id() of the pool records whose connection holds writer_lock

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Take over BEGIN from pysqlite so write transactions can start IMMEDIATE (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Index pages of the busy tables stay in SQLite's own cache (default 2 MiB) instead of being re-read from
        # the OS on every batch; the WAL is copied back every ~40 MiB, not every 4 MiB, so a page rewritten by many
        # commits is checkpointed once (bench/intake.py: the checkpoints were a third of the commit time).
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # A deferred transaction that reads first and writes later fails with SQLITE_BUSY_SNAPSHOT when another
        # writer committed in between, and busy_timeout cannot help; writers therefore take the lock up front.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        if immediate:
            _take_writer_lock(writer_lock, holders, id(conn.connection._connection_record))
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "checkin")
    def _sqlite_checkin(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool means COMMIT or ROLLBACK has returned (and the session's after_commit hooks have run).
        if record is not None and id(record) in holders:
            holders.discard(id(record))
            writer_lock.release()

    return engine


SQLITE_CACHE_KIB = 65536
SQLITE_CHECKPOINT_PAGES = 10000


def _take_writer_lock(lock: threading.Lock, holders: set[int], record: int) -> None:
    """One SQLite writer of this process at a time, the others queued on a lock instead of busy_timeout's polling.

    SQLite's busy handler sleeps in growing steps (up to 100 ms) and retries, so under contention a waiting writer
    wakes long after the lock was freed, or never wins it (writers starved for seconds). Queued here they start
    the moment the previous transaction's connection is back in the pool. Other processes still meet at SQLite's
    own lock (busy_timeout). A connection that already holds the lock (a second transaction on it) keeps it.
    """
    if record in holders:
        return
    if not lock.acquire(timeout=30):
        raise sqlite3.OperationalError("database is locked")
    holders.add(record)


class Database:
    """The engine and session factories of one process (``app.state.db``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # Wake-ups between processes (core.bus): Redis when CHENGGUAN_REDIS_URL names one (read from the
        # environment, not the settings: a Database is also made by commands and tests that pass only a URL).
        self.bus: bus.Bus | None = bus.for_url(url)
        self._closers: list[Callable[[], None]] = []
        if inspect(self.engine).has_table("counter"):  # a database not migrated yet has nothing to version
            versions.track(self.engine, self.bus)  # type: ignore[arg-type]
        self.dialect = self.engine.dialect.name
        writer = self.engine.execution_options(sqlite_immediate=True) if self.dialect == "sqlite" else self.engine
        self.read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(bind=writer, expire_on_commit=False)
        self.bound: Connection | None = None

    def session(self, *, write: bool = True) -> Session:
        return (self.write_sessions if write else self.read_sessions)()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection for a statement without an ORM session (its work is rolled back unless committed)."""
        if self.bound is None:
            with self.engine.connect() as connection:
                yield connection
            return
        savepoint = self.bound.begin_nested()
        try:
            yield self.bound
        finally:
            if savepoint.is_active:
                savepoint.rollback()

    def bind(self, connection: Connection) -> None:
        """Tests: every session and plain connection of this database works inside ``connection``'s transaction, a
        session's commit only releasing a savepoint, so that the test can roll all of it back (tests/isolation.py)."""
        self.bound = connection
        self.read_sessions = self.write_sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def on_dispose(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when this database is disposed (a cache's follower thread stops with it)."""
        self._closers.append(callback)

    def dispose(self) -> None:
        for callback in self._closers:
            callback()
        self._closers.clear()
        if self.bus is not None:
            bus.release(self.bus)
            self.bus = None
        self.engine.dispose()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commit on success, roll back on any error. Services only flush.

    Asynchronous, so that opening the session (no I/O until the first statement) and ending a read cost no
    thread-pool hop: a read's COMMIT ends a read-only transaction (SQLite: no I/O; PostgreSQL: one local round
    trip, the GIL released while it waits). A write's COMMIT (WAL flush, fsync) runs in the thread pool."""
    db: Database = request.app.state.db
    write = request.method not in SAFE_METHODS
    session = db.session(write=write)

    async def end(commit: bool) -> None:
        if not session.in_transaction():
            return
        action = session.commit if commit else session.rollback
        if write or versions.wrote(session.connection()):  # a read that wrote (an audit entry) may wait on a lock
            await run_in_threadpool(action)
        else:
            action()

    try:
        yield session
        await end(commit=True)
    except DomainError as exc:
        # Some refusals must still be remembered (a failed login counts towards lockout).
        await end(commit=exc.keep_writes)
        raise
    except BaseException:
        await end(commit=False)
        raise
    finally:
        session.close()
