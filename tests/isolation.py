"""Every test in a transaction of its own, rolled back after it.

The session's demo database is bound to one connection (``Database.bind``): every session the app or a test opens
is a savepoint inside that connection's transaction, so the code's own ``commit()`` only releases a savepoint, and
the transaction is rolled back when the test ends. A test that needs real commits — threads or processes working
at once, another engine on the same database, a live server, background jobs — is marked ``@pytest.mark.commits``
and gets a private copy of the demo database instead. A real commit to the shared database fails the test that
made it (without the marker, it would leak into every test after it).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, Connection

from chengguan.app import create_app
from chengguan.core.config import Settings
from chengguan.core.db import Database

COMMITS = "commits"
PROJECT, VENV = str(Path(__file__).resolve().parents[1]) + "/", "/.venv/"
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class World:
    """What a test talks to: the settings, the database, the app on it and a client of the app."""

    settings: Settings
    db: Database
    app: FastAPI
    client: TestClient


def open_world(url: str, data_dir: Path) -> World:
    settings = Settings(env="test", database_url=url, data_dir=data_dir, secret_key="test-secret-" + "x" * 32)
    db = Database(url)
    app = create_app(settings, db)
    return World(settings, db, app, TestClient(app, raise_server_exceptions=False))


def forget_caches() -> None:
    """What this process remembers of the database beyond a transaction (the demo loader forgets the same after it
    wipes the tables): rows that were rolled back, or that are another database's, must not answer a later test."""
    from chengguan.dispatching import live
    from chengguan.intake.ingest import cache as dedup_cache
    from chengguan.law import recommend
    from chengguan.org.grids import grid_locator

    dedup_cache.reset()
    live.reset_all()
    grid_locator.invalidate()
    recommend._CACHE.clear()  # keyed by counts and times of the matters, which a rollback can bring back


class RolledBack:
    """The shared database of a test session: one connection, always inside the current test's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = db.engine.url
        self.connection: Connection = db.engine.connect()
        self.commits: list[str] = []
        self.wrote = False
        event.listen(Engine, "commit", self._committed)
        event.listen(db.engine, "before_cursor_execute", self._statement)
        db.bind(self.connection)
        self.transaction = self.connection.begin()

    def _committed(self, connection: Connection) -> None:
        if _database(connection.engine.url) != _database(self.url):
            return  # another database: a private copy, a template being built
        ours = [f for f in traceback.extract_stack()[:-1] if f.filename.startswith(PROJECT) and VENV not in f.filename]
        self.commits.append("".join(traceback.format_list(ours[-6:])))

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not self.wrote and statement.lstrip()[:6].upper() in WRITES:
            self.wrote = True

    def end_test(self) -> list[str]:
        """Roll the test's transaction back and begin the next one; the commits that escaped it, if any."""
        if self.transaction.is_active:
            self.transaction.rollback()
        elif self.connection.in_transaction():
            self.connection.rollback()
        if self.wrote:
            forget_caches()
            self.wrote = False
        self.transaction = self.connection.begin()
        commits, self.commits = self.commits, []
        return commits

    def close(self) -> None:
        event.remove(Engine, "commit", self._committed)
        event.remove(self.db.engine, "before_cursor_execute", self._statement)
        self.transaction.rollback()
        self.connection.close()


def commit_refusal(test: str, commits: list[str]) -> str:
    return (
        f"{test} committed to the shared test database, whose every test is rolled back: mark it "
        f"@pytest.mark.{COMMITS} to run it on a private copy of the demo database (or keep its work inside the "
        f"app's and the test's sessions). The commit came from:\n{commits[0]}"
    )


def _database(url: URL) -> tuple[Any, ...]:
    return url.get_backend_name(), url.host, url.port, url.database
