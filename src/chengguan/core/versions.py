"""The data version: one number in the ``counter`` table that moves with every committed write to the tables the
working lists read, so that a rendered list can be reused until something it may show has changed (kit.readcache).

Every statement a connection executes is looked at once (``before_execute``): an INSERT, UPDATE or DELETE of a
table outside ``UNLISTED`` marks the connection's transaction, ORM flushes, Core statements (intake's bulk inserts)
and literal SQL alike. At COMMIT the mark becomes one ``UPDATE counter`` on the same connection, inside the same
transaction, so the new version is visible exactly when the write is: a reader that reads the version first and the
rows after can only ever cache newer rows under an older version, never the reverse. The row is locked for the
COMMIT alone (not from the first write on), which keeps writers of a busy PostgreSQL from queueing on it for long.

``UNLISTED`` are the tables no list reads (or whose churn has a counter of its own: live positions have
``position_seq``); everything else counts, so a table added later is covered without anyone remembering it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import TextClause

KEY = "data_version"
UNLISTED = frozenset({
    "counter", "auth_token", "login_failure", "password_history", "audit_entry", "audit_head", "live_position",
    "duty_switch", "evidence_ledger", "evidence_batch", "evidence_ledger_head", "portal_login_code", "sms_message",
    "law_search_doc", "law_kb_snapshot",
})  # fmt: skip
_MARK = "versions.dirty"
_TEXT_DML = re.compile(r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+\"?(\w+)", re.IGNORECASE)
BUMP_SQL = (
    f"INSERT INTO counter (key, value) VALUES ('{KEY}', 0) ON CONFLICT (key) DO NOTHING",
    f"UPDATE counter SET value = value + 1 WHERE key = '{KEY}'",
)
READ_SQL = f"SELECT value FROM counter WHERE key = '{KEY}'"


def target_table(statement: Any) -> str | None:
    """The table an INSERT/UPDATE/DELETE writes (None for anything else)."""
    if isinstance(statement, Insert | Update | Delete):
        return getattr(statement.table, "name", None)
    if isinstance(statement, TextClause):
        found = _TEXT_DML.match(statement.text)
        return found.group(1).lower() if found else None
    return None


def track(engine: Engine) -> None:
    """Watch ``engine``'s writes and move the data version at each COMMIT that wrote a listed table."""

    @event.listens_for(engine, "before_execute")
    def _before_execute(conn: Any, clauseelement: Any, *_args: Any) -> None:
        if conn.info.get(_MARK):
            return
        table = target_table(clauseelement)
        if table is not None and table not in UNLISTED:
            conn.info[_MARK] = True

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        if conn.info.pop(_MARK, None):
            # The DBAPI cursor: SQLAlchemy's own execute is not for use while its transaction is committing.
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                for sql in BUMP_SQL:
                    cursor.execute(sql)
            finally:
                cursor.close()

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        conn.info.pop(_MARK, None)


def read(connection: Any) -> int:
    """The data version now (0 before the first tracked write)."""
    from sqlalchemy import text

    return int(connection.execute(text(READ_SQL)).scalar() or 0)
