"""The data version: one number in the ``counter`` table that moves with every committed write to the tables the
working lists read, so that a rendered list can be reused until something it may show has changed (kit.readcache).

Every statement a connection sends is looked at once (``before_cursor_execute``, the SQL text): an INSERT, UPDATE or
DELETE of a table outside ``UNLISTED`` marks the connection's transaction — ORM flushes, Core statements and
driver-level SQL (intake's bulk inserts) alike. At COMMIT the mark becomes one ``UPDATE counter`` on the same
connection, inside the same transaction, so the new version is visible exactly when the write is: a reader that
reads the version first and the rows after can only ever cache newer rows under an older version, never the
reverse. The row is locked for the
COMMIT alone (not from the first write on), which keeps writers of a busy PostgreSQL from queueing on it for long.

``UNLISTED`` are the tables no list reads (or whose churn has a counter of its own: live positions have
``position_seq``); everything else counts, so a table added later is covered without anyone remembering it.

The same watch tells core.bus what a COMMIT changed (``data``, ``positions``; identity.epoch adds ``auth``): on
PostgreSQL a NOTIFY inside the transaction, delivered with the commit; otherwise published once the connection is
back in the pool, that is after the COMMIT returned.

An engine is tracked only once its database has the ``counter`` table (``Database`` checks; the migrations' own
engine is never tracked)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import TextClause

from chengguan.core.bus import Bus

KEY = "data_version"
UNLISTED = frozenset({
    "counter", "auth_token", "login_failure", "password_history", "audit_entry", "audit_head", "live_position",
    "duty_switch", "evidence_ledger", "evidence_batch", "evidence_ledger_head", "portal_login_code", "sms_message",
    "law_search_doc", "law_kb_snapshot", "position_track",
})  # fmt: skip
CHANNEL_OF = {"live_position": "positions", "duty_switch": "positions"}  # core.bus wake-ups besides "data"
_MARK = "versions.channels"
_PENDING = "bus.pending"
_WROTE = "versions.wrote"
_TEXT_DML = re.compile(
    r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+(?:\"?\w+\"?\.)?\"?(\w+)", re.IGNORECASE
)
BUMP_SQL = (
    f"INSERT INTO counter (key, value) VALUES ('{KEY}', 1) ON CONFLICT (key) DO UPDATE SET value = counter.value + 1"
)
READ_SQL = f"SELECT value FROM counter WHERE key = '{KEY}'"


def target_table(statement: Any) -> str | None:
    """The table an INSERT/UPDATE/DELETE writes (None for anything else): a statement object or its SQL text."""
    if isinstance(statement, Insert | Update | Delete):
        return getattr(statement.table, "name", None)
    text_of = statement.text if isinstance(statement, TextClause) else statement
    if not isinstance(text_of, str):
        return None
    found = _TEXT_DML.match(text_of)
    return found.group(1).lower() if found else None


def mark(connection: Any, channel: str) -> None:
    """Wake ``channel``'s listeners when ``connection``'s transaction commits (identity.epoch: ``auth``)."""
    connection.info.setdefault(_MARK, set()).add(channel)


def track(engine: Engine, bus: Bus) -> None:
    """Watch ``engine``'s writes: move the data version at each COMMIT that wrote a listed table, and wake the
    bus's listeners of what was written once the COMMIT is done."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before_cursor_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The SQL as sent: ORM flushes, Core statements and driver-level SQL (core.bulk's inserts) alike.
        table = target_table(statement)
        if table is None:
            return
        conn.info[_WROTE] = True
        channel = "data" if table not in UNLISTED else CHANNEL_OF.get(table)
        if channel is not None:
            mark(conn, channel)

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        conn.info.pop(_WROTE, None)
        channels = conn.info.pop(_MARK, None)
        if not channels:
            return
        # The DBAPI cursor: SQLAlchemy's own execute is not for use while its transaction is committing.
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            if "data" in channels:
                cursor.execute(BUMP_SQL)
            bus.in_transaction(cursor, channels)
        finally:
            cursor.close()
        conn.info[_PENDING] = channels  # published once the connection is back in the pool (committed)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        conn.info.pop(_WROTE, None)
        conn.info.pop(_MARK, None)
        conn.info.pop(_PENDING, None)

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        pending = record.info.pop(_PENDING, None) if record is not None else None
        if pending:
            bus.after_commit(pending)


def wrote(connection: Any) -> bool:
    """Whether ``connection``'s transaction has written anything (any table; only on a tracked engine)."""
    return bool(connection.info.get(_WROTE))


def read(connection: Any) -> int:
    """The data version now (0 before the first tracked write)."""
    return int(connection.execute(text(READ_SQL)).scalar() or 0)
