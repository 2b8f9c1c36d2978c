"""Optimistic locks under real concurrency: a lost race is 409, a concurrent retry of the same request is a replay.

On PostgreSQL (READ COMMITTED) two requests that loaded the same ``version`` both reach their UPDATE; the second
waits for the first to commit, then matches no row and SQLAlchemy raises ``StaleDataError`` — at the flush the
service asked for, or at any autoflush before it. If the loser was a retry of the winner (same idempotency key),
the client must get the winner's result, not a conflict. On SQLite the write transactions of a process are
serialised (``core.db``), so the loser simply reads the moved-on row; the same code serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from chengguan.core.errors import Conflict

T = TypeVar("T")


def once(session: Session, work: Callable[[], T], *, replay: Callable[[], T | None], conflict: Conflict) -> T:
    """Run ``work`` (and flush it) under a savepoint. When it loses a race — a version that moved on under it
    (``StaleDataError``), or a unique idempotency key taken by a concurrent twin (``IntegrityError``) — roll the
    savepoint back and return ``replay()``, the stored result of a request that already did the same thing (it is
    visible now: the winner committed before our statement could fail); without one, raise ``conflict`` (409)."""
    savepoint = session.begin_nested()
    try:
        result = work()
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        savepoint.rollback()
        session.expire_all()  # the loser's view of the rows is stale: read them again
        found = replay()
        if found is not None:
            return found
        if isinstance(exc, IntegrityError):
            raise  # not a twin's key: a real constraint violation (the generic 409 conflict.integrity)
        raise conflict from exc
    savepoint.commit()
    return result
