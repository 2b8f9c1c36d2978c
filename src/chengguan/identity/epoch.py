"""The authorisation epoch: one value in the ``counter`` table that changes, in the same transaction, with everything
a cached principal is made of — accounts, roles and their grants, revoked tokens, and the unit and officer card the
"who am I" view shows. Every process caches principals only for the epoch it last read (identity.principal_cache),
so a committed change ends every cached copy on every worker and machine within the follower's lag.

Why ORM events rather than a call in each use case: a cache that outlives a revoked token or a withdrawn role is a
security hole, and one forgotten call site among the user, role, password, logout, demo and (later) 三员 paths
would open it. The events see every flush and every bulk UPDATE/DELETE of the watched tables; only the token touch
(``last_used_at``) and new rows (a new token, a new account: nothing cached yet) are let through.

The value is random, not incremented: a database wiped and reloaded (``demo --reset``) must not come back to an
epoch some process already holds."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.orm import ORMExecuteState, Session

from chengguan.core import versions
from chengguan.identity.models import AuthToken, Role, RolePermission, RoleUnit, User, UserRole
from chengguan.org.models import Officer, OrgUnit

EPOCH_KEY = "auth_epoch"
_BUMPED = "identity.epoch_bumped"
READ_EPOCH = text("SELECT value FROM counter WHERE key = :k").bindparams(k=EPOCH_KEY)

# Any change of these rows changes some principal or "who am I" view.
WHOLE_ROWS: tuple[type, ...] = (Role, RolePermission, RoleUnit, UserRole, OrgUnit, Officer)
# Columns of an account that a principal carries (login bookkeeping such as last_login_at is not among them).
USER_FIELDS = ("username", "display_name", "unit_id", "officer_id", "is_active", "must_change_password",
               "password_hash")  # fmt: skip
WATCHED_TABLES = {m.__table__.name for m in (*WHOLE_ROWS, User, AuthToken)}  # type: ignore[attr-defined]
HARMLESS_UPDATES = {"auth_token": {"last_used_at"}, "user_account": {"last_login_at", "locked_until", "updated_at"}}

_listeners: list[Callable[[Session], None]] = []


def on_commit(listener: Callable[[Session], None]) -> None:
    """Call ``listener(session)`` after a session whose transaction changed the epoch has committed (this process's
    own cache drops its copies at once instead of waiting for its follower)."""
    _listeners.append(listener)


def read(connection: Any) -> int:
    """The epoch as the database holds it now (0 before the first change)."""
    return int(connection.execute(READ_EPOCH).scalar() or 0)


def bump(session: Session) -> None:
    """Change the epoch inside ``session``'s transaction (once per transaction)."""
    if session.info.get(_BUMPED):
        return
    session.info[_BUMPED] = True
    session.execute(text("INSERT INTO counter (key, value) VALUES (:k, 0) ON CONFLICT (key) DO NOTHING"),
                    {"k": EPOCH_KEY})  # fmt: skip
    session.execute(text("UPDATE counter SET value = :v WHERE key = :k"), {"k": EPOCH_KEY, "v": _fresh()})
    versions.mark(session.connection(), "auth")  # every process's follower re-reads the epoch at once


def _fresh() -> int:
    return secrets.randbelow(2**31 - 2) + 1  # the counter column is a 32-bit integer on PostgreSQL


def _changes_principal(obj: Any, *, new: bool = False, deleted: bool = False) -> bool:
    if isinstance(obj, WHOLE_ROWS):
        return True
    if isinstance(obj, User | AuthToken):
        if new:
            return False
        if deleted:
            return True
        attrs = inspect(obj).attrs
        fields = USER_FIELDS if isinstance(obj, User) else ("revoked_at", "subject_id", "expires_at")
        return any(attrs[name].history.has_changes() for name in fields)
    return False


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_BUMPED):
        return
    if (
        any(_changes_principal(o, new=True) for o in session.new)
        or any(_changes_principal(o) for o in session.dirty if session.is_modified(o))
        or any(_changes_principal(o, deleted=True) for o in session.deleted)
    ):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    if state.session.info.get(_BUMPED) or not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in WATCHED_TABLES:
        return
    if state.is_update:
        values = getattr(state.statement, "_values", None) or {}
        columns = {getattr(key, "key", key) for key in values}
        if columns and columns <= HARMLESS_UPDATES.get(name, set()):
            return
    bump(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_BUMPED, False):
        for listener in _listeners:
            listener(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    # A rolled-back savepoint may have held the change: the next watched change bumps again (twice is harmless).
    session.info.pop(_BUMPED, None)
