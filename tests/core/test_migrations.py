"""Migrations: one head, upgrade from empty (SQLite and PostgreSQL), and models == migrations (no drift)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from chengguan.core.db import make_engine
from chengguan.core.migrate import alembic_config, include_object, upgrade
from chengguan.models import Base
from support import drop_database, new_database_url

pytestmark = pytest.mark.commits  # migrations commit to databases of their own


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_and_no_drift(tmp_path):
    url = new_database_url(tmp_path)
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
        engine.dispose()
        assert diff == [], f"models and migrations differ — add a migration: {diff}"
        assert set(Base.metadata.tables) <= tables
    finally:
        drop_database(url)


def test_sqlite_runs_in_wal_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    create_engine(url).dispose()


RELEASED = "8988a80eccab"  # the head of the last landed release: databases out there hold data at this revision


def _fill(connection, table: str, refs: dict[str, object], **given: object) -> object:  # type: ignore[no-untyped-def]
    """Insert one row into ``table`` at whatever schema it has: NOT NULL columns get a plain value of their type,
    foreign keys the row given in ``refs`` (table → id); returns the row's id."""
    import uuid

    columns = connection.execute(f"PRAGMA table_info({table})").fetchall()
    keys = {row[3]: row[2] for row in connection.execute(f"PRAGMA foreign_key_list({table})").fetchall()}
    values: dict[str, object] = {}
    for _, name, type_, notnull, default, _pk in columns:
        if name in keys:
            if keys[name] in refs or notnull:
                values[name] = refs[keys[name]]
        elif name == "id":
            values[name] = uuid.uuid4().hex
        elif notnull and default is None:
            kind = type_.upper()
            values[name] = (0 if "INT" in kind or "BOOL" in kind else "2026-01-01 00:00:00.000000"
                            if "DATE" in kind else "{}" if kind == "JSON" else f"x{uuid.uuid4().hex[:8]}")  # fmt: skip
    values |= given
    names = ", ".join(values)
    marks = ", ".join(f":{n}" for n in values)
    connection.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    return values.get("id")


def test_a_database_holding_data_upgrades_from_the_last_release(tmp_path):
    """Batch migrations rebuild tables that other rows point at. On SQLite, with foreign keys enforced, rebuilding
    ``user_account`` would silently delete every role assignment (ON DELETE CASCADE) and null every ``created_by``
    (SET NULL) — or fail outright where a row restricts it."""
    import sqlite3

    path = tmp_path / "released.db"
    upgrade(f"sqlite:///{path}", RELEASED)
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA foreign_keys=ON")
        refs: dict[str, object] = {}
        for table, given in (
            ("org_unit", {"level": "city"}),
            ("user_account", {}),
            ("role", {"data_scope": "all"}),
            ("user_role", {}),
        ):
            refs[table] = _fill(raw, table, refs, **given)
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("SELECT count(*) FROM user_role").fetchone() == (1,)
