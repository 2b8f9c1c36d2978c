"""Resolved staff principals per bearer token, kept in this process for the current authorisation epoch.

Resolving a token is four queries (token, account, grants, custom units); officers send dozens of reads a minute
with the same token. A cached entry answers without the database while all of these hold:

* the epoch it was resolved in is the one this process last read, and that read is at most ``MAX_LAG_S`` old —
  identity.epoch changes the epoch with every change of an account, role, grant, revoked token, unit or officer
  card, so a revocation or a withdrawn role ends the cached copy on every worker within the follower's interval
  (``FOLLOW_EVERY_S``; at once in the process that made the change, and in the others as soon as core.bus wakes
  their follower). A follower that cannot read the epoch (the
  database away) stops vouching after ``MAX_LAG_S`` and every request goes to the database again;
* the token is not expired, and not idle by the last use this process knows of;
* that last use is under ``auth.TOUCH_EVERY`` old: then the request takes the database path, which re-checks the
  token and records the use.

Recording a use (``last_used_at``, the idle clock) is queued and written by the follower thread within a second,
outside any request: a read then never waits for SQLite's write lock, and a write request never holds two.

The cache is off for a database bound to one connection (tests rolled back per test: no other process, and a
rollback would bring back an epoch a cached entry was made in)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update

from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.principals import StaffPrincipal
from chengguan.identity import epoch
from chengguan.identity.models import AuthToken

log = logging.getLogger(__name__)

FOLLOW_EVERY_S = 0.2
MAX_LAG_S = 1.0
MAX_ENTRIES = 20_000  # tokens live in one process at once; past this the cache starts over (a burst of logins)
TOUCH_EVERY = timedelta(seconds=60)  # as auth.TOUCH_EVERY: last_used_at precision for a 30-minute idle timeout


@dataclass
class Entry:
    """One token's resolved principal (without the caller's address) and what its checks need."""

    principal: StaffPrincipal
    token_id: uuid.UUID
    expires_at: datetime
    last_used_at: datetime
    epoch: int
    me: bytes | None = field(default=None)  # the rendered "who am I" view, filled by the first /auth/me


class PrincipalCache:
    """The entries of one database, its epoch follower and the queue of token uses to record."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.Lock()
        self.entries: dict[str, Entry] = {}
        self.epoch: int | None = None
        self.checked_at = 0.0  # time.monotonic() of the last successful epoch read
        self.touches: dict[uuid.UUID, datetime] = {}
        self.wake = threading.Event()
        self._follower: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] = lambda: None
        self.stopped = False
        db.on_dispose(self.stop)

    def stop(self) -> None:
        """The database is going away: the follower ends and nothing is cached any more."""
        self.stopped = True
        self.wake.set()

    # --- the request path (event loop: no I/O) ---

    def get(self, digest: str, settings: Settings, now: datetime) -> Entry | None:
        entry = self.entries.get(digest)
        if entry is None or not self.trusted(entry.epoch):
            return None
        if entry.expires_at <= now or now - entry.last_used_at >= TOUCH_EVERY:
            return None  # the database path says why (expired) or records the use
        if now - entry.last_used_at > timedelta(minutes=settings.token_idle_minutes):
            return None
        return entry

    def trusted(self, entry_epoch: int) -> bool:
        return entry_epoch == self.epoch and time.monotonic() - self.checked_at < MAX_LAG_S

    def put(self, digest: str, entry: Entry) -> None:
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[digest] = entry
        self.start()

    def touched(self, token_id: uuid.UUID, at: datetime) -> None:
        """Record the token's use soon (the follower writes it)."""
        with self.lock:
            self.touches[token_id] = at
        self.wake.set()

    def forget(self) -> None:
        """Drop every entry (this process changed the epoch; the follower reads the new one next)."""
        with self.lock:
            self.entries.clear()
            self.epoch = None
        self.wake.set()

    # --- the follower thread ---

    def start(self) -> None:
        if self._follower is None and not self.stopped:
            with self.lock:
                if self._follower is None:
                    self._follower = threading.Thread(target=self._follow, name="principal-epoch", daemon=True)
                    self._follower.start()
                    if self.db.bus is not None:  # an epoch change committed anywhere: at once
                        self._unsubscribe = self.db.bus.subscribe("auth", self.wake.set)

    def _follow(self) -> None:
        failures = 0
        while not self.stopped and failures < 20:  # a dropped database (a test's copy) ends the thread
            self.wake.wait(FOLLOW_EVERY_S)
            self.wake.clear()
            try:
                self.refresh()
                failures = 0
            except Exception:
                failures += 1
                log.debug("principal cache: epoch not read", exc_info=True)
                time.sleep(0.5)
        self._unsubscribe()
        with self.lock:
            self.entries.clear()
            self._follower = None

    def refresh(self) -> None:
        """Write the queued token uses, then read the epoch (dropping every entry when it moved)."""
        with self.lock:
            touches, self.touches = self.touches, {}
        if touches:
            with self.db.session(write=True) as session, session.begin():
                for token_id, at in touches.items():
                    session.execute(
                        update(AuthToken)
                        .where(AuthToken.id == token_id, AuthToken.last_used_at < at)
                        .values(last_used_at=at)
                    )
        with self.db.engine.execution_options(sqlite_immediate=False).connect() as connection:
            current = epoch.read(connection)
        with self.lock:
            if current != self.epoch:
                self.entries.clear()
                self.epoch = current
            self.checked_at = time.monotonic()


_caches: dict[str, PrincipalCache] = {}
_caches_lock = threading.Lock()


def cache_for(db: Database) -> PrincipalCache | None:
    """The cache of ``db`` (one per database URL in this process); None for a database bound to one connection."""
    if db.bound is not None:
        return None
    key = db.engine.url.render_as_string(hide_password=True)
    found = _caches.get(key)
    if found is None or found.db is not db:
        with _caches_lock:
            found = _caches.get(key)
            if found is None or found.db is not db:
                if found is not None:
                    found.stopped = True
                found = _caches[key] = PrincipalCache(db)
    return found


def reset_all() -> None:
    """Forget every cached principal (after the demo wipes the tables)."""
    with _caches_lock:
        for cache in _caches.values():
            cache.stopped = True
            cache.forget()
        _caches.clear()


def _committed(session) -> None:  # type: ignore[no-untyped-def]
    """identity.epoch: this process changed the epoch; its own copies go at once."""
    bind = session.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True)
    found = _caches.get(key)
    if found is not None:
        found.forget()


epoch.on_commit(_committed)
